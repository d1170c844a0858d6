"""From a task in plain words (or a structured one) to one intent with its params. Pure.

The intent is decided from the whole sentence: every intent's cues are scored (cues.py), and
the best one must score enough and lead the next one clearly. Then each of its params is read
by its own reader (slots.py), wherever the sentence puts it. A message to send, or a note on
an acknowledgement, is cut off first, so what it says ("we are rolling back") never decides
what the task is.
"""

from __future__ import annotations

from typing import Any

from ops_agent.agent.language import slots
from ops_agent.agent.language.cues import MARGIN, MIN_SCORE, notify_cue_end, score
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
from ops_agent.agent.language.words import clean, repair

MAX_LENGTH = 2000
_ENV_INTENTS = ("list_env", "remove_env", "set_env")
# Intents about a project's things, which name it as "for X", "on X" or "of X" too.
_DEPLOYMENT_INTENTS = (
    "deploy",
    "rollback",
    "list_deployments",
    "list_env",
    "remove_env",
    "set_env",
)


def parse_task(task: str | dict[str, Any]) -> Intent:
    """The intent of a plain-language task, or of a structured `{"intent", "params"}` one.
    Raises TaskNotUnderstood, saying what was understood and what is missing, when the task
    matches no intent, could be two, or lacks a param it needs: nothing is ever guessed."""
    if isinstance(task, dict):
        return _structured(task)
    text = clean(task)
    if not text:
        raise TaskNotUnderstood("the task is empty")
    if len(text) > MAX_LENGTH:
        raise TaskNotUnderstood(f"the task is longer than {MAX_LENGTH} characters")
    reading = _Reading(text)
    ranked = sorted(reading.scores.items(), key=lambda kv: -kv[1])
    (best, top), (runner_up, second) = ranked[0], ranked[1]
    if top < MIN_SCORE:
        raise TaskNotUnderstood(
            "the task matches nothing Ops Agent can do; supported: " + ", ".join(INTENTS),
            candidates=[i for i, s in ranked[:3] if s > 0],
        )
    if top - second < MARGIN:
        readings = [reading.intent(best), reading.intent(runner_up)]
        raise TaskNotUnderstood(
            "the task could mean either of: "
            + "; or ".join(f"{r.intent} ({describe(r)})" for r in readings)
            + ". Say which.",
            understood=readings[0],
            candidates=[best, runner_up],
        )
    return _check(reading.intent(best))


class _Reading:
    """One sentence, read once: where its message or note is, what decides its intent, and
    its slots."""

    def __init__(self, text: str) -> None:
        text = repair(text, slots.protected(text))
        self.text = text
        scan = slots.masked(text)
        cut = len(text)
        self.message: str | None = None
        if (start := notify_cue_end(scan)) is not None and (
            found := slots.message_after(text, start)
        ):
            cut, self.message = found
        self.note: str | None = None
        if (m := slots._UUID.search(text)) and (note := slots.note_after(text, m.end())):
            self.note = note
            cut = min(cut, m.end())
        self.head = scan[:cut]
        self.comparison = slots.comparison(self.head)
        found_slots = {
            name
            for name, present in (
                ("deployment_id", slots.deployment_id(text)),
                ("alert_id", slots.alert_id(text)),
                ("comparison", self.comparison),
                ("host_metric", slots.metric(self.head, host_only=True)),
                ("quoted", slots.quoted(text)),
            )
            if present
        }
        self.scores = score(slots.without_paths(self.head), found_slots)

    def intent(self, name: str) -> Intent:
        """The params of intent `name` that the sentence gives."""
        head = self.head
        p: dict[str, Any] = {}
        p["environment"] = slots.environment(head)
        p["project"] = slots.project(
            head, deployments=name in _DEPLOYMENT_INTENTS, variables=name in _ENV_INTENTS
        )
        p["deployment_id"] = slots.deployment_id(self.text)
        p["alert_id"] = slots.alert_id(self.text)
        p["severity"] = slots.severity(head)
        p["channels"] = slots.channels(head) or None
        p["time_range_seconds"] = slots.time_range(head)
        if name in ("list_env", "remove_env", "set_env"):
            p["key"] = slots.env_key(self.text)
        if name == "deploy":
            p["branch"] = slots.branch(head)
        if name == "health_check":
            p["service"] = slots.service(head)
        if name in ("monitor", "system_metrics"):
            p["metric"] = slots.metric(head, host_only=name == "system_metrics")
        if name == "monitor" and self.comparison:
            p["operator"] = self.comparison.operator
            p["threshold"] = self.comparison.threshold
            p["unit"] = self.comparison.unit
            if p["unit"] is None and p["metric"] == "request_rate":
                p["unit"] = slots.rate_unit(head)
        if name == "search_logs":
            p["query"] = slots.search_terms(self.text[: len(head)])
        elif name == "analyze_logs" and (quotes := slots.quoted(self.text)):
            p["query"] = quotes[0].group(2).strip()
        if name == "notify":
            p["message"] = self.message
        if name == "acknowledge_alert":
            p["message"] = self.note
        return Intent(name, {k: v for k, v in p.items() if v is not None and k in RELEVANT[name]})


def _structured(task: dict[str, Any]) -> Intent:
    intent = task.get("intent")
    params = task.get("params", {})
    if params is None:
        params = {}
    if intent not in INTENTS:
        raise TaskNotUnderstood(f"unknown intent {intent!r}; supported: {', '.join(INTENTS)}")
    if not isinstance(params, dict):
        raise TaskNotUnderstood("params must be an object")
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise TaskNotUnderstood(f"unknown params {unknown}; known: {', '.join(PARAMS)}")
    return _check(Intent(str(intent), dict(params)))


def _check(intent: Intent) -> Intent:
    missing = [p for p in REQUIRED.get(intent.intent, ()) if intent.params.get(p) in (None, "")]
    if missing:
        raise TaskNotUnderstood(
            f"{intent.intent} needs {', '.join(missing)}; e.g. {INTENTS[intent.intent]!r}",
            understood=intent,
            missing=missing,
            candidates=[intent.intent],
        )
    if intent.params.get("operator") not in (None, *OPERATORS):
        raise TaskNotUnderstood(f"operator is one of {', '.join(OPERATORS)}")
    if intent.params.get("unit") not in (None, *UNITS):
        raise TaskNotUnderstood(f"unit is one of {', '.join(UNITS)}")
    return intent
