from ops_agent.http.functions import metrics_app

app = metrics_app()
