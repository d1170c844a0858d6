"""LogAnalysisTool: Vercel log drain ingest, search, error patterns and anomalies."""

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
