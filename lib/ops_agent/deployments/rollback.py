"""Which deployment a rollback goes to: a pure decision over what Vercel reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ops_agent.errors import Conflict, NotConfigured, Problem
from ops_agent.vercel.models import Deployment, DeploymentState


class DeploymentRefused(Conflict):
    """The agent will not do this, and says why (no earlier good deployment, ...): 409, or
    503 when Vercel is not configured here."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message, code=code)
        self.code = code

    def problem(self) -> Problem:
        if self.code == "vercel_not_configured":
            return NotConfigured(self.message, code=self.code).problem()
        return super().problem()


@dataclass(frozen=True)
class RollbackPlan:
    project_id: str
    current: str | None
    target: Deployment


def plan_rollback(
    *,
    project_id: str,
    current: str | None,
    candidates: Sequence[Deployment],
    away_from: str | None = None,
    to: str | None = None,
) -> RollbackPlan:
    """Choose the deployment production should serve after a rollback.

    `candidates` are the project's production deployments, newest first. `current` is what
    production serves now. A deployment Vercel marks `isRollbackCandidate: false` is never
    chosen (on Hobby only the previous production deployment is one). `away_from` names a bad
    deployment (it must be the one serving); `to` names the deployment to go back to (it must
    be an earlier READY production one). Without `to`, the newest READY production deployment
    older than the current one wins.
    Raises `DeploymentRefused` when there is nothing safe to go to.
    """
    by_id = {d.id: d for d in candidates}
    serving = current or away_from
    if away_from is not None and current is not None and away_from != current:
        raise DeploymentRefused(
            f"{away_from} is not serving production (it is {current}); nothing to roll back",
            code="not_serving",
        )
    if to is not None:
        chosen = by_id.get(to)
        if chosen is None or chosen.state is not DeploymentState.READY:
            raise DeploymentRefused(
                f"{to} is not a READY production deployment of this project",
                code="not_a_candidate",
            )
        if to == serving:
            raise DeploymentRefused(f"{to} is already serving production", code="already_serving")
        if chosen.is_rollback_candidate is False:
            raise DeploymentRefused(
                f"Vercel does not allow rolling back to {to}; on the Hobby plan only the "
                "previous production deployment can be restored",
                code="not_a_rollback_candidate",
            )
        return RollbackPlan(project_id=project_id, current=serving, target=chosen)
    serving_created = by_id[serving].created_at if serving in by_id else None
    skipped = 0
    for deployment in candidates:
        if deployment.id == serving or deployment.state is not DeploymentState.READY:
            continue
        if deployment.is_rollback_candidate is False:
            skipped += 1
            continue
        if (
            serving_created is not None
            and deployment.created_at is not None
            and deployment.created_at >= serving_created
        ):
            continue
        return RollbackPlan(project_id=project_id, current=serving, target=deployment)
    if skipped:
        raise DeploymentRefused(
            "Vercel offers no rollback candidate: the earlier READY production deployments "
            "cannot be restored (on the Hobby plan only the previous one can, once)",
            code="no_rollback_candidate",
        )
    raise DeploymentRefused(
        "there is no earlier READY production deployment to roll back to",
        code="no_earlier_deployment",
    )
