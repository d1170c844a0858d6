"""Health-check conditions as readable one-line expressions, in Gatus's style. Pure.

    [STATUS] == 200                     [STATUS] == any(200, 204)
    [RESPONSE_TIME] < 500               (milliseconds)
    [BODY].status == UP                 [BODY].data[0].id == 42
    len([BODY].items) > 0               has([BODY].error) == false
    [CERTIFICATE_EXPIRATION] > 72h      (durations: 500ms, 30s, 15m, 72h, 7d)
    [BODY] == pat(*healthy*)            [BODY] != pat(*error*)   (keyword, negated keyword)
    [CONNECTED] == true                 [HEADERS].content-type == pat(application/json*)

`parse` raises `ConditionError` with the position where a condition broke, so a bad check is
refused when it is declared, not when it first runs.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from typing import Any

from ops_agent.durations import parse_seconds
from ops_agent.errors import Unprocessable

OPERATORS = ("==", "!=", "<=", ">=", "<", ">")
PLACEHOLDERS = {
    "STATUS",
    "RESPONSE_TIME",
    "BODY",
    "CERTIFICATE_EXPIRATION",
    "CONNECTED",
    "HEADERS",
    "IP",
}


class ConditionError(Unprocessable):
    """A health-check condition does not parse; `position` is where."""

    error_code = "invalid_condition"

    def __init__(self, message: str, condition: str, position: int) -> None:
        super().__init__(message, details={"position": position, "condition": condition})
        self.condition = condition
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} at position {self.position} of {self.condition!r}"


@dataclass(frozen=True)
class Operand:
    kind: str  # placeholder, len, has, literal, pattern, any
    placeholder: str | None = None
    path: tuple[str | int, ...] = ()
    value: Any = None
    options: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Condition:
    text: str
    left: Operand
    op: str
    right: Operand


@dataclass(frozen=True)
class Facts:
    """What one check observed, for conditions to test."""

    connected: bool
    status: int | None = None
    response_time_ms: float | None = None
    body: str = ""
    headers: dict[str, str] | None = None
    certificate_expires_in_ms: float | None = None
    ip: str | None = None


@dataclass(frozen=True)
class Outcome:
    condition: str
    success: bool
    actual: Any


def _split_operator(text: str) -> tuple[str, str, str, int]:
    depth, quote = 0, False
    for i in range(len(text)):
        ch = text[i]
        if ch == '"':
            quote = not quote
        elif not quote and ch in "([":
            depth += 1
        elif not quote and ch in ")]":
            depth -= 1
        elif not quote and depth == 0:
            for op in OPERATORS:
                if (
                    text.startswith(op, i)
                    and text[i - 1 : i] == " "
                    and text[i + len(op) : i + len(op) + 1] == " "
                ):
                    return text[:i].strip(), op, text[i + len(op) :].strip(), i
    raise ConditionError("expected ' == ', ' != ', ' < ', ' <= ', ' > ' or ' >= '", text, 0)


_PLACEHOLDER = re.compile(r"^\[([A-Z_]+)\]((?:\.[^.\[\]]+|\[\d+\])*)$")


def _path(raw: str) -> tuple[str | int, ...]:
    out: list[str | int] = []
    for part in re.findall(r"\.([^.\[\]]+)|\[(\d+)\]", raw):
        out.append(part[0] if part[0] else int(part[1]))
    return tuple(out)


def _operand(text: str, condition: str, position: int, *, left: bool) -> Operand:
    for fn in ("len", "has"):
        if text.startswith(fn + "(") and text.endswith(")"):
            inner = _operand(
                text[len(fn) + 1 : -1].strip(), condition, position + len(fn) + 1, left=True
            )
            if inner.kind != "placeholder":
                raise ConditionError(f"{fn}() takes a placeholder", condition, position)
            return Operand(fn, inner.placeholder, inner.path)
    match = _PLACEHOLDER.match(text)
    if match:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            raise ConditionError(
                f"unknown placeholder [{name}]; known: {', '.join(sorted(PLACEHOLDERS))}",
                condition,
                position,
            )
        return Operand("placeholder", name, _path(match.group(2)))
    if text.startswith("["):
        raise ConditionError(f"malformed placeholder {text!r}", condition, position)
    if left:
        raise ConditionError(
            "the left side must be a placeholder, len() or has()", condition, position
        )
    if text.startswith("pat(") and text.endswith(")"):
        return Operand("pattern", value=text[4:-1].strip())
    if text.startswith("any(") and text.endswith(")"):
        items = [i.strip() for i in text[4:-1].split(",") if i.strip()]
        if not items:
            raise ConditionError("any() needs at least one value", condition, position)
        return Operand("any", options=tuple(_literal(i) for i in items))
    return Operand("literal", value=_literal(text))


def _literal(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    seconds = parse_seconds(text)
    if seconds is not None:
        return seconds * 1000  # conditions compare durations in milliseconds
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def parse(text: str) -> Condition:
    """One condition; `ConditionError` says where it is malformed."""
    text = text.strip()
    if not text:
        raise ConditionError("empty condition", text, 0)
    left, op, right, at = _split_operator(text)
    if not right:
        raise ConditionError("missing right-hand side", text, at + len(op))
    return Condition(
        text,
        _operand(left, text, 0, left=True),
        op,
        _operand(right, text, at + len(op) + 1, left=False),
    )


def _walk(value: Any, path: tuple[str | int, ...]) -> tuple[bool, Any]:
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return False, None
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                return False, None
            value = value[step]
    return True, value


def _resolve(operand: Operand, facts: Facts, body_json: Any) -> Any:
    name = operand.placeholder
    if name == "STATUS":
        value: Any = facts.status
    elif name == "RESPONSE_TIME":
        value = facts.response_time_ms
    elif name == "CERTIFICATE_EXPIRATION":
        value = facts.certificate_expires_in_ms
    elif name == "CONNECTED":
        value = facts.connected
    elif name == "IP":
        value = facts.ip
    elif name == "HEADERS":
        headers = {k.lower(): v for k, v in (facts.headers or {}).items()}
        found, value = _walk(headers, tuple(str(p).lower() for p in operand.path))
        return (found, value)
    else:  # BODY
        if not operand.path:
            return (True, facts.body)
        return _walk(body_json, operand.path)
    return (value is not None, value)


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if op in ("==", "!="):
        if isinstance(expected, bool) or isinstance(actual, bool):
            equal = bool(actual) == expected if isinstance(expected, bool) else actual == expected
        elif isinstance(expected, int | float) and not isinstance(actual, bool):
            try:
                equal = float(actual) == float(expected)
            except (TypeError, ValueError):
                equal = False
        else:
            equal = str(actual) == str(expected)
        return equal if op == "==" else not equal
    try:
        a, e = float(actual), float(expected)
    except (TypeError, ValueError):
        return False
    return {"<": a < e, "<=": a <= e, ">": a > e, ">=": a >= e}[op]


def evaluate(condition: Condition, facts: Facts) -> Outcome:
    """Whether `facts` satisfy `condition`, and the value it looked at."""
    body_json: Any = None
    left = condition.left
    if left.placeholder == "BODY" and left.path:
        try:
            body_json = json.loads(facts.body)
        except ValueError:
            body_json = None
    found, actual = _resolve(left, facts, body_json)
    if left.kind == "len":
        actual = len(actual) if found and hasattr(actual, "__len__") else None
        found = actual is not None
    elif left.kind == "has":
        actual, found = found, True
    right = condition.right
    if right.kind == "pattern":
        matched = found and fnmatch.fnmatchcase(str(actual), str(right.value))
        success = (
            matched if condition.op == "==" else (not matched if condition.op == "!=" else False)
        )
    elif right.kind == "any":
        hit = found and any(_compare(actual, "==", option) for option in right.options)
        success = hit if condition.op == "==" else (not hit if condition.op == "!=" else False)
    elif not found:
        success = condition.op == "!=" and right.value is not None
    else:
        success = _compare(actual, condition.op, right.value)
    return Outcome(condition.text, bool(success), actual)
