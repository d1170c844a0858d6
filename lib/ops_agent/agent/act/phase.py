"""Act: carry out what decide chose. Failed builds are diagnosed and a transient one is
redeployed (or handed to the Dev Agent); anomalies run their bound playbooks; firing alerts
get their plans under the guards; approved actions run and are verified. Each observation
is consumed once it was handled."""

from __future__ import annotations

import logging
from typing import Any

from ops_agent.agent.act.decide import Decisions
from ops_agent.agent.act.engine import RemediationEngine
from ops_agent.agent.act.tools import Tools
from ops_agent.observations import ObservationLog

log = logging.getLogger(__name__)


async def act(tools: Tools, decisions: Decisions) -> dict[str, Any]:
    engine = RemediationEngine(tools)
    observations = ObservationLog(tools.store)
    builds, handled, errors = [], [], 0
    for obs in decisions.builds:
        try:
            builds.append(await engine.on_failed_build(obs))
            handled.append(obs.id or 0)
        except Exception as exc:  # Vercel down, say: leave it pending for the next tick
            log.warning("failed build %s not handled: %s", obs.subject, exc)
            errors += 1
    anomalies = [await engine.on_anomaly(obs, b) for obs, b in decisions.anomaly_plans]
    await observations.consume(handled + [o.id or 0 for o in decisions.anomalies])
    remediation = await engine.act(decisions.candidates, decisions.held)
    return {
        "remediation": remediation,
        "builds": {"decisions": builds, "errors": errors},
        "anomalies": anomalies,
    }
