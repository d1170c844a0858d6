from ops_agent.http.functions import admin_app

app = admin_app()
