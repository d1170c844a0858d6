"""The task language: plain-language requests from people and agents, parsed locally (no
external service) into one structured intent. Pure.

    "Deploy latest changes to production"        -> deploy {environment: production}
    "Monitor API error rate and alert if >5%"    -> monitor {metric: error_rate, operator: >,
                                                             threshold: 5, unit: %}
    "Analyze error logs from the past hour and identify root causes"
                                                 -> analyze_logs {time_range_seconds: 3600}

A structured request (`{"intent": ..., "params": {...}}`) is validated the same way. A task
that matches no intent, could mean two, or lacks a param raises `TaskNotUnderstood`, which says
what was understood, what is missing and what the agent would do: it never guesses and acts.
"""

from typing import TYPE_CHECKING

from ops_agent.agent.language.intents import (
    INTENTS,
    OPERATORS,
    PARAMS,
    RELEVANT,
    REQUIRED,
    UNITS,
    Intent,
    TaskNotUnderstood,
    describe,
)
from ops_agent.lazy import exports

if TYPE_CHECKING:
    from ops_agent.agent.language.parser import parse_task

__all__ = [
    "INTENTS",
    "OPERATORS",
    "PARAMS",
    "RELEVANT",
    "REQUIRED",
    "UNITS",
    "Intent",
    "TaskNotUnderstood",
    "describe",
    "parse_task",
]
# The parser compiles its cues and slots (about a hundred patterns) when first asked: the tick
# imports this package for the intents, and needs the parser only for a queued plain-words task.
__getattr__ = exports(__name__, {"parse_task": "ops_agent.agent.language.parser"})
