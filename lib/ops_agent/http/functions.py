"""One app factory per Vercel function. Each `api/*.py` file calls exactly one of these."""

from __future__ import annotations

import sys

from fastapi import FastAPI

from ops_agent.http.app import create_app
from ops_agent.runtime import Runtime

# FastAPI imports `pydantic.v1` (about 50 ms of a cold start) only to refuse pydantic v1 models
# in routes; this package has none, so the import is declined and FastAPI's check says no.
sys.modules.setdefault("pydantic.v1", None)  # type: ignore[arg-type]


def health_app(runtime: Runtime | None = None) -> FastAPI:
    """api/health.py: GET /api/health, the liveness probe, alone: a cold start of it imports
    no monitoring machinery (the declared services under /api/health/ are rewritten to
    api/metrics.py)."""
    from ops_agent.http.routes import health

    return create_app("Ops Agent: health", [health.router], runtime=runtime)


def admin_app() -> FastAPI:
    """api/admin.py: /api/admin/* (keys, audit, whoami)."""
    from ops_agent.http.routes import admin

    return create_app("Ops Agent: admin", [admin.router])


def tick_app() -> FastAPI:
    """api/cron/tick.py: GET /api/cron/tick, run by Vercel Cron."""
    from ops_agent.http.routes import cron

    return create_app("Ops Agent: cron tick", [cron.router])


def deployments_app() -> FastAPI:
    """api/deployments.py: /api/deployments/* (history, deploy, rollback, promote, cancel)
    and, rewritten to it, /api/projects/* (environments and environment variables)."""
    from ops_agent.http.routes import deployments, projects

    return create_app("Ops Agent: deployments", [deployments.router, projects.router])


def webhooks_app(runtime: Runtime | None = None) -> FastAPI:
    """api/webhooks.py: POST /api/webhooks/vercel and /api/webhooks/sentry (rewritten)."""
    from ops_agent.http.routes import webhooks

    return create_app("Ops Agent: webhooks", [webhooks.router], runtime=runtime)


def notify_app() -> FastAPI:
    """api/notify.py: /api/notify (send), /api/notify/log, /api/notify/endpoints."""
    from ops_agent.http.routes import notify

    return create_app("Ops Agent: notify", [notify.router])


def log_drain_app(runtime: Runtime | None = None) -> FastAPI:
    """api/drains/logs.py: POST /api/drains/logs (Vercel log drains) and, rewritten to it,
    POST /api/drains/traces (Vercel trace drains)."""
    from ops_agent.http.routes import drains

    app = create_app("Ops Agent: log drain", [drains.router], runtime=runtime)
    app.add_middleware(drains.VerifyHeader, settings=app.state.runtime.settings)
    return app


def logs_app() -> FastAPI:
    """api/logs.py: /api/logs/search, /api/logs/patterns, /api/logs/anomalies."""
    from ops_agent.http.routes import logs

    return create_app("Ops Agent: logs", [logs.router])


def metrics_app(runtime: Runtime | None = None) -> FastAPI:
    """api/metrics.py: /api/metrics/* (queries, samples, system metrics) and, rewritten to
    it, the declared services under /api/health/ (checks, heartbeats, uptime)."""
    from ops_agent.http.routes import metrics, monitoring

    return create_app(
        "Ops Agent: metrics and services", [metrics.router, monitoring.router], runtime=runtime
    )


def dashboard_app(runtime: Runtime | None = None) -> FastAPI:
    """api/dashboard.py: the live dashboard at / (rewritten), /dashboard and /api/dashboard."""
    from ops_agent.http.routes import dashboard

    return create_app("Ops Agent: dashboard", [dashboard.router], runtime=runtime)


def alerts_app(runtime: Runtime | None = None) -> FastAPI:
    """api/alerts.py: /api/alerts/* and /api/kpis (rewritten)."""
    from ops_agent.http.routes import alerts

    return create_app("Ops Agent: alerts", [alerts.router], runtime=runtime)


def tasks_app(runtime: Runtime | None = None) -> FastAPI:
    """api/tasks.py: /api/tasks (run or queue a task) and /api/mcp (rewritten): the Model
    Context Protocol server offering the same tools to LLM agents."""
    from ops_agent.http.routes import mcp, tasks

    return create_app("Ops Agent: tasks", [tasks.router, mcp.router], runtime=runtime)
