from ops_agent.http.functions import deployments_app

app = deployments_app()
