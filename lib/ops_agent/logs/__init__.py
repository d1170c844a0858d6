"""LogAnalysisTool: Vercel log drain ingest, search, error patterns and anomalies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ops_agent.lazy import exports

if TYPE_CHECKING:
    from ops_agent.logs.anomalies import Anomaly
    from ops_agent.logs.entries import DeliveryError
    from ops_agent.logs.mining import TemplateMiner
    from ops_agent.logs.query import QuerySyntaxError
    from ops_agent.logs.tool import IngestReport, LogAnalysisTool, Pattern, SearchPage

__all__ = [
    "Anomaly",
    "DeliveryError",
    "IngestReport",
    "LogAnalysisTool",
    "Pattern",
    "QuerySyntaxError",
    "SearchPage",
    "TemplateMiner",
]
__getattr__ = exports(
    __name__,
    {
        "Anomaly": "ops_agent.logs.anomalies",
        "DeliveryError": "ops_agent.logs.entries",
        "IngestReport": "ops_agent.logs.tool",
        "LogAnalysisTool": "ops_agent.logs.tool",
        "Pattern": "ops_agent.logs.tool",
        "QuerySyntaxError": "ops_agent.logs.query",
        "SearchPage": "ops_agent.logs.tool",
        "TemplateMiner": "ops_agent.logs.mining",
    },
)
