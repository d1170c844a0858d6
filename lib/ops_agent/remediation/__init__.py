"""Auto-remediation: playbooks, guards, approval, verification."""

from ops_agent.remediation.engine import RemediationEngine
from ops_agent.remediation.guards import Policy, Recent, guard

__all__ = ["Policy", "Recent", "RemediationEngine", "guard"]
