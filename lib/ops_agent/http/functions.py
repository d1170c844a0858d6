"""One app factory per Vercel function. Each `api/*.py` file calls exactly one of these."""

from __future__ import annotations

from fastapi import FastAPI

from ops_agent.http.app import create_app


def health_app() -> FastAPI:
    """api/health.py: GET /api/health."""
    from ops_agent.http.routes import health

    return create_app("Ops Agent: health", [health.router])


def admin_app() -> FastAPI:
    """api/admin.py: /api/admin/* (keys, audit, whoami)."""
    from ops_agent.http.routes import admin

    return create_app("Ops Agent: admin", [admin.router])


def tick_app() -> FastAPI:
    """api/cron/tick.py: GET /api/cron/tick, run by Vercel Cron."""
    from ops_agent.http.routes import cron

    return create_app("Ops Agent: cron tick", [cron.router])
