from ops_agent.http.functions import log_drain_app

app = log_drain_app()
