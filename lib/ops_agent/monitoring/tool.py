"""MonitoringTool: health checks of declared services, their state and uptime, heartbeats,
and this host's system metrics."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from ops_agent.errors import Conflict, NotFound
from ops_agent.monitoring.checks import Checker, CheckResult
from ops_agent.monitoring.config import ServiceCheck, load_config
from ops_agent.monitoring.metrics import Metrics, QueryResult, Sample
from ops_agent.monitoring.records import MonitorRecords
from ops_agent.results import Indexable
from ops_agent.settings import Settings, get_settings
from ops_agent.ssrf import URLGuard
from ops_agent.store import Store
from ops_agent.store.default import DefaultStore
from ops_agent.timestamps import as_datetime

WINDOWS = {"1h": 3600, "24h": 86400, "7d": 604800}


class UnknownService(NotFound):
    """No service of that name is declared."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no service {name!r} is declared", details={"service": name})
        self.name = name


class NotAHeartbeat(Conflict):
    """The service is checked by the agent, not by heartbeats."""

    error_code = "not_a_heartbeat"


class ServiceConflict(Conflict):
    """The service is declared in the config file; change it there."""


@dataclass
class ServiceHealth(Indexable):
    service: str
    status: str  # up, down, unknown
    since: datetime | None
    last_check: datetime | None
    last_error: str | None
    result: CheckResult | None
    uptime: dict[str, dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        result = None
        if self.result is not None:
            result = {
                "ok": self.result.ok,
                "at": self.result.at.isoformat(),
                "status_code": self.result.status_code,
                "latency_ms": self.result.latency_ms,
                "error": self.result.error,
                "certificate_expires_at": self.result.certificate_expires_at.isoformat()
                if self.result.certificate_expires_at
                else None,
                "conditions": [
                    {"condition": o.condition, "success": o.success, "actual": str(o.actual)[:200]}
                    for o in self.result.outcomes
                ],
            }
        return {
            "service": self.service,
            "status": self.status,
            "since": self.since.isoformat() if self.since else None,
            "last_check": self.last_check.isoformat() if self.last_check else None,
            "last_error": self.last_error,
            "last_result": result,
            "uptime": self.uptime,
        }


def _by_window(rows: list[dict[str, Any]], service: str) -> dict[str, dict[str, Any]]:
    """One service's uptime rows (from `MonitorRecords.uptime`) keyed 1h, 24h, 7d."""
    by = {r["window_seconds"]: r for r in rows if r["service"] == service}
    return {label: by.get(seconds, {"checks": 0}) for label, seconds in WINDOWS.items()}


class MonitoringTool:
    """Health of the services in `ops-agent.yaml` and those declared through the API."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        settings: Settings | None = None,
        config_path: Path | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        s = settings or get_settings()
        store = store or DefaultStore()  # the configured store, opened on first use
        self.store = store
        self.records = MonitorRecords(store)
        self.metrics = Metrics(store, clock=clock)
        path = config_path or s.monitor_config
        self._file_services = {c.name: c for c in load_config(path).services}
        self._guard = URLGuard(s.monitor_allowed_hosts, setting="MONITOR_ALLOWED_HOSTS")
        self._make_checker: Callable[[], Checker] = lambda: Checker(
            self._guard,
            concurrency=s.monitor_concurrency,
            transport=transport,
            ssl_context=ssl_context,
        )
        self._checker_instance: Checker | None = None
        self._now = clock or (lambda: datetime.now(UTC))

    @property
    def _checker(self) -> Checker:
        # Built on first use: its HTTP clients cost a TLS context each, and most ticks have
        # no check due.
        if self._checker_instance is None:
            self._checker_instance = self._make_checker()
        return self._checker_instance

    async def aclose(self) -> None:
        if self._checker_instance is not None:
            await self._checker_instance.aclose()

    # --- services ---

    async def services(self) -> list[ServiceCheck]:
        """Every declared service: the config file's, then the API's."""
        api = [c for c in await self.records.services() if c.name not in self._file_services]
        return sorted([*self._file_services.values(), *api], key=lambda c: c.name)

    async def service(self, name: str) -> ServiceCheck:
        for check in await self.services():
            if check.name == name:
                return check
        raise UnknownService(name)

    async def add_service(self, check: ServiceCheck, *, actor: str = "api") -> ServiceCheck:
        """Declare (or replace) a checked service. A URL the checks would refuse (a private
        or metadata address that MONITOR_ALLOWED_HOSTS does not allow) is refused now, with
        the reason, rather than failing every check later; a name that does not resolve yet
        is accepted (its checks will say so)."""
        if check.name in self._file_services:
            raise ServiceConflict(f"{check.name} is declared in the config file; change it there")
        if check.url is not None:
            await self._guard.check(check.url, unresolved_ok=True)
        await self.records.upsert_service(check, actor)
        return check

    async def remove_service(self, name: str) -> bool:
        if name in self._file_services:
            raise ServiceConflict(f"{name} is declared in the config file; remove it there")
        return await self.records.delete_service(name)

    # --- checks ---

    async def check_service_health(self, service: str = "api") -> ServiceHealth:
        """Check `service` now. A service that is not declared is a result too: status
        `unknown`, with the reason in `last_error`."""
        try:
            check = await self.service(service)
        except UnknownService as exc:
            return ServiceHealth(service, "unknown", None, None, exc.message, None, {})
        [result] = await self._run([check])
        return await self.health(service, result)

    async def run_due(self) -> dict[str, Any]:
        """Run every check whose interval has passed (the cron tick calls this)."""
        now = self._now()
        states = await self.records.states()
        due = []
        for check in await self.services():
            if check.paused:
                continue
            last = as_datetime(states.get(check.name, {}).get("last_check"))
            # A little slack, so a check every 60 s is not skipped by a tick that is early.
            if last is None or now - last >= timedelta(seconds=check.interval_seconds - 5):
                due.append(check)
        results = await self._run(due, states)
        return {
            "checked": len(results),
            "failed": sorted(r.service for r in results if not r.ok),
        }

    async def _run(
        self, checks: Sequence[ServiceCheck], states: dict[str, dict[str, Any]] | None = None
    ) -> list[CheckResult]:
        http = [c for c in checks if c.kind == "http"]
        beats = [c for c in checks if c.kind == "heartbeat"]
        now = self._now()
        # Dated by the tool's clock (scenario time in the sandbox), like everything it decides.
        results = [replace(r, at=now) for r in await self._checker.run(http)] if http else []
        if beats:
            states = states if states is not None else await self.records.states()
            results += [self._heartbeat_result(c, states.get(c.name, {})) for c in beats]
        by_name = {c.name: c for c in checks}
        await self.records.record([r.as_row(by_name[r.service]) for r in results])
        if results:
            await self._publish_metrics(results, by_name, now)
        return results

    async def _publish_metrics(
        self, results: Sequence[CheckResult], checks: dict[str, ServiceCheck], now: datetime
    ) -> None:
        """`check_success` (this check passed) and `service_up` (the service's state after the
        failure and success thresholds) per service, so alert rules can watch either. Alerting
        on `service_up` is what keeps a flapping check from paging."""
        states = await self.records.states()
        samples = []
        for r in results:
            check = checks[r.service]
            labels = {
                "service": check.name,
                **({"project": check.project} if check.project else {}),
            }
            up = states.get(check.name, {}).get("status") != "down"
            samples.append(Sample(name="check_success", value=float(r.ok), labels=labels, ts=now))
            samples.append(Sample(name="service_up", value=float(up), labels=labels, ts=now))
        await self.metrics.ingest(samples)

    def _heartbeat_result(self, check: ServiceCheck, state: dict[str, Any]) -> CheckResult:
        now = self._now()
        last = as_datetime(state.get("last_heartbeat"))
        late = last is None or now - last > timedelta(seconds=check.interval_seconds)
        error = None
        if late:
            error = "no heartbeat yet" if last is None else f"last heartbeat {last.isoformat()}"
        return CheckResult(check.name, now, ok=not late, error=error)

    async def heartbeat(self, name: str) -> dict[str, Any]:
        """Record a heartbeat from a push-checked service, and judge it at once."""
        check = await self.service(name)
        if check.kind != "heartbeat":
            raise NotAHeartbeat(f"{name} is not a heartbeat service")
        state = await self.records.heartbeat(name, self._now())
        result = self._heartbeat_result(check, state)
        changes = await self.records.record([result.as_row(check)])
        return {"service": name, "at": result.at.isoformat(), "changes": changes}

    # --- health ---

    async def recent_results(self, name: str, limit: int = 20) -> list[dict[str, Any]]:
        """The last `limit` check results of a service, newest first."""
        return await self.records.results(name, limit)

    async def health(self, name: str, result: CheckResult | None = None) -> ServiceHealth:
        state = (await self.records.states()).get(name, {})
        uptime = _by_window(await self.records.uptime(name, list(WINDOWS.values())), name)
        return ServiceHealth(
            service=name,
            status=state.get("status", "unknown"),
            since=as_datetime(state.get("since")),
            last_check=as_datetime(state.get("last_check")),
            last_error=state.get("last_error"),
            result=result,
            uptime=uptime,
        )

    async def overview(self) -> list[dict[str, Any]]:
        """Every service with its state and uptime over 1h, 24h and 7d (two queries in all)."""
        states = await self.records.states()
        rows = await self.records.uptime(None, list(WINDOWS.values()))
        out = []
        for check in await self.services():
            state = states.get(check.name, {})
            out.append(
                {
                    "service": check.name,
                    "kind": check.kind,
                    "url": check.url,
                    "status": state.get("status", "unknown"),
                    "since": state.get("since"),
                    "last_check": state.get("last_check"),
                    "last_error": state.get("last_error"),
                    "certificate_expires_at": state.get("certificate_expires_at"),
                    "paused": check.paused,
                    "uptime": _by_window(rows, check.name),
                }
            )
        return out

    async def uptime_bars(self, window: timedelta, bars: int) -> dict[str, list[float | None]]:
        """Each service's share of passing checks in `bars` equal slices of the last
        `window`, oldest first (None where it was not checked): an uptime bar."""
        step = max(60, int(window.total_seconds() // bars))
        end = self._now()
        start = end - timedelta(seconds=step * bars)
        out: dict[str, list[float | None]] = {}
        for row in await self.records.uptime_bars(start, end, step):
            bar = out.setdefault(row["service"], [None] * bars)
            if 0 <= row["bucket"] < bars and row["checks"]:
                bar[row["bucket"]] = row["ok"] / row["checks"]
        return out

    async def set_paused(self, name: str, paused: bool, *, actor: str = "api") -> ServiceCheck:
        """Pause (declared, not checked) or resume a service declared through the API."""
        check = (await self.service(name)).model_copy(update={"paused": paused})
        return await self.add_service(check, actor=actor)

    # --- metrics ---

    async def query(
        self, expr: str, time_range: str | timedelta = "1h", step: int = 60
    ) -> QueryResult:
        """Evaluate a metrics query (see `ops_agent.monitoring.query`)."""
        return await self.metrics.query(expr, time_range, step)

    async def add_custom_metric(
        self, name: str, query: str, *, description: str | None = None, actor: str = "api"
    ) -> dict[str, Any]:
        """Name a query; other queries, dashboards and alert rules can then use the name."""
        return await self.metrics.add_custom_metric(
            name, query, description=description, actor=actor
        )

    # --- system metrics ---

    async def get_system_metrics(self) -> dict[str, Any]:
        """CPU, memory, disk, load, network and process counts of this host."""
        from ops_agent.monitoring.system import system_metrics

        return system_metrics()
