"""AlertManagementTool: rules, lifecycle, grouping, silences, escalation, incidents, KPIs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ops_agent.lazy import exports

if TYPE_CHECKING:
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
__getattr__ = exports(
    __name__,
    {
        "AlertManagementTool": "ops_agent.alerts.tool",
        "AlertRule": "ops_agent.alerts.rules",
        "EvaluationReport": "ops_agent.alerts.tool",
        "MaintenanceWindow": "ops_agent.alerts.matching",
        "Matcher": "ops_agent.alerts.matching",
        "RuleConflict": "ops_agent.alerts.tool",
        "RuleError": "ops_agent.alerts.rules",
        "Silence": "ops_agent.alerts.matching",
        "Situation": "ops_agent.alerts.situation",
        "UnknownAlert": "ops_agent.alerts.tool",
    },
)
