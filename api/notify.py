import gc

gc.disable()  # no collections while the function imports: see docs/ARCHITECTURE.md, "Cold starts"
from ops_agent.http.functions import notify_app  # noqa: E402

app = notify_app()
gc.freeze()  # what the import built lives as long as the instance: never scan it again
gc.enable()
