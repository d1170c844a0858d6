"""Masking: turning a log message into tokens where values are `<*>`.

Values are recognised by shape: any token holding a digit (numbers, ids, IPs, times, hex),
except names that end in one digit (eth0, ssh2); host names; URLs; email addresses; paths;
MAC-like hex runs; quoted strings; month and weekday names next to a number; and empty values
(`()`, `key=` with nothing after it). Words made only of letters are never masked here: telling
an alphabetic value (a user name) from a constant word needs evidence across many lines, which
is the miner's job.

Speed matters (a drain delivery holds thousands of lines), so messages are split on whitespace
and each distinct whitespace-separated chunk is masked once and cached.
"""

from __future__ import annotations

import re

WILDCARD = "<*>"

_MONTHS_AND_DAYS = frozenset(
    {
        *("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        *("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    }
)
# Quoted values may hold spaces, so they are masked before splitting.
_QUOTED = re.compile(r"\"[^\"]*\"|(?<!\w)'[^']*'(?!\w)")
# Inside a chunk: runs of two or more dots, single delimiters, and everything else.
_PIECE = re.compile(r"\.{2,}|[=,;:()\[\]{}<>]|(?:[^=,;:()\[\]{}<>.]|\.(?!\.))+")
_DIGIT = re.compile(r"\d")
# Names that end in one digit are usually names, not values: eth0, alt0, sda1, ssh2, md5.
_NAME_WITH_DIGIT = re.compile(r"^[A-Za-z][A-Za-z_]*\d$")
# Host names: dotted labels ending in a top-level-domain-like label (a.example.com, x.co.uk).
_HOST = re.compile(r"^(?:[A-Za-z0-9-]+\.)+[a-z]{2,6}\.?$")
# Shapes that span delimiters inside a chunk; each becomes one value.
_SPANNING = re.compile(
    r"[a-z][a-z0-9+.-]*://[^\s\"'<>]+"  # URLs
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # email addresses
    r"|(?<![\w:])(?:[0-9A-Fa-f]{2}[:-]){5,}[0-9A-Fa-f]{2}(?![\w:])"  # MAC-like hex runs
)
_SENTINEL = "\x00"
_DELIMITED = re.compile(r"[=,;:()\[\]{}<>@]|\.\.")
_VALUE_ONLY = (WILDCARD,)
_OPENERS = "([{"
_CLOSERS = {")": "(", "]": "[", "}": "{"}

_cache: dict[str, tuple[str, ...]] = {}
_CACHE_LIMIT = 200_000


def _is_value(piece: str) -> bool:
    if _DIGIT.search(piece):
        return not _NAME_WITH_DIGIT.match(piece)
    if piece[0] == "/" or piece.startswith(("./", "../")):
        return "/" in piece[1:]  # a path
    return piece == _SENTINEL or bool(_HOST.match(piece))


def _chunk(chunk: str) -> tuple[str, ...]:
    """The masked pieces of one whitespace-separated chunk."""
    if chunk == WILDCARD:
        return _VALUE_ONLY
    if not _DELIMITED.search(chunk):
        return _VALUE_ONLY if _is_value(chunk) else (chunk,)
    if "://" in chunk or "@" in chunk or chunk.count(":") + chunk.count("-") >= 5:
        chunk = _SPANNING.sub(_SENTINEL, chunk)
    out: list[str] = []
    for piece in _PIECE.findall(chunk):
        if piece in _CLOSERS and out and out[-1] == _CLOSERS[piece]:
            out.append(WILDCARD)  # an empty value: "()" or "[]"
        out.append(WILDCARD if _is_value(piece) else piece)
    if chunk.endswith("="):
        out.append(WILDCARD)  # "key=" with nothing after it: an empty value
    return tuple(out)


def tokens(message: str, cache: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """The masked tokens of `message`: values are `<*>`, and runs of values are one `<*>`.

    `cache` memoises chunks (a miner passes its own); by default a module-wide one is used."""
    if '"' in message or "'" in message:
        message = _QUOTED.sub(" " + WILDCARD + " ", message)
    if cache is None:
        cache = _cache
    out: list[str] = []
    for chunk in message.split():
        pieces = cache.get(chunk)
        if pieces is None:
            pieces = _chunk(chunk)
            if pieces is not _VALUE_ONLY:  # one-off values (ids, numbers) are not worth keeping
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()
                cache[chunk] = pieces
        for piece in pieces:
            if piece == WILDCARD and out and out[-1] == WILDCARD:
                continue
            out.append(piece)
    if len(out) > 1 and not _MONTHS_AND_DAYS.isdisjoint(out):
        # Right to left, so that "Sun Jul 24" masks Jul first and then Sun next to it.
        for i in range(len(out) - 1, -1, -1):
            if out[i] in _MONTHS_AND_DAYS and (
                (i + 1 < len(out) and out[i + 1] == WILDCARD) or (i and out[i - 1] == WILDCARD)
            ):
                out[i] = WILDCARD
        out = [p for i, p in enumerate(out) if not (p == WILDCARD and i and out[i - 1] == WILDCARD)]
    return out
