"""The published Python API, exactly as the README shows it, run as a user runs it.

`python tests/published/api_example.py` with VERCEL_API_URL pointing at a Vercel (the local
double: `ops-agent sandbox vercel --project morningai`) prints what each call gave, as JSON.
The calls between the `# --- as published ---` markers are the README's, verbatim; what
surrounds them waits for the build and stages an alert, as time would.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import datetime
from typing import Any


async def main() -> dict[str, Any]:
    out: dict[str, Any] = {}
    # --- as published ---
    from ops_agent import (
        AlertManagementTool,
        DeploymentTool,
        LogAnalysisTool,
        MonitoringTool,
        NotificationService,
        OpsAgentOODA,
    )

    deployment_tool = DeploymentTool(vercel_token=os.environ["VERCEL_TOKEN"])
    result = await deployment_tool.deploy(
        project="morningai", environment="production", branch="main"
    )
    deployment_id = result["deployment_id"]
    status = await deployment_tool.get_deployment_status(deployment_id)
    # --- (time passes: the build finishes and goes live) ---
    done = await deployment_tool.wait_for_build(deployment_id, timeout=30, poll_interval=0.2)
    for _ in range(100):
        serving = (await deployment_tool.client.get_project("morningai")).production_deployment_id
        if serving == deployment_id:
            break
        await asyncio.sleep(0.1)
    # --- as published ---
    rollback = await deployment_tool.rollback(deployment_id)
    out["deploy"] = {k: result[k] for k in ("status", "deployment_id", "deployment_url")}
    out["status"] = status["status"]
    out["built"] = done["status"]
    out["rollback"] = {
        k: rollback[k] for k in ("status", "from_deployment", "to_deployment", "production_pinned")
    }

    monitoring_tool = MonitoringTool()
    metrics = await monitoring_tool.get_system_metrics()
    health = await monitoring_tool.check_service_health(service="api")
    await monitoring_tool.add_custom_metric(name="api_latency", query="avg(response_time)")
    out["metrics"] = sorted(metrics)
    out["health"] = {"status": health["status"], "last_error": health["last_error"]}

    log_tool = LogAnalysisTool()
    logs = await log_tool.search_logs(query="error", time_range="1h", severity="error")
    patterns = await log_tool.analyze_error_patterns(time_range="24h")
    anomalies = await log_tool.detect_anomalies()
    out["logs"] = {"hits": len(logs.hits), "patterns": len(patterns), "anomalies": len(anomalies)}

    notification_service = NotificationService(
        mailtrap_token=os.getenv("Mailtrap_API_TOKEN"),  # noqa: SIM112 (as published)
        slack_webhook_url=os.getenv("SLACK_WEBHOOK_URL"),
    )
    alert_tool = AlertManagementTool(
        notification_service=notification_service,
        default_email_recipient="ops-alerts@yourcompany.com",
        default_slack_channel="#ops-alerts",
    )
    rule = await alert_tool.create_alert_rule(
        name="high_error_rate",
        condition="error_rate > 5%",
        severity="critical",
        channels=["email", "slack"],
    )
    # --- (time passes: errors arrive and the rule fires) ---
    await _failing_traffic(log_tool)
    await alert_tool.evaluate()
    # --- as published ---
    alerts = await alert_tool.get_active_alerts()
    alert_id = alerts[0]["id"]
    await alert_tool.acknowledge_alert(alert_id)
    out["rule"] = rule["name"]
    out["acknowledged"] = (await alert_tool.get_alert(alert_id))["state"]

    result = await notification_service.send_email_mailtrap(
        to="admin@example.com", subject="Critical Alert", body="CPU usage exceeded 90%"
    )
    out["email"] = {"status": result["status"], "error": result["error"]}
    result = await notification_service.send_slack_message(
        message="[CRITICAL] CPU usage exceeded 90%", channel="#ops-alerts"
    )
    out["slack"] = {"status": result["status"], "error": result["error"]}
    result = await notification_service.send_webhook(
        url="https://your-webhook-url.com/alerts",
        payload={
            "severity": "critical",
            "message": "...",
            "timestamp": datetime.utcnow().isoformat(),
        },
    )
    out["webhook"] = {"status": result["status"], "error": result["error"]}
    result = await notification_service.send_notification(
        channel="email", message="Alert message", to="admin@example.com", subject="Alert Subject"
    )
    out["notification"] = {"status": result["status"], "error": result["error"]}

    ops_agent = OpsAgentOODA(vercel_token=os.getenv("VERCEL_TOKEN"), enable_monitoring=True)
    result = await ops_agent.execute_task(
        task="Deploy latest changes to production", priority="high"
    )
    print(result["status"], result["deployment_url"], file=sys.stderr)
    out["task_deploy"] = {
        "status": result["status"],
        "deployment_url": result["deployment_url"],
        "error": result["error"],
    }
    result = await ops_agent.execute_task(
        task="Monitor API error rate and alert if >5%", priority="critical"
    )
    out["task_monitor"] = {"status": result["status"]}
    result = await ops_agent.execute_task(
        task="Analyze error logs from the past hour and identify root causes", priority="medium"
    )
    print(result["patterns"], result["recommendations"], file=sys.stderr)
    out["task_analyze"] = {
        "status": result["status"],
        "patterns": len(result["patterns"]),
        "recommendations": result["recommendations"],
    }
    # --- end ---
    await ops_agent.aclose()
    return out


async def _failing_traffic(log_tool: Any) -> None:
    """A minute of morningai's traffic, half of it failing, as a log drain delivers it."""
    from datetime import UTC, timedelta

    now = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    entries = [
        {
            "id": f"published-{i}",
            "timestamp": int((now + timedelta(seconds=i)).timestamp() * 1000),
            "message": "Error: upstream timed out" if i % 2 else "GET /api/orders 200",
            "level": "error" if i % 2 else "info",
            "source": "lambda",
            "projectName": "morningai",
            "environment": "production",
            "path": "/api/orders",
            "statusCode": 500 if i % 2 else 200,
            "requestId": f"req-{i}",
            "proxy": {"statusCode": 500 if i % 2 else 200, "path": "/api/orders"},
        }
        for i in range(40)
    ]
    await log_tool.ingest_delivery(json.dumps(entries).encode())


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), default=str))
