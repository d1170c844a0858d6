from ops_agent.http.functions import alerts_app

app = alerts_app()
