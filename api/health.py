from ops_agent.http.functions import health_app

app = health_app()
