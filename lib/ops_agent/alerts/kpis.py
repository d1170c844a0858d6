"""The reliability figures, each with how it is computed. Pure."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from ops_agent.timestamps import as_datetime


def _minutes(start: Any, end: Any) -> float | None:
    a, b = as_datetime(start), as_datetime(end)
    if a is None or b is None:
        return None
    return max(0.0, (b - a).total_seconds() / 60)


def _mean(values: Sequence[float | None]) -> tuple[float | None, int]:
    present = [v for v in values if v is not None]
    return (round(statistics.fmean(present), 2) if present else None), len(present)


def false_positive(alert: Mapping[str, Any]) -> bool:
    """Resolved as a false positive, or resolved without any action after firing for less
    than the rule's `for`."""
    if alert.get("false_positive"):
        return True
    if alert.get("state") != "resolved" or alert.get("actions"):
        return False
    firing_minutes = _minutes(alert.get("firing_since"), alert.get("resolved_at"))
    return firing_minutes is not None and firing_minutes * 60 < int(alert.get("for_seconds") or 0)


def compute(
    alerts: Sequence[Mapping[str, Any]],
    deployment_success: float | None,
    deployments: int,
    window_days: float,
) -> dict[str, Any]:
    """MTTD, MTTA, MTTR, auto-fix rate, false-positive rate, deployment success and alert
    volume, over the alerts that fired in the window."""
    fired = [a for a in alerts if a.get("fired")]
    real = [a for a in fired if not false_positive(a)]
    resolved = [a for a in real if a.get("state") == "resolved"]
    needed_action = [a for a in resolved if a.get("actions")]
    auto_fixed = [a for a in needed_action if a.get("auto_actions")]
    mttd, n_d = _mean([_minutes(a.get("onset_at"), a.get("firing_since")) for a in real])
    mtta, n_a = _mean([_minutes(a.get("firing_since"), a.get("acknowledged_at")) for a in real])
    mttr, n_r = _mean([_minutes(a.get("firing_since"), a.get("resolved_at")) for a in resolved])
    volume: dict[str, int] = {}
    for a in fired:
        volume[a["severity"]] = volume.get(a["severity"], 0) + 1
    fp = len(fired) - len(real)

    def figure(value: Any, n: int, how: str, target: float | None = None) -> dict[str, Any]:
        out = {"value": value, "n": n, "how": how}
        if target is not None:
            out["target"] = target
        return out

    auto_fix = round(len(auto_fixed) / len(needed_action), 4) if needed_action else None
    return {
        "window_days": window_days,
        "mttd_minutes": figure(
            mttd, n_d, "mean of (firing_since - onset_at): first bad sample to alert firing", 5
        ),
        "mtta_minutes": figure(
            mtta, n_a, "mean of (acknowledged_at - firing_since) over acknowledged alerts"
        ),
        "mttr_minutes": figure(
            mttr,
            n_r,
            "mean of (resolved_at - firing_since) over resolved alerts that were not false "
            "positives",
            15,
        ),
        "auto_fix_rate": figure(
            auto_fix,
            len(needed_action),
            "resolved alerts that needed an action, where the agent took one / all resolved "
            "alerts that needed an action",
            0.8,
        ),
        "false_positive_rate": figure(
            round(fp / len(fired), 4) if fired else None,
            len(fired),
            "alerts resolved as false positive, or resolved without any action after firing "
            "for less than their `for` / all fired alerts",
            0.05,
        ),
        "deployment_success_rate": figure(
            deployment_success,
            deployments,
            "READY / (READY + ERROR) over deployments created in the window; canceled excluded",
            0.95,
        ),
        "alert_volume": figure(volume, len(fired), "alerts that fired in the window, per severity"),
    }
