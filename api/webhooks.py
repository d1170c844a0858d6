from ops_agent.http.functions import webhooks_app

app = webhooks_app()
