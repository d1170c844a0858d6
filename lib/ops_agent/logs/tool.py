"""LogAnalysisTool: drain ingest, search, error patterns and anomalies over stored logs."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ops_agent.cursor import decode_cursor, encode_cursor
from ops_agent.histogram import histogram_quantile
from ops_agent.logs import traces
from ops_agent.logs.anomalies import (
    Anomaly,
    DeploymentMark,
    Onset,
    rate_shift,
    recent_onset,
    suspect_deployment,
)
from ops_agent.logs.entries import Rejected, may_be_dirty, parse_items, split_items
from ops_agent.logs.knowledge import diagnose
from ops_agent.logs.mining import TemplateMiner, render
from ops_agent.logs.query import Node, Token, all_of, field_node, parse
from ops_agent.logs.records import LogRecords
from ops_agent.logs.timerange import bucket_for, parse_range
from ops_agent.observations import AnomalyKind
from ops_agent.results import Indexable
from ops_agent.store import Store
from ops_agent.store.default import DefaultStore
from ops_agent.timestamps import as_datetime

MINED_PREFIX = 4096  # the start of a message is what makes its template
SUSPECT_WINDOW = timedelta(minutes=30)
# Entries stamped a little ahead of our clock (Vercel's clock, or ours, is off) still show up.
CLOCK_SKEW = timedelta(minutes=5)
KEPT = timedelta(days=14)  # LOG_RETENTION_DAYS' default
# A delivery is stored this many entries per statement, the next batch parsed and mined while
# one is stored; parsing lets the event loop run (to send the batch being stored) every slice.
STORED_BATCH = 1000
PARSE_SLICE = 25
# What makes a change an incident, beyond the detector's alert: a spike of errors reaches at
# least 10 in a bucket and three times what was expected ("from 0 to 4" is not one); traffic
# falls below half of what was expected; p95 latency rises by half.
SPIKE: dict[str, Any] = {"direction": 1, "min_peak": 10.0, "min_ratio": 3.0}
DROP: dict[str, Any] = {"direction": -1, "min_ratio": 2.0}
SLOWER: dict[str, Any] = {"direction": 1, "min_ratio": 1.5}


@dataclass
class IngestReport:
    received: int
    accepted: int
    duplicates: int
    rejected: list[Rejected] = field(default_factory=list)
    templates_changed: int = 0
    projects: set[str] = field(default_factory=set)  # names and ids of the entries' projects

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "rejections": [{"index": r.index, "reason": r.reason} for r in self.rejected[:20]],
            "templates_changed": self.templates_changed,
        }


@dataclass
class TraceReport:
    received: int  # request spans in the delivery
    accepted: int  # rolled up now
    duplicates: int  # delivered before
    skipped: int  # spans that are not requests
    projects: list[str] = field(default_factory=list)  # the project labels rolled up

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "projects": self.projects,
        }


@dataclass
class SearchPage(Indexable):
    hits: list[dict[str, Any]]
    next_cursor: str | None
    start: datetime
    end: datetime


@dataclass
class Pattern(Indexable):
    template_id: str
    template: str
    count: int
    trend: list[int]
    growth: float
    first_seen: datetime
    last_seen: datetime
    new: bool
    deployments: list[str]
    paths: list[str]
    samples: list[str]
    levels: dict[str, int]
    cause: str | None = None
    fix: str | None = None
    diagnosis: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = self.__dict__.copy()
        out["first_seen"] = self.first_seen.isoformat()
        out["last_seen"] = self.last_seen.isoformat()
        out["growth"] = round(self.growth, 2)
        return out


class LogAnalysisTool:
    """Logs of the apps the agent looks after, in the agent's store."""

    def __init__(
        self, store: Store | None = None, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        store = store or DefaultStore()  # the configured store, opened on first use
        self.store = store
        self.records = LogRecords(store)
        self._miner = TemplateMiner()
        self._version = 0
        self._lock = asyncio.Lock()
        self._now = clock or (lambda: datetime.now(UTC))

    # --- ingest ---

    async def ingest_delivery(self, body: bytes, *, kept: timedelta = KEPT) -> IngestReport:
        """Parse a drain delivery (JSON array or NDJSON, already decompressed) and store it.
        Entries stamped older than `kept` (what retention would purge: a replay, or a backlog
        nobody will read) or an hour ahead of the clock are rejected, with the reason.

        A large delivery is stored STORED_BATCH entries at a time, in order: while one batch is
        stored, the next is parsed and mined, so the database's time and ours overlap. Each
        batch is idempotent, as a whole delivery is: if one fails, those before it stay stored,
        and the sender's retry skips them.

        Raises `DeliveryError` when the body is no delivery at all (before storing anything)."""
        items, rejected = split_items(body)
        now, dirty = self._now(), may_be_dirty(body)

        async def batches() -> AsyncIterator[list[dict[str, Any]]]:
            for start in range(0, len(items), STORED_BATCH):
                end = min(start + STORED_BATCH, len(items))
                rows: list[dict[str, Any]] = []
                for first in range(start, end, PARSE_SLICE):
                    await asyncio.sleep(0)  # the batch being stored goes on being sent
                    part = parse_items(
                        items[first : min(first + PARSE_SLICE, end)],
                        now=now,
                        oldest=kept,
                        dirty=dirty,
                    )
                    rows += part.rows
                    rejected.extend(part.rejected)
                yield rows

        report = await self._ingest_batches(batches())
        report.received += len(rejected)
        report.rejected = sorted(rejected, key=lambda r: r.index)
        return report

    async def ingest_traces(self, body: bytes, content_type: str | None) -> TraceReport:
        """Decode a trace drain delivery (OTLP JSON or protobuf, already decompressed) and roll
        its server spans up into the per-minute metrics, each span once.

        Raises `DeliveryError` when the body is no OTLP export."""
        batch = traces.read(body, content_type)
        if not batch.rows:
            return TraceReport(received=0, accepted=0, duplicates=0, skipped=batch.skipped)
        result = await self.records.ingest_spans(batch.rows)
        return TraceReport(
            received=int(result["received"]),
            accepted=int(result["accepted"]),
            duplicates=int(result["duplicates"]),
            skipped=batch.skipped,
            projects=[str(p) for p in result.get("projects") or []],
        )

    async def ingest(self, rows: list[dict[str, Any]]) -> IngestReport:
        """Mine the rows' templates and store rows and templates in one round trip. Rows whose
        id is stored already are skipped."""

        async def one() -> AsyncIterator[list[dict[str, Any]]]:
            yield rows

        return await self._ingest_batches(one())

    async def _ingest_batches(self, batches: AsyncIterator[list[dict[str, Any]]]) -> IngestReport:
        """Mine and store each batch of rows, in order, one store call each; the next batch is
        made and mined while one is stored, and it is stored once that one is (a template a
        batch makes is in the store before a later batch counts lines into it)."""
        report = IngestReport(0, 0, 0)
        storing: asyncio.Future[dict[str, int]] | None = None
        async with self._lock:
            await self._sync()
            try:
                async for batch in batches:
                    if not batch:
                        continue
                    report.received += len(batch)
                    rows = list({row["id"]: row for row in reversed(batch)}.values())[::-1]
                    templates = self._mine(rows)
                    report.templates_changed += len(templates)
                    report.projects |= {
                        str(p)
                        for r in rows
                        for p in (r.get("project_name"), r.get("project_id"))
                        if p
                    }
                    if storing is not None:
                        report.accepted += (await storing)["inserted"]
                    storing = asyncio.ensure_future(self.records.ingest(rows, templates))
                if storing is not None:
                    report.accepted += (await storing)["inserted"]
            except BaseException:
                if storing is not None and not storing.done():
                    storing.cancel()
                elif storing is not None and not storing.cancelled():
                    storing.exception()  # retrieved: the error raised here is the one to report
                # What this miner learnt may not be stored; start again from the store.
                self._miner, self._version = TemplateMiner(), 0
                raise
        report.duplicates = report.received - report.accepted
        return report

    def _mine(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Set each row's template id; the templates made or merged since the last call."""
        miner = self._miner
        ids = [miner.add(r["message"][:MINED_PREFIX]) if r["message"] else None for r in rows]
        for row, tid in zip(rows, ids, strict=True):
            row["template_id"] = miner.resolve(tid) if tid else None
        return [
            {
                "id": t.id,
                "tokens": t.tokens,
                "template": render(t.tokens)[:2000],
                "merged_into": t.merged_into,
            }
            for t in miner.take_changes()
        ]

    async def _sync(self) -> None:
        """Learn the templates other instances stored since we last looked."""
        while True:
            states, version = await self.records.template_changes(self._version)
            if states:
                self._miner.load(states)
                self._miner.take_changes()  # they are stored already
            self._version = version
            if len(states) < 5000:
                return

    async def purge_older_than(self, days: int, *, budget_batches: int = 20) -> int:
        """Delete entries older than `days`, in bounded batches; return how many."""
        cutoff = self._now() - timedelta(days=days)
        deleted = 0
        for _ in range(budget_batches):
            n = await self.records.purge(cutoff)
            deleted += n
            if n < 5000:
                break
        return deleted

    # --- search ---

    async def search_logs(
        self,
        query: str = "",
        time_range: str | timedelta = "1h",
        severity: str | None = None,
        project: str | None = None,
        deployment: str | None = None,
        source: str | None = None,
        path: str | None = None,
        status: str | int | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> SearchPage:
        """Entries matching `query` (see `ops_agent.logs.query`) and the filters, newest
        first. Raises QuerySyntaxError for a bad query and ValueError for a bad filter."""
        span = parse_range(time_range)
        now = self._now()
        start, end = now - span, now + CLOCK_SKEW
        extra = [
            _filter("level", f">={severity}" if severity else None),
            _filter("project", project),
            _filter("deployment", deployment),
            _filter("source", source),
            _filter("path", path),
            _filter("status", str(status) if status is not None else None),
        ]
        tree = all_of(parse(query), *extra)
        before = decode_cursor(cursor) if cursor else None
        limit = max(1, min(limit, 1000))
        hits = await self.records.search(tree, start, end, limit=limit, before=before)
        next_cursor = None
        if len(hits) == limit:
            last = hits[-1]
            next_cursor = encode_cursor(datetime.fromisoformat(last["ts"]), last["id"])
        return SearchPage(hits=hits, next_cursor=next_cursor, start=start, end=end)

    # --- patterns ---

    async def analyze_error_patterns(
        self,
        time_range: str | timedelta = "24h",
        project: str | None = None,
        min_level: str = "warning",
        limit: int = 20,
    ) -> list[Pattern]:
        """Recurring problems (warning and worse, and 5xx), ranked by count and growth, each
        with its trend, deployments, paths, samples, and a likely cause and fix."""
        span = parse_range(time_range)
        end = self._now()
        start = end - span
        bucket = bucket_for(span)
        rows = await self.records.patterns(
            start,
            end,
            project=project,
            min_level=min_level,
            bucket_seconds=bucket,
            limit=max(limit * 3, 30),
        )
        n_buckets = math.ceil(span.total_seconds() / bucket)
        patterns = [pattern_from(row, n_buckets, start) for row in rows]
        patterns.sort(key=lambda p: p.count * max(1.0, p.growth), reverse=True)
        return patterns[:limit]

    # --- anomalies ---

    async def detect_anomalies(
        self, time_range: str | timedelta = "1h", project: str | None = None
    ) -> list[Anomaly]:
        """What changed in the last `time_range` against the history before it: error and
        template spikes, templates never seen before, 5xx rate and latency shifts. Each
        anomaly names the deployment that went live shortly before it started, if one did."""
        span = parse_range(time_range)
        bucket = bucket_for(span)
        end = self._now()
        history = max(span * 12, timedelta(days=3))
        start = end - span - history
        recent = math.ceil(span.total_seconds() / bucket)
        n = math.ceil((end - start).total_seconds() / bucket)
        rows = await self.records.series(start, end, project=project, bucket_seconds=bucket)
        latency = await self.records.latency_series(
            start, end, project=project, bucket_seconds=bucket
        )
        by_bucket = {int(r["bucket"]): r for r in rows}
        for r in latency:
            p95 = histogram_quantile(0.95, r["buckets"])
            entry = by_bucket.setdefault(int(r["bucket"]), {"bucket": r["bucket"]})
            entry["p95_ms"] = p95
        rows = list(by_bucket.values())
        series = _dense(rows, n)
        marks = await self._deployments(project, start)

        def at(index: int) -> datetime:
            return start + timedelta(seconds=index * bucket)

        times = [start.timestamp() + i * bucket for i in range(n)]
        found: list[Anomaly] = []
        # Counts per bucket: errors that rise, requests that fall (a site going quiet).
        counts: tuple[tuple[AnomalyKind, str, dict[str, Any]], ...] = (
            ("error_spike", "errors", SPIKE),
            ("traffic_drop", "requests", DROP),
        )
        for kind, name, guards in counts:
            onset = recent_onset(times, series[name], recent, kind="count", **guards)
            if onset:
                started = at(onset.index)
                found.append(
                    Anomaly(
                        kind=kind,
                        subject=name,
                        score=onset.score,
                        started_at=started,
                        summary=f"{onset.peak:.0f} {name} per {bucket // 60} min against an "
                        f"expected {onset.expected:.0f}",
                        evidence=_onset_evidence(onset, bucket),
                        suspected_deployment=suspect_deployment(started, marks, SUSPECT_WINDOW),
                    )
                )
        found += self._rate_anomalies(series, times, recent, at, marks)
        found += await self._template_anomalies(
            start, end, span, bucket, recent, times, project, marks, at
        )
        found.sort(key=lambda a: a.score, reverse=True)
        return found

    def _rate_anomalies(
        self,
        series: dict[str, list[float]],
        times: list[float],
        recent: int,
        at: Callable[[int], datetime],
        marks: Sequence[DeploymentMark],
    ) -> list[Anomaly]:
        out = []
        hist, now = slice(None, -recent), slice(-recent, None)
        shift = rate_shift(
            sum(series["server_errors"][hist]),
            sum(series["requests"][hist]),
            sum(series["server_errors"][now]),
            sum(series["requests"][now]),
        )
        if shift:
            first = len(series["requests"]) - recent
            for i in range(first, len(series["requests"])):
                req = series["requests"][i]
                if req and series["server_errors"][i] / req >= 2 * shift.before + 0.01:
                    first = i
                    break
            started = at(first)
            out.append(
                Anomaly(
                    kind="server_error_rate",
                    subject="5xx",
                    score=shift.z,
                    started_at=started,
                    summary=f"5xx rate {shift.after:.1%} against a usual {shift.before:.1%}",
                    evidence={"before": shift.before, "after": shift.after, "z": round(shift.z, 2)},
                    suspected_deployment=suspect_deployment(started, marks, SUSPECT_WINDOW),
                )
            )
        p95 = [v or None for v in series["p95_ms"]]  # no requests, no latency
        latency = recent_onset(times, p95, recent, kind="gauge", **SLOWER)
        if latency:
            started = at(latency.index)
            out.append(
                Anomaly(
                    kind="latency",
                    subject="p95_ms",
                    score=latency.score,
                    started_at=started,
                    summary=f"p95 latency {latency.peak:.0f} ms against an expected "
                    f"{latency.expected:.0f} ms",
                    evidence={"before_ms": latency.expected, "after_ms": latency.peak},
                    suspected_deployment=suspect_deployment(started, marks, SUSPECT_WINDOW),
                )
            )
        return out

    async def _template_anomalies(
        self,
        start: datetime,
        end: datetime,
        span: timedelta,
        bucket: int,
        recent: int,
        times: list[float],
        project: str | None,
        marks: Sequence[DeploymentMark],
        at: Callable[[int], datetime],
    ) -> list[Anomaly]:
        window_start = end - span
        top = await self.records.patterns(
            window_start,
            end,
            project=project,
            min_level="warning",
            bucket_seconds=bucket,
            limit=15,
        )
        if not top:
            return []
        ids = [row["template_id"] for row in top]
        counts = await self.records.template_series(
            ids, start, end, project=project, bucket_seconds=bucket
        )
        n = math.ceil((end - start).total_seconds() / bucket)
        out = []
        for row in top:
            tid = row["template_id"]
            first_ever = as_datetime(row.get("first_seen_ever")) or as_datetime(row["first_seen"])
            assert first_ever is not None
            if first_ever >= window_start and row["count"] >= 3:
                suspect = suspect_deployment(first_ever, marks, SUSPECT_WINDOW)
                out.append(
                    Anomaly(
                        kind="new_template",
                        subject=tid,
                        score=min(50.0, 5.0 + 5.0 * math.log2(row["count"])),
                        started_at=first_ever,
                        summary=f"new message {row['template']!r} seen {row['count']} times",
                        evidence={
                            "template": row["template"],
                            "count": row["count"],
                            "deployments": row.get("deployments") or [],
                            "samples": row.get("samples") or [],
                        },
                        suspected_deployment=suspect,
                    )
                )
                continue
            buckets = counts.get(tid, {})
            values = [float(buckets.get(str(i), 0)) for i in range(n)]
            spike = recent_onset(times, values, recent, kind="count", **SPIKE)
            if spike:
                started = at(spike.index)
                out.append(
                    Anomaly(
                        kind="template_spike",
                        subject=tid,
                        score=spike.score,
                        started_at=started,
                        summary=f"{row['template']!r}: {spike.peak:.0f} per {bucket // 60} min "
                        f"against an expected {spike.expected:.0f}",
                        evidence={"template": row["template"], **_onset_evidence(spike, bucket)},
                        suspected_deployment=suspect_deployment(started, marks, SUSPECT_WINDOW),
                    )
                )
        return out

    async def _deployments(self, project: str | None, since: datetime) -> list[DeploymentMark]:
        from ops_agent.deployments.records import DeploymentHistory

        rows = await DeploymentHistory(self.store).list(
            project=project, since=since - SUSPECT_WINDOW, limit=500
        )
        return [
            DeploymentMark(r.id, r.ready_at or r.created_at, r.url)
            for r in rows
            if r.state in ("READY", None)
        ]


def _filter(name: str, value: str | None) -> Node | None:
    if value is None or value == "":
        return None
    return field_node(Token("field", value, 0, field=name))


def _dense(rows: Sequence[dict[str, Any]], n: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {
        k: [0.0] * n for k in ("total", "errors", "requests", "server_errors", "p95_ms")
    }
    for row in rows:
        i = int(row["bucket"])
        if 0 <= i < n:
            for k in out:
                out[k][i] = float(row.get(k) or 0.0)
    return out


def _onset_evidence(onset: Onset, bucket: int) -> dict[str, Any]:
    return {
        "bucket_seconds": bucket,
        "expected": round(onset.expected, 2),
        "peak": onset.peak,
        "deviations": round(onset.score, 1),
    }


def pattern_from(row: dict[str, Any], n_buckets: int, start: datetime) -> Pattern:
    """A `Pattern` from an `ops_log_patterns` row: trend, growth, novelty and diagnosis."""
    buckets = row.get("buckets") or {}
    trend = [int(buckets.get(str(i), 0)) for i in range(n_buckets)]
    half = n_buckets // 2
    growth = (sum(trend[half:]) + 1) / (sum(trend[:half]) + 1) if n_buckets > 1 else 1.0
    samples = [str(s) for s in row.get("samples") or []]
    template = row.get("template") or ""
    found = diagnose(template, *samples)
    first_ever = as_datetime(row.get("first_seen_ever")) or as_datetime(row["first_seen"])
    first_seen = as_datetime(row["first_seen"])
    last_seen = as_datetime(row["last_seen"])
    assert first_seen is not None and last_seen is not None
    return Pattern(
        template_id=row["template_id"],
        template=template,
        count=int(row["count"]),
        trend=trend,
        growth=growth,
        first_seen=first_seen,
        last_seen=last_seen,
        new=bool(first_ever and first_ever >= start),
        deployments=list(row.get("deployments") or []),
        paths=list(row.get("paths") or []),
        samples=samples,
        levels={k: int(v) for k, v in (row.get("levels") or {}).items()},
        cause=found.cause if found else None,
        fix=found.fix if found else None,
        diagnosis=found.key if found else None,
    )
