"""Auto-remediation: playbooks, guards, approval, verification."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ops_agent.lazy import exports

if TYPE_CHECKING:
    from ops_agent.agent.act.engine import RemediationEngine
    from ops_agent.agent.act.guards import Policy, Recent, guard

__all__ = ["Policy", "Recent", "RemediationEngine", "guard"]
__getattr__ = exports(
    __name__,
    {
        "Policy": "ops_agent.agent.act.guards",
        "Recent": "ops_agent.agent.act.guards",
        "RemediationEngine": "ops_agent.agent.act.engine",
        "guard": "ops_agent.agent.act.guards",
    },
)
