"""The log search language, parsed into a filter tree that `ops_log_search` runs.

    level:error status:>=500 path:/api/* deployment:dpl_x "connection refused"
    (timeout OR refused) -source:static NOT level:info conn*

- Words match whole words of the message; `conn*` matches words that start with `conn`.
- `"a phrase"` matches those words in that order, as written.
- `field:value` filters a field: level, source, project, deployment, environment (env),
  host, path, status, method, region, request, template, branch, type, via (drain or pull).
  `status:>=500`, `status:5xx`, `level:>=warning`, `path:/api/*` (a glob) also work.
- Terms next to each other must all match (AND); `OR` joins alternatives; `NOT` or a leading
  `-` negates; parentheses group. AND binds tighter than OR.

A malformed query raises `QuerySyntaxError` with the position where it broke.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ops_agent.errors import InvalidInput

FIELDS = {
    "level",
    "source",
    "project",
    "deployment",
    "environment",
    "host",
    "path",
    "status",
    "method",
    "region",
    "request",
    "template",
    "branch",
    "type",
    "via",
}
ALIASES = {"env": "environment", "severity": "level", "dpl": "deployment", "request_id": "request"}
LEVELS = ("trace", "debug", "info", "warning", "error", "fatal")

Node = dict[str, Any]


class QuerySyntaxError(InvalidInput):
    """The query cannot be parsed; `position` is the 0-based offset where it broke."""

    error_code = "invalid_query"

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, details={"position": position})
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} (at position {self.position})"


@dataclass(frozen=True)
class Token:
    kind: str  # word, phrase, field, lparen, rparen, or, and, not
    text: str
    position: int
    field: str | None = None


_LEXEME = re.compile(
    r'\s*(?:(?P<lparen>\()|(?P<rparen>\))|"(?P<phrase>[^"]*)"|(?P<open_quote>")'
    r'|(?P<field>[A-Za-z_]+):(?:"(?P<fquoted>[^"]*)"|(?P<fvalue>[^\s()"]+))'
    r"|(?P<bare>[^\s()\"]+))"
)


def tokenize(query: str) -> list[Token]:
    out: list[Token] = []
    position = 0
    while position < len(query):
        if query[position:].strip() == "":
            break
        match = _LEXEME.match(query, position)
        if match is None:  # pragma: no cover - the pattern matches any non-space
            raise QuerySyntaxError("unexpected character", position)
        start = match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
        if match.group("lparen"):
            out.append(Token("lparen", "(", start))
        elif match.group("rparen"):
            out.append(Token("rparen", ")", start))
        elif match.group("open_quote"):
            raise QuerySyntaxError("unterminated quote", start)
        elif match.group("phrase") is not None:
            out.append(Token("phrase", match.group("phrase"), start))
        elif match.group("field"):
            value = (
                match.group("fquoted")
                if match.group("fquoted") is not None
                else match.group("fvalue")
            )
            out.append(Token("field", value, start, field=match.group("field").lower()))
        else:
            bare = match.group("bare")
            upper = bare.upper()
            if upper in ("OR", "AND", "NOT"):
                out.append(Token(upper.lower(), bare, start))
            elif bare.startswith("-") and len(bare) > 1:
                out.append(Token("not", "-", start))
                out.append(Token("word", bare[1:], start + 1))
            else:
                out.append(Token("word", bare, start))
        position = match.end()
    return _split_negated_fields(out)


def _split_negated_fields(tokens: list[Token]) -> list[Token]:
    """`-level:info` lexes as a word; turn it into NOT and the field."""
    out = []
    for token in tokens:
        if (
            token.kind == "word"
            and ":" in token.text
            and token.text.split(":", 1)[0].isidentifier()
        ):
            name, _, value = token.text.partition(":")
            if value:
                out.append(Token("field", value.strip('"'), token.position, field=name.lower()))
                continue
        out.append(token)
    return out


MAX_DEPTH = 32  # nested parentheses and NOTs: deeper would only strain the store's stack


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.i = 0
        self.depth = 0

    def _deeper(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(
                f"the query nests more than {MAX_DEPTH} levels deep (parentheses and NOTs)",
                position,
            )

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            return {"op": "and", "args": []}
        node = self.or_expr()
        leftover = self.peek()
        if leftover is not None:
            raise QuerySyntaxError(f"unexpected {leftover.text!r}", leftover.position)
        return node

    def or_expr(self) -> Node:
        args = [self.and_expr()]
        while (t := self.peek()) is not None and t.kind == "or":
            self.take()
            args.append(self.and_expr())
        return args[0] if len(args) == 1 else {"op": "or", "args": args}

    def and_expr(self) -> Node:
        args = [self.unary()]
        while (t := self.peek()) is not None and t.kind not in ("or", "rparen"):
            if t.kind == "and":
                self.take()
            args.append(self.unary())
        return args[0] if len(args) == 1 else {"op": "and", "args": args}

    def unary(self) -> Node:
        t = self.peek()
        if t is None:
            raise QuerySyntaxError("the query ends where a term was expected", len(self.query))
        if t.kind == "not":
            self.take()
            self._deeper(t.position)
            node: Node = {"op": "not", "arg": self.unary()}
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        t = self.take()
        if t.kind == "lparen":
            self._deeper(t.position)
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise QuerySyntaxError("missing ')'", close.position if close else len(self.query))
            self.take()
            self.depth -= 1
            return node
        if t.kind == "phrase":
            if not t.text.strip():
                raise QuerySyntaxError("empty phrase", t.position)
            return {"op": "phrase", "value": t.text}
        if t.kind == "field":
            return field_node(t)
        if t.kind == "word":
            return word_node(t)
        raise QuerySyntaxError(f"unexpected {t.text!r}", t.position)


def word_node(t: Token) -> Node:
    text = t.text
    if text.endswith("*"):
        stem = re.sub(r"[^\w]", "", text[:-1]).lower()
        if len(stem) < 2:
            raise QuerySyntaxError("a prefix needs at least two letters before '*'", t.position)
        return {"op": "prefix", "value": stem}
    return {"op": "word", "value": text}


_STATUS = re.compile(r"^(?P<cmp>>=|<=|!=|>|<|=)?(?P<num>-?\d{1,3})$")


def field_node(t: Token) -> Node:
    name = ALIASES.get(t.field or "", t.field or "")
    if name not in FIELDS:
        raise QuerySyntaxError(
            f"unknown field {t.field!r}; known: {', '.join(sorted(FIELDS))}", t.position
        )
    value = t.text
    if not value:
        raise QuerySyntaxError(f"{name}: needs a value", t.position)
    if name == "status":
        if re.fullmatch(r"[1-5]xx", value.lower()):
            return {"op": "field", "field": name, "cmp": "class", "value": value[0]}
        m = _STATUS.match(value)
        if m is None:
            raise QuerySyntaxError(
                f"status takes a code, a comparison or a class (500, >=500, 5xx), not {value!r}",
                t.position,
            )
        return {"op": "field", "field": name, "cmp": m.group("cmp") or "=", "value": m.group("num")}
    cmp = "="
    for op in (">=", "<=", "!=", ">", "<"):
        if value.startswith(op):
            cmp, value = op, value[len(op) :]
            break
    if name == "level":
        value = {"warn": "warning", "err": "error"}.get(value.lower(), value.lower())
        if value not in LEVELS:
            raise QuerySyntaxError(f"level is one of {', '.join(LEVELS)}", t.position)
    elif cmp not in ("=", "!="):
        raise QuerySyntaxError(f"{name} cannot be compared with {cmp}", t.position)
    if "*" in value and cmp == "=":
        cmp = "glob"
    return {"op": "field", "field": name, "cmp": cmp, "value": value}


def parse(query: str) -> Node:
    """The filter tree of `query` (an empty query matches everything)."""
    if len(query) > 2000:
        raise QuerySyntaxError("the query is longer than 2000 characters", 2000)
    return _Parser(query).parse()


def all_of(*nodes: Node | None) -> Node:
    """The AND of the given filters, skipping None."""
    args = [n for n in nodes if n is not None and n != {"op": "and", "args": []}]
    return args[0] if len(args) == 1 else {"op": "and", "args": args}
