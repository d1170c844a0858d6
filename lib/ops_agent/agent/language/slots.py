"""Slot readers: each finds one kind of param wherever a sentence puts it. Pure.

Every reader takes the task as written (one line, straight quotes) and answers None when the
slot is not there; none of them guesses a default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ops_agent.agent.language.words import NUMBER_WORDS, words

_I = re.IGNORECASE
NAME = r"[a-z0-9][\w.-]*[a-z0-9]|[a-z0-9]"
# Words that are never a project, service, branch or environment name.
NOT_NAMES = words(
    """
    a an the this that these those it its our my your their his her all every any each some
    everything anything everyone everybody something nothing new latest last current newest
    previous prior old good stable to from on in of for with and or by via at as is are was
    be been up down now please thanks asap production prod prd preview staging stage dev
    development live project projects app apps application branch branches service services
    environment env healthcheck logs log alerts alert deploy deploys deployment deployments
    release releases version build builds changes code commit checks check them us me you
    today yesterday tonight right back again history it's let's here there what which who
    whether if health healthy status uptime state still going out so ok okay hey hi then
    also just
    """
)
KNOWN_BRANCHES = frozenset({"main", "master", "develop", "trunk"})
_ENVIRONMENTS = {
    "production": "production",
    "prod": "production",
    "prd": "production",
    "preview": "preview",
    "staging": "staging",
    "stage": "staging",
    "development": "development",
    "dev": "development",
}


def _name(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip(".-")
    return None if not value or value.lower() in NOT_NAMES else value


# --- ids and quotes ---

_DEPLOYMENT = re.compile(r"\b(dpl_[A-Za-z0-9]+)\b|\b([a-z0-9][a-z0-9-]*\.vercel\.app)\b", _I)
_UUID = re.compile(r"\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b", _I)
# A quote opens after a space, a colon or a bracket and closes before one, so the apostrophes
# of "I'm" and "yesterday's" are never quotes.
_QUOTED = re.compile(r"""(?:(?<=[\s:(=])|^)(["'])(.+?)\1(?=$|[\s.,;:!?)])""")


def deployment_id(text: str) -> str | None:
    """`dpl_...`, or a deployment's own `*.vercel.app` host (Vercel looks up either)."""
    m = _DEPLOYMENT.search(text)
    return (m.group(1) or m.group(2).lower()) if m else None


def alert_id(text: str) -> str | None:
    m = _UUID.search(text)
    return m.group(1).lower() if m else None


def quoted(text: str) -> list[re.Match[str]]:
    return [m for m in _QUOTED.finditer(text) if m.group(2).strip()]


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span replaced by spaces, so positions keep their meaning."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def protected(text: str) -> list[tuple[int, int]]:
    """Where `text` quotes someone or names an id: spans no reader of words looks inside."""
    spans = [m.span() for m in quoted(text)]
    spans += [m.span() for m in _DEPLOYMENT.finditer(text)]
    spans += [m.span() for m in _UUID.finditer(text)]
    return spans


def masked(text: str) -> str:
    """`text` without its quotes and ids, for readers that must not look inside them."""
    return blank(text, protected(text))


_PATH = re.compile(r"\S*/\S*")
_RATE_UNIT = re.compile(r"^(?:reqs?|requests?)/(?:s|sec|min)$", _I)


def without_paths(text: str) -> str:
    """`text` without paths, refs and URLs (`feat/search` says nothing about searching)."""
    return _PATH.sub(
        lambda m: m.group(0) if _RATE_UNIT.match(m.group(0)) else " " * len(m.group(0)), text
    )


# --- where ---


_ENV = re.compile(r"\b(production|prod|prd|preview|staging|stage|development|dev)\b", _I)
_FROM_PREVIEW = re.compile(r"\bfrom\s+(?:the\s+|a\s+)?preview\b", _I)
_LIVE = re.compile(
    r"\b(?:go|goes|going|gone|went|push(?:ed|ing)?|put|ship(?:ped)?|get)\b[^.?!]{0,40}?\blive\b",
    _I,
)
_CUSTOM_ENV = [
    re.compile(rf"\b({NAME})\s+(?:environment|env)\b", _I),
    re.compile(rf"\b(?:environment|env)\s+(?:called\s+|named\s+)?({NAME})", _I),
]


_ENV_VAR_WORDS = re.compile(r"\b(?:\w+\s+)?env(?:ironment)?[\s_-]*var(?:iable)?s?\b", _I)


def environment(text: str) -> str | None:
    """production/prod, preview, staging, development/dev, "go live", or `X environment`;
    the first one named. "from preview" names where something comes from, not where it goes;
    "environment variables" name no environment."""
    text = _ENV_VAR_WORDS.sub(lambda m: " " * len(m.group(0)), text)
    found: list[tuple[int, str]] = []
    for m in _ENV.finditer(text):
        if m.group(1).lower() == "preview" and _FROM_PREVIEW.search(text):
            continue
        found.append((m.start(), _ENVIRONMENTS[m.group(1).lower()]))
    if m2 := _LIVE.search(text):
        found.append((m2.end(), "production"))
    for m3 in (m for pattern in _CUSTOM_ENV for m in pattern.finditer(text)):
        raw = m3.group(1).lower()
        if raw in _ENVIRONMENTS:
            found.append((m3.start(), _ENVIRONMENTS[raw]))
        elif _name(raw):
            found.append((m3.start(), raw))
    return min(found)[1] if found else None


_PROJECT = [
    re.compile(rf"\bproject\s+(?:called\s+|named\s+)?({NAME})", _I),
    re.compile(rf"\b({NAME})\s+(?:project|app|application)\b", _I),
]
# For deployments only: "deploy for shop", "rollback on shop", "revert shop".
_PROJECT_AFTER = re.compile(
    rf"\b(?:for|on|of)\s+({NAME})(?=\s|$|[,.;!?:])(?!\s+(?:branch|service))", _I
)
_PROJECT_OBJECT = re.compile(
    r"(?<!the )(?<!last )(?<!latest )(?<!new )(?<!this )(?<!that )(?<!a )(?<!our )(?<!my )"
    rf"\b(?:revert|rollback|roll\s+back|redeploy|deploy|ship|release)\s+({NAME})(?=\s|$|[,.;!?])"
    r"(?!\s+branch)",
    _I,
)


_TO_TARGET = re.compile(
    r"\bto\s+(?:the\s+)?(?:production|prod|prd|preview|staging|stage|development|dev|"
    r"[\w-]+\s+environment)\s*$",
    _I,
)


# For a project's variables: "remove KEY from shop", "add KEY to shop".
_PROJECT_FROM_TO = re.compile(rf"\b(?:from|to)\s+({NAME})(?=\s|$|[,.;!?:])", _I)


def project(text: str, *, deployments: bool = False, variables: bool = False) -> str | None:
    """`project X`, `X project`, `the X app`; for deployment tasks also `for X`, `on X` and
    the object of the verb ("revert shop"), for a project's variables also `from X` and `to X`,
    when X is no other kind of word."""
    for pattern in _PROJECT:
        for m in pattern.finditer(text):
            if name := _name(m.group(1)):
                return name
    if not deployments:
        return None
    extra = list(_PROJECT_FROM_TO.finditer(text)) if variables else []
    for m in [*_PROJECT_OBJECT.finditer(text), *_PROJECT_AFTER.finditer(text), *extra]:
        if m.group(0).lower().startswith("for") and _TO_TARGET.search(text[: m.start()]):
            continue  # "to staging for QA": a purpose, not a project
        if _ENV_KEY.fullmatch(m.group(1)):
            continue  # DATABASE_URL is a variable; Vercel's project names are lower case
        name = _name(m.group(1))
        if name and _plain_name(name) and environment(name) is None:
            return name
    return None


def _plain_name(name: str) -> bool:
    return name.lower() not in KNOWN_BRANCHES and not name.isdigit() and "/" not in name


_REF = r"[a-z0-9][\w./-]*[a-z0-9]|[a-z0-9]"
_BRANCH = [
    re.compile(rf"\bbranch\s+(?:called\s+|named\s+)?({_REF})", _I),
    re.compile(rf"\b({_REF})\s+branch\b", _I),
    re.compile(r"(?<![\w/])([a-z][\w.-]*/[\w./-]*[a-z0-9])", _I),
    re.compile(rf"\b(?:from|of)\s+({_REF})\b", _I),
    re.compile(r"\b(main|master|develop|trunk)\b", _I),
]
_NOT_REFS = re.compile(r"^(?:reqs?|requests?)/|://|^\d+/", _I)


def branch(text: str) -> str | None:
    """`branch X`, `X branch`, any `a/b` ref, `from main`, or a conventional branch name."""
    for i, pattern in enumerate(_BRANCH):
        for m in pattern.finditer(text):
            ref = m.group(1)
            if _name(ref) is None or _NOT_REFS.search(ref):
                continue
            if i == 3 and ref.lower() not in KNOWN_BRANCHES and "/" not in ref:
                continue
            return ref
    return None


_SERVICE = [
    re.compile(rf"\b({NAME})\s+(?:service|endpoint|site|website)\b(?!\s+(?:project|app))", _I),
    re.compile(rf"\b(?:service|endpoint)\s+(?:health\s+)?(?:for|of)\s+(?:the\s+)?({NAME})", _I),
    re.compile(
        rf"\b(?:health|status|uptime|state)\s+(?:check\s+)?(?:of|for|on)\s+(?:the\s+|our\s+)?({NAME})",
        _I,
    ),
    re.compile(
        rf"\b(?:is|are|whether|if|that)\s+(?:the\s+|our\s+)?({NAME})\s+"
        r"(?:(?:site|website|service|endpoint)\s+)?(?:is\s+|still\s+)?"
        r"(?:up|down|healthy|alive|reachable|responding|ok|running|available)\b",
        _I,
    ),
    re.compile(
        r"\b(?:ping|probe|healthcheck|health[- ]check\s+on|check\s+on)\s+"
        rf"(?:the\s+|our\s+)?({NAME})",
        _I,
    ),
]


def service(text: str) -> str | None:
    """The service a health question is about: `the X service`, `health of X`, `is X up`,
    `ping X`."""
    found: list[tuple[int, str]] = []
    for pattern in _SERVICE:
        for m in pattern.finditer(text):
            if name := _name(m.group(1)):
                found.append((m.start(1), name))
                break
    return min(found)[1] if found else None


# --- how much, how bad, how long ---

_SEVERITY = re.compile(
    r"\b(critical|urgent|sev ?[1-4]|p[1-4])\b"
    r"|\b(high|medium|low)\b(?=[- ](?:severity|sev|priority|urgency|alerts?|alarms?|"
    r"incidents?|notifications?))"
    r"|\bseverity(?:\s+(?:of|is)|:|=)?\s*(critical|high|medium|low)\b"
    r"|,\s*(high|medium|low)\s*(?:severity|priority)?\s*(?:$|[,.;])",
    _I,
)
_SEVERITY_NAMES = {"urgent": "critical", "1": "critical", "2": "high", "3": "medium", "4": "low"}


def severity(text: str) -> str | None:
    """critical/high/medium/low, also as urgent, sev1..sev4 and p1..p4."""
    m = _SEVERITY.search(text)
    if not m:
        return None
    word = next(g for g in m.groups() if g).lower().replace(" ", "")
    if word.startswith(("sev", "p")) and word[-1].isdigit():
        return _SEVERITY_NAMES[word[-1]]
    return _SEVERITY_NAMES.get(word, word)


_CHANNEL = re.compile(r"\b(slack|e-?mail|mail|webhooks?|smtp)\b", _I)
_CHANNEL_NAMES = {"e-mail": "email", "mail": "email", "webhooks": "webhook"}


def channels(text: str) -> list[str]:
    """Every channel named, sorted: slack, email, webhook, smtp."""
    return sorted({_CHANNEL_NAMES.get(c.lower(), c.lower()) for c in _CHANNEL.findall(text)})


_NUM = r"\d+(?:\.\d+)?|" + "|".join(
    sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True)
)
_UNIT = r"seconds?|secs?|minutes?|mins?|hours?|hrs?|hr|days?|weeks?|wks?|months?|s|m|h|d|w"
# Units of a window that are never the unit of a threshold.
_LONG_UNIT = r"minutes?|mins?|hours?|hrs?|hr|days?|weeks?|wks?|months?|m|h|d|w"
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "mo": 2592000}
_WINDOW = re.compile(
    rf"\b(?:(?:past|last|previous|recent)\s+(?:(half\s+an?|half)\s+|({_NUM})\s*)?({_UNIT})"
    rf"|(?:in|over|within|for|during)\s+(?:the\s+)?(?:(half\s+an?)\s+|({_NUM})\s*)({_UNIT}))\b",
    _I,
)
_DAYS = [
    (re.compile(r"\b(?:today|today's|since yesterday|yesterday|yesterday's)\b", _I), 86400),
    (re.compile(r"\b(?:this|past|last) week\b", _I), 604800),
    (re.compile(r"\b(?:this|past|last) month\b", _I), 2592000),
]


def time_range(text: str) -> int | None:
    """A look-back window in seconds: "the past hour", "last 30 minutes", "over the last 2h",
    "in the last half hour", "today", "this week"."""
    if m := _WINDOW.search(text):
        half = m.group(1) or m.group(4)
        count = m.group(2) or m.group(5)
        unit = (m.group(3) or m.group(6)).lower()
        n = 0.5 if half else _number(count) if count else 1.0
        return int(n * _UNIT_SECONDS["mo" if unit.startswith("mo") else unit[0]])
    for pattern, seconds in _DAYS:
        if pattern.search(text):
            return seconds
    return None


def _number(word: str) -> float:
    word = " ".join(word.lower().split())
    return float(NUMBER_WORDS[word]) if word in NUMBER_WORDS else float(word)


# --- what to watch ---

_METRICS = [
    (
        re.compile(
            r"\b(?:error[- ]?rates?|5xx(?:\s+(?:rate|errors?))?|server errors?|errors?|"
            r"failure rates?|failed requests|failures|500s)\b",
            _I,
        ),
        "error_rate",
    ),
    (
        re.compile(
            r"\b(?:latency|latencies|response[- ]times?|slow(?:ness)?|p50|p95|p99|median)\b", _I
        ),
        "latency",
    ),
    (
        re.compile(
            r"\b(?:requests?(?:\s+per\s+(?:second|minute))?|req/s|rps|traffic|throughput)\b", _I
        ),
        "request_rate",
    ),
    (re.compile(r"\b(?:cpu|processor)\b", _I), "cpu_percent"),
    (re.compile(r"\b(?:memory|ram)\b", _I), "memory_percent"),
    (re.compile(r"\bdisk\b", _I), "disk_percent"),
]
HOST_METRICS = ("cpu_percent", "memory_percent", "disk_percent")
_PERCENTILE = re.compile(r"\bp(50|95|99)\b|\b(median)\b", _I)


def metric(text: str, *, host_only: bool = False) -> str | None:
    """The first metric named: error_rate, p50/p95/p99_latency_ms (p95 unless a percentile or
    "median" is named), request_rate, cpu/memory/disk_percent."""
    found: list[tuple[int, str]] = []
    for pattern, name in _METRICS:
        if host_only and name not in HOST_METRICS:
            continue
        if m := pattern.search(text):
            found.append((m.start(), name))
    if not found:
        return None
    name = min(found)[1]
    if name == "latency":
        p = _PERCENTILE.search(text)
        return f"p{'50' if p and p.group(2) else p.group(1) if p else '95'}_latency_ms"
    return name


_OPERATORS = {
    ">=": (
        ">= ≥ => ; greater than or equal to ; more than or equal to ; at least ; no less than ;"
        " reaches ; reach ; reaching ; hits ; hit ; hitting ; at"
    ),
    "<=": "<= ≤ =< ; less than or equal to ; at most ; no more than",
    ">": (
        "> ; above ; over ; exceeds ; exceed ; exceeding ; greater than ; more than ;"
        " higher than ; past ; beyond ; tops ; top ; crosses ; cross ; crossing"
    ),
    "<": "< ; below ; under ; less than ; lower than ; fewer than ; beneath",
}
_OPERATOR_OF = {
    phrase: op
    for op, phrases in _OPERATORS.items()
    for group in phrases.split(";")
    for phrase in ([group.strip()] if " " in group.strip() else group.split())
}
_THRESHOLD_UNIT = (
    r"%|percent|pct|ms|milliseconds?|millis|msecs?|seconds?|secs?|s|req/s|reqs?/s|rps|"
    r"requests? per second|req/min|rpm|requests? per minute"
)
_COMPARE = re.compile(
    r"(?<![\w>=<])("
    + "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_OPERATOR_OF, key=len, reverse=True)
    )
    + rf")\s*(?:of\s+)?(-?\d+(?:\.\d+)?)(?!\s*(?:{_LONG_UNIT})\b)\s*({_THRESHOLD_UNIT})?(?![\w/])",
    _I,
)
_UNITS = {
    "%": "%",
    "percent": "%",
    "pct": "%",
    "ms": "ms",
    "millisecond": "ms",
    "milliseconds": "ms",
    "millis": "ms",
    "msec": "ms",
    "msecs": "ms",
    "s": "s",
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "req/s": "req/s",
    "reqs/s": "req/s",
    "rps": "req/s",
    "request per second": "req/s",
    "requests per second": "req/s",
    "req/min": "req/min",
    "rpm": "req/min",
    "request per minute": "req/min",
    "requests per minute": "req/min",
}


_RATE_PER = re.compile(r"\b(?:requests?|req)\s*(?:per\s+|/\s*)(second|sec|s|minute|min)\b", _I)


def rate_unit(text: str) -> str | None:
    """The unit a request rate is named in ("requests per second"), if it is."""
    m = _RATE_PER.search(text)
    return None if not m else "req/min" if m.group(1).lower().startswith("min") else "req/s"


@dataclass(frozen=True)
class Comparison:
    operator: str
    threshold: float | int
    unit: str | None


def comparison(text: str) -> Comparison | None:
    """`> 5%`, "above 800ms", "drops below 10 req/s", "at least 2 percent", "hits 90%": the
    operator, the number as written and its unit as written (None when there is none)."""
    for m in _COMPARE.finditer(text):
        word = " ".join(m.group(1).lower().split())
        unit = _UNITS.get(" ".join((m.group(3) or "").lower().split()))
        if word == "at" and unit is None:
            continue  # "at 5pm" is a time, not a threshold
        raw = m.group(2)
        value: float | int = float(raw) if "." in raw else int(raw)
        return Comparison(_OPERATOR_OF[word], value, unit)
    return None


# --- free text ---

_AFTER_ID = re.compile(
    r"^\s*(?:[,:;]|-|—|\bsaying\b|\bbecause\b|\bwith\s+(?:the\s+|a\s+)?(?:note|comment)\b:?"
    r"|\bnote\b:?|\bcomment\b:?)\s*(\S.*)$",
    _I,
)


def note_after(text: str, end: int) -> str | None:
    """The note that follows an id: `ack <id>, on it`, `<id> - false alarm`, `<id> saying ...`,
    `<id> because ...`, `<id> with note: ...`, or a quote."""
    rest = text[end:]
    if q := quoted(rest):
        return q[0].group(2).strip()
    m = _AFTER_ID.match(rest)
    note = _trim(m.group(1)) if m else None
    return None if note and _COURTESY.match(" " + note) else note


_SAYING = re.compile(
    r"\s*:\s*|\s+[-—]\s+|\s+(?:saying|that says|to say|with the message|the message|that)\s+",
    _I,
)


def message_after(text: str, start: int) -> tuple[int, str] | None:
    """A message introduced after position `start`: a quote, a colon, a dash, or a verb of
    saying ("saying", "that"). Answers where the message starts and the message."""
    rest = text[start:]
    q = quoted(rest)
    m = _SAYING.search(rest)
    if q and (not m or q[0].start() <= m.end()):
        return start + q[0].start(), q[0].group(2).strip()
    if m and (msg := _trim(rest[m.end() :])):
        return start + m.start(), msg
    return None


_COURTESY = re.compile(r"[\s,]+(?:please|thanks|thank you|thx|ty)[\s.!]*$", _I)


def _trim(value: str) -> str | None:
    value = value.strip().rstrip("?!.").strip()
    value = (_COURTESY.sub("", value) or value).rstrip("?!.").strip()  # "thanks" is for us
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    return value or None


_QUERY_INTRO = re.compile(
    r"\b(?:for|containing|contains|matching|mentioning|mention|with|about|that says?|"
    r"that includes?|includes?|including|where|grep)\s+",
    _I,
)
_QUERY_END = re.compile(
    r"\s+(?:(?:in|over|within|during|from|for)\s+(?:the\s+)?(?:past|last|previous)\b"
    r"|(?:today|yesterday|this week|since)\b"
    r"|(?:in|on|from|of|for)\s+(?:the\s+)?(?:project|logs?|production|prod|preview|staging)\b"
    r"|please\b)"
    r"|[\s,]+(?:please|thanks|thank you|asap)\b|\s*[?!]|\s*$",
    _I,
)
_LEADING = re.compile(r"^(?:the|a|an|any|all)\s+", _I)


def search_terms(text: str) -> str | None:
    """What to look for in the logs: a quote, what follows "query the logs:", or the words
    after "for", "containing", "matching", "mentioning", "about", "where"... up to the time
    range or the project."""
    if q := quoted(text):
        return q[0].group(2).strip()
    if m := re.search(r"\blogs?\s*:\s*(\S.*)$", text, _I):
        return _up_to_end(m.group(1))
    for m in _QUERY_INTRO.finditer(text):
        terms = _up_to_end(text[m.end() :])
        if terms and not re.match(r"(?:project|logs?|errors?)\b", terms, _I):
            return terms
    return None


def _up_to_end(rest: str) -> str | None:
    end = _QUERY_END.search(rest)
    return _LEADING.sub("", rest[: end.start() if end else len(rest)].strip()) or None


_ENV_KEY = re.compile(r"\b([A-Z][A-Z0-9_]{2,})\b")
_NOT_KEYS = frozenset({"API", "CPU", "URL", "HTTP", "HTTPS", "DNS", "TLS", "SSL", "AWS", "GCP"})


def env_key(text: str) -> str | None:
    """An environment variable's key: a word in capitals (`DATABASE_URL`), not an acronym
    a sentence uses for something else (API, CPU, URL)."""
    for m in _ENV_KEY.finditer(text):
        if m.group(1) not in _NOT_KEYS:
            return m.group(1)
    return None
