"""Running checks: one HTTP(S) request per service, observed and judged by its conditions.

Checks run concurrently under a bound, each inside its own timeout, so one slow target never
delays the others beyond that timeout. Targets on private, loopback, link-local or metadata
addresses are refused unless allowlisted (MONITOR_ALLOWED_HOSTS).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from ops_agent.monitoring.conditions import Facts, Outcome, evaluate, parse
from ops_agent.monitoring.config import ServiceCheck
from ops_agent.monitoring.tls import not_after
from ops_agent.ssrf import Unresolvable, UnsafeURL, URLGuard

MAX_BODY = 1_000_000  # a health answer larger than this is read only this far


@dataclass
class CheckResult:
    service: str
    at: datetime
    ok: bool
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    certificate_expires_at: datetime | None = None
    outcomes: list[Outcome] = field(default_factory=list)

    def as_row(self, check: ServiceCheck) -> dict[str, Any]:
        return {
            "service": self.service,
            "at": self.at.isoformat(),
            "ok": self.ok,
            "status_code": self.status_code,
            "latency_ms": self.latency_ms,
            "error": self.error,
            "conditions": [
                {"condition": o.condition, "success": o.success, "actual": _jsonable(o.actual)}
                for o in self.outcomes
            ],
            "failure_threshold": check.failure_threshold,
            "success_threshold": check.success_threshold,
            "certificate_expires_at": self.certificate_expires_at.isoformat()
            if self.certificate_expires_at
            else None,
        }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"


def judge(check: ServiceCheck, facts: Facts, at: datetime) -> CheckResult:
    """Evaluate every condition against what was observed (pure)."""
    outcomes = [evaluate(parse(c), facts) for c in check.conditions]
    failed = [o.condition for o in outcomes if not o.success]
    return CheckResult(
        service=check.name,
        at=at,
        ok=facts.connected and not failed,
        status_code=facts.status,
        latency_ms=facts.response_time_ms,
        error=None if not failed else "failed: " + "; ".join(failed),
        outcomes=outcomes,
    )


class Checker:
    """Runs HTTP checks. One client per TLS mode, reused across checks."""

    def __init__(
        self,
        guard: URLGuard,
        *,
        concurrency: int = 20,
        transport: httpx.AsyncBaseTransport | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._guard = guard
        self._limit = asyncio.Semaphore(concurrency)
        verify: ssl.SSLContext | bool = ssl_context or True
        common: dict[str, Any] = {"follow_redirects": False, "transport": transport}
        self._verified = httpx.AsyncClient(verify=verify, **common)
        self._unverified = httpx.AsyncClient(verify=False, **common)  # noqa: S501 - opted into per service

    async def aclose(self) -> None:
        await self._verified.aclose()
        await self._unverified.aclose()

    async def run(self, checks: Sequence[ServiceCheck]) -> list[CheckResult]:
        """Every check, concurrently under the bound; results in the order given."""
        return list(await asyncio.gather(*(self._bounded(c) for c in checks)))

    async def _bounded(self, check: ServiceCheck) -> CheckResult:
        async with self._limit:
            return await self.check(check)

    async def check(self, check: ServiceCheck) -> CheckResult:
        at = datetime.now(UTC)
        assert check.url is not None
        try:
            await self._guard.check(check.url)
        except Unresolvable as exc:  # a DNS failure, not a refusal
            return CheckResult(check.name, at, ok=False, error=str(exc))
        except UnsafeURL as exc:
            return CheckResult(check.name, at, ok=False, error=f"refused: {exc}")
        client = self._verified if check.verify_tls else self._unverified
        started = time.perf_counter()
        try:
            async with asyncio.timeout(check.timeout_seconds):
                async with client.stream(
                    check.method,
                    check.url,
                    headers={"user-agent": "ops-agent-health/1", **check.headers},
                    content=check.body,
                    timeout=check.timeout_seconds,
                ) as response:
                    expires = _certificate_expiry(response)
                    body = await _read_capped(response)
                    elapsed = (time.perf_counter() - started) * 1000
        except (TimeoutError, httpx.TimeoutException):
            facts = Facts(connected=False)
            result = judge(check, facts, at)
            result.error = f"timed out after {check.timeout_seconds:g}s"
            return result
        except httpx.HTTPError as exc:
            result = judge(check, Facts(connected=False), at)
            result.error = _connection_error(check.url, exc)
            return result
        facts = Facts(
            connected=True,
            status=response.status_code,
            response_time_ms=round(elapsed, 2),
            body=body,
            headers=dict(response.headers),
            certificate_expires_in_ms=(expires - datetime.now(UTC)).total_seconds() * 1000
            if expires
            else None,
        )
        result = judge(check, facts, at)
        result.certificate_expires_at = expires
        return result


async def _read_capped(response: httpx.Response) -> str:
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_BODY:
            break
    return b"".join(chunks)[:MAX_BODY].decode(response.encoding or "utf-8", errors="replace")


def _certificate_expiry(response: httpx.Response) -> datetime | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    ssl_object = stream.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    if not der:
        return None
    try:
        return not_after(der)
    except ValueError:
        return None


def _connection_error(url: str, exc: httpx.HTTPError) -> str:
    """What went wrong reaching `url`, calling a name that does not resolve a DNS failure."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            host = urlsplit(url).hostname or url
            return f"DNS lookup failed for {host}: {cause.strerror or cause}"[:500]
        cause = cause.__cause__ or cause.__context__
    return f"{type(exc).__name__}: {exc}"[:500]
