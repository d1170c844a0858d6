"""AlertManagementTool: rules, lifecycle, grouping, silences, escalation, incidents, KPIs."""

from ops_agent.alerts.matching import MaintenanceWindow, Matcher, Silence
from ops_agent.alerts.rules import AlertRule, RuleError
from ops_agent.alerts.situation import Situation
from ops_agent.alerts.tool import (
    AlertManagementTool,
    EvaluationReport,
    RuleConflict,
    UnknownAlert,
)

__all__ = [
    "AlertManagementTool",
    "AlertRule",
    "EvaluationReport",
    "MaintenanceWindow",
    "Matcher",
    "RuleConflict",
    "RuleError",
    "Silence",
    "Situation",
    "UnknownAlert",
]
