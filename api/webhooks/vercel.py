from ops_agent.http.functions import vercel_webhook_app

app = vercel_webhook_app()
