from ops_agent.http.functions import logs_app

app = logs_app()
