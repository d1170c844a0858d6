from ops_agent.http.functions import tick_app

app = tick_app()
