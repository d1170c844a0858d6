from ops_agent.http.functions import tasks_app

app = tasks_app()
