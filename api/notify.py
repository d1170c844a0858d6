from ops_agent.http.functions import notify_app

app = notify_app()
