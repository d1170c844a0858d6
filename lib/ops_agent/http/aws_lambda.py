"""An AWS Lambda entrypoint, for running Ops Agent outside Vercel (Vercel needs none).

Point a Lambda (API Gateway HTTP API or a function URL) at `ops_agent.http.aws_lambda.handler`;
it serves every function's routes, like the local server but without in-process crons
(schedule `GET /api/cron/tick` with EventBridge and `CRON_SECRET` instead).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

_handler: Any = None


def make_handler(app: FastAPI) -> Any:
    """A Mangum adapter around `app`.

    Lifespan is off: Mangum would run startup and shutdown around every invocation, closing the
    store and KV each time; the runtime opens them lazily and keeps them while the instance is warm.
    """
    from mangum import Mangum

    return Mangum(app, lifespan="off")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda's entrypoint: built on the first invocation, reused while the instance is warm."""
    global _handler
    if _handler is None:
        from ops_agent.http.local import local_app

        _handler = make_handler(local_app(crons=False))
    result: dict[str, Any] = _handler(event, context)
    return result
