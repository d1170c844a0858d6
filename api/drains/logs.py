import gc

gc.disable()  # no collections while the function imports: see docs/ARCHITECTURE.md, "Cold starts"
from ops_agent.http.functions import log_drain_app  # noqa: E402

app = log_drain_app()
gc.freeze()  # what the import built lives as long as the instance: never scan it again
gc.enable()
