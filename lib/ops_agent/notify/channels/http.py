"""What HTTP channels share: one attempt turned into an Outcome, and URL masking."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import httpx

from ops_agent.notify.models import Outcome
from ops_agent.retry import server_delay

THROTTLE_STATUSES = frozenset({429, 502, 503, 504})


def mask_url(url: str) -> str:
    """scheme://host/first-segment/*** : paths of webhook URLs are often the secret."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid url>"
    segments = [s for s in parts.path.split("/") if s]
    path = "/" + segments[0] + ("/***" if len(segments) > 1 else "") if segments else ""
    return f"{parts.scheme}://{host}{port}{path}"


async def http_attempt(
    send: Callable[[], Awaitable[httpx.Response]],
    classify: Callable[[httpx.Response], Outcome],
) -> Outcome:
    """Run one request; network failures become retryable Outcomes, answers go to `classify`."""
    try:
        response = await send()
    except httpx.TimeoutException as exc:
        return Outcome(ok=False, error=f"timed out ({type(exc).__name__})", retryable=True)
    except httpx.TransportError as exc:
        return Outcome(ok=False, error=f"connection failed ({type(exc).__name__})", retryable=True)
    return classify(response)


def retry_after(response: httpx.Response, now: float) -> float | None:
    return server_delay(response.headers, now)


def redirect_outcome(response: httpx.Response) -> Outcome:
    target = mask_url(response.headers.get("location", ""))
    return Outcome(
        ok=False,
        status_code=response.status_code,
        error=f"HTTP {response.status_code} redirect to {target} not followed; fix the URL",
    )
