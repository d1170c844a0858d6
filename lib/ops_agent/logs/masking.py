"""Masking: turning a log message into tokens where values are `<*>`.

Values are recognised by shape: any token holding a digit (numbers, ids, IPs, times, hex),
except names that end in one digit (eth0, ssh2); hex ids without one (`afcebbfc`); host
names; URLs; email addresses; a package at its version (`@vercel/og@0.6.2`); paths (Windows,
and any absolute Unix path, of one segment or with a route's syntax in it: `/healthz`,
`/blog/[slug]`); an HTTP status code with its reason phrase (`404 Not Found`); MAC-like hex
runs; a list of values with commas and no spaces between (`10.0.0.2,10.0.0.1`); a time of
day or a duration written with colons (`12:01:01.5`, `00:02`); a size with its unit (`93.0 B`,
`5.2 KB`), and a size restated in brackets after an amount (`1190 bytes (1.16 KB)`); a
compared amount with its unit (`<1 sec`); quoted strings (double, single or backticks; a
quoted HTTP request line keeps its method, and a structured log's quoted message is its
text); an identifier (see
`is_identifier`) right after `key=`; a namespaced id (`cart:75065`, a drive and its path);
month and weekday names next to a number; and empty values (`()`, `key=` with nothing after
it). Words made only of letters are never masked here (but for hex): telling an alphabetic
value (a user name) from a constant word needs evidence across many lines, which is the
miner's job.

Speed matters (a drain delivery holds thousands of lines), so messages are split on whitespace
and each distinct whitespace-separated chunk is masked once and cached (digit runs are
shortened first, and a long chunk's hex ids written as "0x", so that chunks holding numbers
and ids repeat); a miner caches whole messages too (see `MaskCache`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from http import HTTPStatus

WILDCARD = "<*>"

_MONTHS_AND_DAYS = frozenset(
    {
        *("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        *("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    }
)
# Quoted values may hold spaces, so they are masked before splitting.
# The look-behind comes after the opening quote, so that the scan can skip to a quote mark.
_QUOTED = re.compile(r"\"[^\"]*\"|'(?<!\w')[^']*'(?!\w)|`[^`]*`")
# Structured logs quote their message: klog writes `"Probe failed" pod="a/b"`, logfmt and Go's
# slog write `msg="Probe failed"`. That text is the template, not a value, so its quotes go.
_KLOG_MESSAGE = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"(?=\s|$)')  # matched at the start only
# The look-behind (no longer key such as `errmsg=`) follows the `m`, so the scan skips to one.
_LOGFMT_MESSAGE = re.compile(r'(m(?<![\w.-]m)(?:sg|essage))="([^"\\]*(?:\\.[^"\\]*)*)"')
# A quoted HTTP request line keeps its method: `"GET /a HTTP/1.1"` and `"POST /a HTTP/1.1"` are
# different events (as Loghub's OpenStack templates have them), their targets values.
_REQUEST_LINE = re.compile(r'"(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|CONNECT|TRACE) [^"]*"')
# Inside a chunk: runs of two or more dots, a dot that ends it (a sentence's: `Started
# Certbot.` ends in the word `Certbot`), single delimiters, and everything else.
_PIECE = re.compile(r"\.{2,}|\.$|[=,;:()\[\]{}<>]|(?:[^=,;:()\[\]{}<>.]+|\.(?!\.|$))+")
_DIGIT = re.compile(r"\d")
# HTTP reason phrases, as Python's, Go's and Node's standard libraries and RFC 9110 write
# them. Digit runs are shortened before a message is masked, so a code is no longer known: a
# phrase counts after any number of two digits or more ("00" by then).
_REASONS = frozenset(
    {status.phrase for status in HTTPStatus}
    | {"Payload Too Large", "Content Too Large", "URI Too Long", "Request URI Too Long"}
    | {"Range Not Satisfiable", "I'm a Teapot", "I'm a teapot", "Unprocessable Content"}
)
_REASON_WORDS = max(len(p.split()) for p in _REASONS)
# "00" and the capitalised words after it that may open a phrase (`_code_only` keeps the
# longest phrase among them): a small pattern, where one alternative per phrase took
# milliseconds to compile in every cold start.
_STATUS_REASON = re.compile(rf"00 ((?:[A-Z]|I')[\w'-]*(?: [\w'-]+){{0,{_REASON_WORDS - 1}}})")
# A chunk that starts with "/" is a path, up to the punctuation that ends it (_AFTER_PATH),
# unless it holds a quote or an angle bracket.
_NOT_IN_PATH = re.compile("[\"'`<>]")
_AFTER_PATH = frozenset(",;:.)]}")
# Names that end in one digit are usually names, not values: eth0, alt0, sda1, ssh2, md5.
_NAME_WITH_DIGIT = re.compile(r"^[A-Za-z][A-Za-z_]*\d$")
# Host names: dotted labels ending in a top-level-domain-like label (a.example.com, x.co.uk).
_HOST = re.compile(r"^(?:[A-Za-z0-9-]+\.)+[a-z]{2,6}\.?$")
# Shapes that span delimiters inside a chunk; each becomes one value.
_SPANNING = re.compile(
    r"[a-z][a-z0-9+.-]*://[^\s\"'<>]+"  # URLs
    r"|(?:@[\w.-]+/)?[\w.-]+@[0-9][\w.+-]*"  # a package at a version (`@vercel/og@0.6.2`)
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # email addresses
    r"|(?<![\w:])(?:[0-9A-Fa-f]{2}[:-]){5,}[0-9A-Fa-f]{2}(?![\w:])"  # MAC-like hex runs
)
# A hex id that happens to hold no digit (`afcebbfc`): eight letters or more from a to f,
# which no word of a message is.
_HEX_LETTERS = re.compile(r"[a-f]{8,}|[A-F]{8,}")
_SENTINEL = "\x00"
_IDENTIFIER = re.compile(r"[_./$-]")
# A class's name: capitals that start words run together (`KeyError`, `OrdersController`). A
# lower camel name (`tickTime`, `clusterAddMember`) is as often the subject of its own event
# (Loghub's `tickTime set to <*>`).
_CLASS_NAME = re.compile(r"[A-Z][a-z]+[A-Z]")
_DELIMITED = re.compile(r"[=,;:()\[\]{}<>@]|\.\.|\.$")
# Size units, part of the amount before them: a size is written in the unit its magnitude
# calls for (`93.0 B`, `5.2 KB`), so the unit varies with the value. Time units stay words
# (`took <*> ms`), but in a compared amount (below).
_SIZE_UNITS = frozenset(
    {"B", "kB", "KB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", "PiB"}
)
# An amount compared, with its unit if it has one (`<1 sec`, `>=500 ms`, `~3`): a rendering
# for people of an amount that is written as a plain number otherwise (`00:02`).
# The look-behind follows the sign, so that the scan can skip to one.
_SIZE_UNIT = "|".join(sorted(_SIZE_UNITS, key=lambda unit: (-len(unit), unit)))
_COMPARED = re.compile(
    r"[<>~](?<!\S.)=?[0-9][0-9.]*(?: ?(?:ns|us|µs|ms|s|sec|secs|min|mins|h|hr|hrs"
    rf"|{_SIZE_UNIT}|bytes?|seconds?|minutes?|hours?))?(?![\w.])"
)
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_VALUE_ONLY = (WILDCARD,)
_OPENERS = "([{"
_CLOSERS = {")": "(", "]": "[", "}": "{"}

# Runs of two or more digits written as "00" before the split: masking only asks whether a
# piece holds a digit and whether it ends in exactly one, and both answers stay the same, but
# chunks such as `10.0.0.151:8080` now repeat, so the chunk cache answers them.
_DIGIT_RUN = re.compile(r"[0-9][0-9]+")  # ASCII only: a quarter faster than `\d`, same answers

# A run of four hex digits or more holding a digit and a letter, standing alone in its piece
# of a chunk: a value whatever its digits (a piece holding a digit is one), so writing it as
# _HEX_ID changes no answer. Letters and one final digit (`deadbee5`) could be a name (see
# _NAME_WITH_DIGIT), so those are left alone. Neither the run nor _HEX_ID is a number, which a
# colon could join into a time of day.
_HEX_RUN = re.compile(
    r"(?<![0-9A-Za-z_])(?=[a-fA-F]*[0-9])(?=[0-9]*[a-fA-F])(?![a-fA-F]+[0-9](?![0-9A-Za-z_]))"
    r"[0-9a-fA-F]{4,}(?![0-9A-Za-z_])"
)
_HEX_ID = "0x"
_HEX_CHUNK = 12  # shorter chunks are quicker masked than searched for hex

_cache: dict[str, tuple[str, ...]] = {}
_CACHE_LIMIT = 200_000
# Whole messages cached per miner: at most this many, each at most this long (a few MB at
# worst in a function instance; a system's repeating messages are a few hundred).
_MESSAGE_CACHE_LIMIT = 10_000
_MESSAGE_CACHE_LENGTH = 1_000


# Tokens repeat, so a lookup is cheaper than the test; each cache is bounded (a few MB at worst).
@lru_cache(maxsize=1 << 14)
def is_identifier(token: str) -> bool:
    """A name a program made rather than a word of its message: `fe_http`, `api-b`,
    `be_api/web`, `prisma.user`, `$LATEST`, `KeyError` (no digits; those are values already).
    Such a token is far more often a value than a constant, so the miner needs less evidence."""
    return len(token) > 1 and (
        token[0] in "$_"
        or _IDENTIFIER.search(token, 1, len(token) - 1) is not None
        or _CLASS_NAME.match(token) is not None
    )


@lru_cache(maxsize=1 << 14)
def _is_value(piece: str) -> bool:
    if _DIGIT.search(piece):
        return not _NAME_WITH_DIGIT.match(piece)
    if piece[0] == "/":
        return True  # an absolute path, one segment (`/healthz`) or the root included
    if piece.startswith(("./", "../")):
        return "/" in piece[1:]  # a relative path
    if "\\" in piece:
        return True  # a Windows path (with its drive: `C:` and a value are one value)
    return piece == _SENTINEL or bool(
        ("." in piece and _HOST.match(piece)) or (len(piece) >= 8 and _HEX_LETTERS.fullmatch(piece))
    )


def _path_end(chunk: str) -> int:
    """Where a path that starts `chunk` ends: before the punctuation that ends the chunk, but
    for a bracket closing one the path opened (`/blog/[slug]`)."""
    end = len(chunk)
    while end > 1 and chunk[end - 1] in _AFTER_PATH:
        closer = chunk[end - 1]
        opener = _CLOSERS.get(closer)
        if opener and chunk.count(opener, 0, end - 1) >= chunk.count(closer, 0, end):
            break
        end -= 1
    return end


def _spanning_values(message: str) -> str:
    """`message` (digit runs shortened) with values that span words written as one: an HTTP
    status's reason phrase after its code (`404 Not Found`) and a compared amount with its
    unit (`<1 sec`)."""
    if "00 " in message:
        message = _STATUS_REASON.sub(_code_only, message)
    if "<" in message or ">" in message or "~" in message:
        message = _COMPARED.sub("00", message)
    return message


def _code_only(match: re.Match[str]) -> str:
    # The pattern starts with its literal, which the scanner skips to; what stands before the
    # code is looked at here: a number that ends a version or a name (`v1.200 OK`) is none.
    before = match.string[match.start() - 1] if match.start() else " "
    if before.isalnum() or before in "_.":
        return match[0]
    words = match[1].split(" ")
    for n in range(len(words), 0, -1):
        if " ".join(words[:n]) in _REASONS:
            return " ".join(("00", *words[n:]))
    return match[0]


def _may_span(chunk: str) -> bool:
    """Whether `chunk` may hold a shape that spans delimiters (see _SPANNING)."""
    return "://" in chunk or "@" in chunk or chunk.count(":") + chunk.count("-") >= 5


def _chunk(chunk: str) -> tuple[str, ...]:
    """The masked pieces of one whitespace-separated chunk."""
    if chunk == WILDCARD:
        return _VALUE_ONLY
    if chunk[0] == "/" and not _NOT_IN_PATH.search(chunk):
        # An absolute path is one value whatever it holds: a route's segments (`/blog/[slug]`,
        # `/users/:id`), a query, a line number; only punctuation after it is not.
        end = _path_end(chunk)
        return _VALUE_ONLY + _chunk(chunk[end:]) if end < len(chunk) else _VALUE_ONLY
    if not _DELIMITED.search(chunk):
        return _VALUE_ONLY if _is_value(chunk) else (chunk,)
    if _may_span(chunk):
        chunk = _SPANNING.sub(_SENTINEL, chunk)
    out: list[str] = []
    value = ""  # the last piece that was a value
    for piece in _PIECE.findall(chunk):
        if piece in _CLOSERS and out and out[-1] == _CLOSERS[piece]:
            out.append(WILDCARD)  # an empty value: "()" or "[]"
        after_equals = out and out[-1] == "=" and is_identifier(piece)
        if not (after_equals or _is_value(piece)):
            out.append(piece)
            continue
        if (
            len(out) > 1
            and out[-2] == WILDCARD
            and (
                out[-1] == ","  # a list of values, "10.0.0.2,10.0.0.1", is one value
                or (out[-1] == ":" and _NUMBER.fullmatch(piece) and _NUMBER.fullmatch(value))
            )
        ):  # and so is a time of day or a duration, "12:01:01.5", "00:02"
            out.pop()
        else:
            out.append(WILDCARD)
        value = piece
    if chunk.endswith("="):
        out.append(WILDCARD)  # "key=" with nothing after it: an empty value
    if len(out) == 3 and out[1] == ":" and out[2] == WILDCARD and out[0] != WILDCARD:
        return _VALUE_ONLY  # "cart:75065": a namespaced id (a cache key, a tag) is one value
    return tuple(out)


def tokens(message: str, cache: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """The masked tokens of `message`: values are `<*>`, and runs of values are one `<*>`.

    `cache` memoises chunks (a miner passes its own); by default a module-wide one is used."""
    shortened = _spanning_values(_DIGIT_RUN.sub("00", message))
    return list(_split(_unquoted(shortened), _cache if cache is None else cache))


@dataclass
class MaskCache:
    """What one miner has masked already, so that it masks each thing once: chunks, whole
    lines as they came (a system repeats many word for word), whole messages once digit runs
    are shortened (most lines of a system repeat one of a few hundred messages), and messages
    once their quoted values are masked too (a structured log's lines differ mostly inside
    quotes: klog's `pod="…" podUID="…"`). Bounded: each message cache holds at most
    _MESSAGE_CACHE_LIMIT messages of up to _MESSAGE_CACHE_LENGTH characters."""

    chunks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lines: dict[str, tuple[str, ...]] = field(default_factory=dict)
    messages: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unquoted: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def masked(self, line: str) -> tuple[str, ...]:
        """`tokens(line)` as a tuple."""
        found = self.lines.get(line)
        if found is not None:
            return found
        message = _DIGIT_RUN.sub("00", line)
        found = self.messages.get(message)
        if found is None:
            plain = _spanning_values(message)
            text = _unquoted(plain)
            if text is plain:  # no quotes
                found = _split(text, self.chunks)
            else:
                found = self.unquoted.get(text)
                if found is None:
                    found = _split(text, self.chunks)
                    _keep(self.unquoted, text, found)
            _keep(self.messages, message, found)
        _keep(self.lines, line, found)
        return found


def _keep(cache: dict[str, tuple[str, ...]], message: str, found: tuple[str, ...]) -> None:
    if len(message) <= _MESSAGE_CACHE_LENGTH:
        if len(cache) >= _MESSAGE_CACHE_LIMIT:
            cache.clear()
        cache[message] = found


def _unescaped(text: str) -> str:
    return text.replace('\\"', '"')


def _logfmt_text(match: re.Match[str]) -> str:
    """logfmt's or slog's `msg="..."` as its key and plain text."""
    return f"{match[1]} {_unescaped(match[2])} "


def _unquoted(message: str) -> str:
    """A message whose digit runs are shortened already (the quoted shapes hold no digit that
    matters, so shortening first changes nothing) with its quoted values masked and a
    structured log's quoted message as plain text; the message itself when it has no quote."""
    if '"' in message or "'" in message or "`" in message:
        if message[0] == '"' and (opening := _KLOG_MESSAGE.match(message)):
            message = _unescaped(opening[1]) + " " + message[opening.end() :]
        if 'msg="' in message or 'message="' in message:
            message = _LOGFMT_MESSAGE.sub(_logfmt_text, message)
        if '"' in message:
            message = _REQUEST_LINE.sub(r" \1 " + WILDCARD + " ", message)
        message = _QUOTED.sub(" " + WILDCARD + " ", message)
    return message


def _split(message: str, cache: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The tokens of a message whose quotes are masked already: chunk by chunk (`cache`
    memoises them), then month and weekday names next to a value."""
    out: list[str] = []
    for chunk in message.split():
        pieces = cache.get(chunk)
        if pieces is None and len(chunk) >= _HEX_CHUNK and not _may_span(chunk):
            # A chunk with a hex id in it (`send_receipt[9f2c…]`, `session:4be1…`) is a
            # one-off; with its ids written as _HEX_ID it repeats. Not one that may hold a URL
            # or a MAC address: a hex run can be a scheme's start (`0ca://`) or stand next to one.
            chunk = _HEX_RUN.sub(_HEX_ID, chunk)
            pieces = cache.get(chunk)
        if pieces is None:
            pieces = _chunk(chunk)
            # Hex ids and the like are one-offs, not worth keeping; numbers now repeat.
            if pieces is not _VALUE_ONLY or "00" in chunk or _HEX_ID in chunk or len(chunk) < 8:
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()
                cache[chunk] = pieces
        # A chunk never holds two values in a row, so runs can only meet at its edge.
        if out and pieces[0] == WILDCARD and out[-1] == WILDCARD:
            out += pieces[1:]
        else:
            out += pieces
    if "B" in message and len(out) > 1 and not _SIZE_UNITS.isdisjoint(out):  # B: every unit
        out = _amounts(out)
    if len(out) > 1 and not _MONTHS_AND_DAYS.isdisjoint(out):
        # Right to left, so that "Sun Jul 24" masks Jul first and then Sun next to it.
        for i in range(len(out) - 1, -1, -1):
            if out[i] in _MONTHS_AND_DAYS and (
                (i + 1 < len(out) and out[i + 1] == WILDCARD) or (i and out[i - 1] == WILDCARD)
            ):
                out[i] = WILDCARD
        out = [p for i, p in enumerate(out) if not (p == WILDCARD and i and out[i - 1] == WILDCARD)]
    return tuple(out)


def _amounts(tokens: list[str]) -> list[str]:
    """`tokens` with each size unit after a value made part of it (`<*> KB` is `<*>`), and a
    bracketed size right after a value, or after a value and its unit word, dropped as a
    restatement of it (`<*> bytes ( <*> KB )` is `<*> bytes`); values that meet are one."""
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        word = tokens[i]
        i += 1
        if out and out[-1] == WILDCARD and (word == WILDCARD or word in _SIZE_UNITS):
            continue
        if (
            word == "("
            and i + 2 < n
            and tokens[i] == WILDCARD
            and tokens[i + 1] in _SIZE_UNITS
            and tokens[i + 2] == ")"
            and out
            and (
                out[-1] == WILDCARD or (len(out) > 1 and out[-2] == WILDCARD and out[-1].isalpha())
            )
        ):
            i += 3
            continue
        out.append(word)
    return out
