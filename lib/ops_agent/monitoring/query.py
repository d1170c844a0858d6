"""The metrics query language: one small language for custom metrics, dashboards and alert
rules. Parsing is pure; `evaluate.py` runs a parsed query over stored series.

    avg(response_time)                      p95(latency_ms{project="web"})[5m]
    rate(status_5xx[5m]) / rate(requests[5m])
    error_rate > 5%                         sum(requests{route=~"/api/.*"})[1h]
    avg(cpu_percent{host="web-1"}) > 90     (p99(latency_ms) - p50(latency_ms)) * 2

- Aggregations: avg sum min max count rate p50 p90 p95 p99, over a window `[5m]` written
  inside the call or after it (default: the step).
- Label filters: `{label="value", label!="value", label=~"regex", label!~"regex"}`.
- `anomaly(expr)`: how unusual each point of `expr` is, 0 to 1 (`ops_agent.anomaly`),
  learnt from the three days before the range, so `anomaly(p95(latency_ms)) > 0.8` alerts
  on unusual latency, in either direction, with no threshold to pick.
- Arithmetic `+ - * /` and comparisons `> >= < <= == !=` between series and numbers;
  `5%` is 0.05. A comparison keeps the points where it holds (a series that is empty now is
  a condition that is false now).

`parse` raises `QueryError` with the position where the query broke.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ops_agent.durations import parse_seconds
from ops_agent.errors import InvalidInput

FUNCTIONS = ("avg", "sum", "min", "max", "count", "rate", "p50", "p90", "p95", "p99")
COMPARISONS = (">=", "<=", "==", "!=", ">", "<")


class QueryError(InvalidInput):
    """The metrics query does not parse or cannot be evaluated; `position` is where."""

    error_code = "invalid_query"

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, details={"position": position})
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} (at position {self.position})"


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Selector:
    name: str
    matchers: tuple[tuple[str, str, str], ...] = ()
    window: int | None = None  # seconds


@dataclass(frozen=True)
class Call:
    function: str
    selector: Selector
    window: int | None = None


@dataclass(frozen=True)
class Binary:
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Anomaly:
    """`anomaly(expr)`: how unusual each point of `expr` is, from 0 to 1 (ops_agent.anomaly),
    learnt from the days before the range."""

    expr: Expr


Expr = Number | Selector | Call | Binary | Anomaly


@dataclass
class _Lexer:
    text: str
    i: int = 0
    tokens: list[tuple[str, str, int]] = field(default_factory=list)


_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?(?:%|[smhdw](?![A-Za-z_]))?)"
    r"|(?P<string>\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_.:]*)"
    r"|(?P<op>>=|<=|==|!=|=~|!~|[-+*/()<>{}\[\],=]))"
)


def tokenize(text: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    i = 0
    while i < len(text):
        if text[i:].strip() == "":
            break
        m = _TOKEN.match(text, i)
        if m is None or m.end() == i:
            j = len(text) - len(text[i:].lstrip())
            raise QueryError(f"unexpected character {text[j]!r}", j)
        kind = m.lastgroup or "op"
        start = m.start(kind)
        out.append((kind, m.group(kind), start))
        i = m.end()
    return out


MAX_DEPTH = 32  # nested parentheses and signs: deeper is no query a person writes


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    def _deeper(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"the expression nests more than {MAX_DEPTH} levels deep", position)

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise QueryError(f"expected {value!r}" if value else "unexpected end", len(self.text))
        if value is not None and token[1] != value:
            raise QueryError(f"expected {value!r}, found {token[1]!r}", token[2])
        self.i += 1
        return token

    def parse(self) -> Expr:
        if not self.tokens:
            raise QueryError("empty query", 0)
        expr = self.comparison()
        rest = self.peek()
        if rest is not None:
            raise QueryError(f"unexpected {rest[1]!r}", rest[2])
        return expr

    def comparison(self) -> Expr:
        left = self.additive()
        token = self.peek()
        if token and token[1] in COMPARISONS:
            self.take()
            return Binary(token[1], left, self.additive())
        return left

    def additive(self) -> Expr:
        expr = self.term()
        while (token := self.peek()) and token[1] in ("+", "-"):
            self.take()
            expr = Binary(token[1], expr, self.term())
        return expr

    def term(self) -> Expr:
        expr = self.unary()
        while (token := self.peek()) and token[1] in ("*", "/"):
            self.take()
            expr = Binary(token[1], expr, self.unary())
        return expr

    def unary(self) -> Expr:
        token = self.peek()
        if token and token[1] == "-":
            self.take()
            self._deeper(token[2])
            expr = Binary("-", Number(0.0), self.unary())
            self.depth -= 1
            return expr
        return self.primary()

    def primary(self) -> Expr:
        kind, value, position = self.take()
        if kind == "number":
            return _number(value, position)
        if value == "(":
            self._deeper(position)
            expr = self.comparison()
            self.take(")")
            self.depth -= 1
            return expr
        if kind != "ident":
            raise QueryError(f"unexpected {value!r}", position)
        nxt = self.peek()
        if value == "anomaly" and nxt and nxt[1] == "(":
            self.take("(")
            self._deeper(position)
            inner = self.additive()
            self.take(")")
            self.depth -= 1
            return Anomaly(inner)
        if value in FUNCTIONS and nxt and nxt[1] == "(":
            self.take("(")
            arg = self.peek()
            if arg is None or arg[0] != "ident":
                raise QueryError(
                    f"{value}() takes a metric name", arg[2] if arg else len(self.text)
                )
            selector = self.selector(self.take()[1])
            self.take(")")
            window = self.window()
            if window and selector.window:
                raise QueryError("the window is given twice", position)
            return Call(value, selector, window or selector.window)
        return self.selector(value)

    def selector(self, name: str) -> Selector:
        matchers: list[tuple[str, str, str]] = []
        token = self.peek()
        if token and token[1] == "{":
            self.take("{")
            while True:
                label = self.take()
                if label[0] != "ident":
                    raise QueryError("expected a label name", label[2])
                op = self.take()
                if op[1] not in ("=", "!=", "=~", "!~"):
                    raise QueryError("expected =, !=, =~ or !~", op[2])
                string = self.take()
                if string[0] != "string":
                    raise QueryError('expected a "quoted" value', string[2])
                text = string[1][1:-1].replace('\\"', '"')
                if op[1] in ("=~", "!~"):
                    try:
                        re.compile(text)
                    except re.error as exc:
                        raise QueryError(f"bad regex: {exc}", string[2]) from None
                matchers.append((label[1], op[1], text))
                sep = self.take()
                if sep[1] == "}":
                    break
                if sep[1] != ",":
                    raise QueryError("expected ',' or '}'", sep[2])
        return Selector(name, tuple(matchers), self.window())

    def window(self) -> int | None:
        token = self.peek()
        if not token or token[1] != "[":
            return None
        self.take("[")
        kind, value, position = self.take()
        parsed = parse_seconds(value) if kind == "number" else None
        if parsed is None:
            raise QueryError("a window is a duration such as 5m or 1h", position)
        self.take("]")
        seconds = int(parsed)
        if not 1 <= seconds <= 7 * 86400:
            raise QueryError("a window is between 1s and 7d", position)
        return seconds


def _number(value: str, position: int) -> Number:
    if value.endswith("%"):
        return Number(float(value[:-1]) / 100)
    if parse_seconds(value) is not None:
        raise QueryError("a duration belongs in a window: [5m]", position)
    return Number(float(value))


def parse(text: str) -> Expr:
    """The expression tree of `text`."""
    if len(text) > 2000:
        raise QueryError("the query is longer than 2000 characters", 2000)
    return _Parser(text).parse()


def selectors(expr: Expr) -> list[Selector]:
    """Every selector in `expr`, for fetching their data."""
    if isinstance(expr, Selector):
        return [expr]
    if isinstance(expr, Call):
        return [expr.selector]
    if isinstance(expr, Binary):
        return selectors(expr.left) + selectors(expr.right)
    if isinstance(expr, Anomaly):
        return selectors(expr.expr)
    return []


def has_anomaly(expr: Expr) -> bool:
    """Whether `expr` scores a series with `anomaly()` (its data must reach further back)."""
    if isinstance(expr, Anomaly):
        return True
    if isinstance(expr, Binary):
        return has_anomaly(expr.left) or has_anomaly(expr.right)
    return False
