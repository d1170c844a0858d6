from ops_agent.http.functions import dashboard_app

app = dashboard_app()
