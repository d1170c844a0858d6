"""Auto-remediation: playbooks, guards, approval, verification."""

from ops_agent.agent.act.engine import RemediationEngine
from ops_agent.agent.act.guards import Policy, Recent, guard

__all__ = ["Policy", "Recent", "RemediationEngine", "guard"]
