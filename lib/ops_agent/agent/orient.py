"""Orient: make sense of what was observed. Evidence (Sentry events, releases, service
changes) joins the timeline of the open incident of its project; the alert rules are
evaluated (fire, resolve, notify, remind, escalate), which hands back the `Situation` that
decide reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ops_agent.alerts import EvaluationReport
from ops_agent.observations import Observation, ObservationLog
from ops_agent.runtime import Runtime


@dataclass
class Oriented:
    evaluation: EvaluationReport
    evidence_attached: int = 0

    def summary(self) -> dict[str, Any]:
        return {"alerts": self.evaluation.as_dict(), "evidence": self.evidence_attached}


async def orient(runtime: Runtime, evidence: Sequence[Observation]) -> Oriented:
    attached = await attach_evidence(runtime, evidence)
    return Oriented(await (await runtime.alerts()).evaluate(), attached)


async def attach_evidence(runtime: Runtime, pending: Sequence[Observation]) -> int:
    """Attach each observation to the open incident of the project it concerns; consume them.
    Returns how many were attached."""
    if not pending:
        return 0
    alerts = await runtime.alerts()
    incidents = await alerts.incidents("open", limit=100)
    services = (
        {s.name: s.project for s in await (await runtime.monitoring()).services()}
        if incidents and any(o.kind.startswith("service.") for o in pending)
        else {}
    )
    attached = 0
    for obs in pending:
        p = obs.payload
        project = p.get("project_name") or p.get("project_id") or services.get(obs.subject or "")
        for incident in incidents:
            if project and f"project={project}" in str(incident.get("group_key") or "").split("|"):
                await alerts.add_to_timeline(
                    incident.id,
                    "evidence",
                    obs.kind.split(".")[0],
                    {
                        "observed": obs.kind,
                        "subject": obs.subject,
                        "title": p.get("title") or p.get("commit_message") or p.get("error"),
                        "url": p.get("url"),
                        "deployment_id": p.get("deployment_id")
                        or (obs.subject if obs.kind.startswith("deployment.") else None),
                    },
                )
                attached += 1
    await ObservationLog(await runtime.store()).consume([o.id or 0 for o in pending])
    return attached
