"""`ops-agent demo`: a scenario end to end on a throwaway embedded store, told as a timeline.

No credentials and no network: the store and KV are an embedded Postgres and Redis in a
temporary folder, Vercel is the sandbox, and notifications go to a local webhook receiver that
verifies their signatures (and to the console).
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from ops_agent.kv.embedded import stop_embedded_redis
from ops_agent.sandbox.result import ScenarioResult
from ops_agent.sandbox.runner import run_scenario
from ops_agent.sandbox.scenarios import SCENARIOS
from ops_agent.sandbox.vercel import Plan
from ops_agent.settings import Settings
from ops_agent.store.embedded import stop_embedded_postgres

TARGETS = {"mttd_seconds": 300, "mttr_seconds": 900}


def demo_settings(settings: Settings, data_dir: Path) -> Settings:
    """The embedded default in `data_dir`, whatever the environment points at."""
    return settings.model_copy(
        update={
            "ops_agent_data_dir": data_dir,
            "supabase_url": None,
            "supabase_service_role_key": None,
            "database_url": None,
            "upstash_redis_rest_url": None,
            "upstash_redis_rest_token": None,
            "redis_url": None,
            "log_level": "WARNING",
        }
    )


def _line(event: dict[str, Any]) -> str:
    detail = {k: v for k, v in event.items() if k not in ("at", "t", "what")}
    text = " ".join(f"{k}={v}" for k, v in detail.items() if v is not None)
    return f"{event['t']}  {event['what']:<24} {text}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    return f"{int(seconds) // 60}m{int(seconds) % 60:02d}s"


def summary(result: ScenarioResult) -> list[str]:
    d = result.as_dict()
    return [
        f"as expected      {'yes' if met(result) else 'NO'}",
        f"MTTD  {_duration(d['mttd_seconds'])} (target under 5m)",
        f"MTTR  {_duration(d['mttr_seconds'])} (target under 15m)",
        f"auto-fixed       {'yes' if d['auto_fixed'] else 'no'}",
        f"rolled back to   {d['rolled_back_to'] or '-'}",
        f"false positives  {d['false_positives']}",
        f"notifications    {len(d['notifications'])} sent, signatures verified by the receiver: "
        + (", ".join(n["kind"] for n in d["notifications"]) or "none"),
        f"hand-offs        {', '.join(h['to'] for h in d['handoffs']) or 'none'}",
    ]


async def run_demo(
    settings: Settings,
    names: list[str],
    *,
    as_json: bool,
    out: TextIO = sys.stdout,
    plan: Plan = "pro",
) -> int:
    """Run the named scenarios as a team on `plan` would live them (see `run_scenario`);
    print each timeline and summary (or JSON). 0 when every scenario met its expectations."""
    results: list[ScenarioResult] = []
    with tempfile.TemporaryDirectory(prefix="ops-agent-demo-") as tmp:
        try:
            await _run_all(settings, Path(tmp), names, as_json, out, plan, results)
        finally:
            # The throwaway store's and KV's servers must stop before their folder goes.
            stop_embedded_postgres(Path(tmp))
            stop_embedded_redis(Path(tmp))
    if as_json:
        payload = [{**r.as_dict(), "as_expected": met(r)} for r in results]
        print(json.dumps(payload[0] if len(payload) == 1 else payload, default=str), file=out)
    return 0 if all(met(r) for r in results) else 1


async def _run_all(
    settings: Settings,
    tmp: Path,
    names: list[str],
    as_json: bool,
    out: TextIO,
    plan: Plan,
    results: list[ScenarioResult],
) -> None:
    s = demo_settings(settings, tmp)
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    for i, name in enumerate(names):
        scenario = SCENARIOS[name]
        if not as_json:
            print(
                f"\n== {scenario.title} ({plan} plan; scenario time, a minute per step)\n",
                file=out,
            )

        def show(event: dict[str, Any]) -> None:
            if not as_json:
                print(_line(event), file=out, flush=True)

        result = await run_scenario(
            scenario,
            s,
            start=start + timedelta(hours=2 * i),
            on_event=show,
            quiet=True,
            plan=plan,
        )
        results.append(result)
        if not as_json:
            print("", file=out)
            for text in summary(result):
                print(f"  {text}", file=out)


def met(result: ScenarioResult) -> bool:
    """Whether the agent did what the scenario expects of it."""
    scenario = SCENARIOS[result.scenario]
    d = result.as_dict()
    if result.false_positives or result.paged != scenario.expect_page:
        return False
    if not scenario.fixable:
        return True
    return bool(
        result.auto_fixed
        and (d["mttd_seconds"] or 0) < TARGETS["mttd_seconds"]
        and (d["mttr_seconds"] or 0) < TARGETS["mttr_seconds"]
    )
