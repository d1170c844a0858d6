"""Pure parts: delivery parsing and normalisation, masking, mining, the query language."""

from __future__ import annotations

import json
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ops_agent.errors import PayloadTooLarge
from ops_agent.logs.entries import (
    DeliveryError,
    decompress,
    normalise,
    parse_delivery,
    split_items,
)
from ops_agent.logs.masking import WILDCARD, tokens
from ops_agent.logs.mining import TemplateMiner
from ops_agent.logs.query import QuerySyntaxError, parse
from tests.logs.payloads import as_json, as_ndjson, batch, entry, gz


def test_normalise_keeps_documented_fields() -> None:
    row = normalise(entry(7, source="lambda", level="error", status=-1))
    assert row["id"] == "log_00000007" and row["level"] == "error" and row["source"] == "lambda"
    assert row["status_code"] == -1 and row["method"] == "GET" and row["proxy_status"] == -1
    assert row["user_agent"].startswith("Mozilla") and row["client_ip"] == "203.0.113.9"
    assert row["region"] == "iad1" and row["cache"] == "MISS" and row["waf_action"] is None
    assert "duration_ms" not in row  # Vercel sends no duration: latency comes from traces
    assert row["ts"].startswith("2026-11-24T12:00:00.007")


@given(
    texts=st.lists(
        st.one_of(
            st.text(max_size=12),
            st.sampled_from(["a\x00b", "\ud800", "x\udfff", "\\u0000", "\\ud800", "\\"]),
        ),
        min_size=1,
        max_size=4,
    ),
    ascii_only=st.booleans(),
)
@settings(max_examples=200)
def test_the_fast_path_cleans_whatever_the_careful_one_would(
    texts: list[str], ascii_only: bool
) -> None:
    """A delivery skips per-field cleaning only when its JSON holds no escape that can be a NUL
    or a lone surrogate: every body parses as the careful path would parse it."""
    items = [{**entry(i), "message": t, "host": t, "id": f"log_{i}"} for i, t in enumerate(texts)]
    body = json.dumps(items, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    parsed = parse_delivery(body)
    careful = [normalise(item, dirty=True) for item in json.loads(body.decode("utf-8", "replace"))]
    assert parsed.rows == careful
    assert all("\x00" not in r["message"] for r in parsed.rows)


def test_build_and_external_entries_without_proxy() -> None:
    build = entry(1, source="build", status=None, message="Running build in Washington, D.C.")
    assert "proxy" not in build
    row = normalise(build)
    assert row["method"] is None and row["status_code"] is None and row["source"] == "build"


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ("just a string", "not a JSON object"),
        ({"timestamp": 1}, "missing id"),
        ({"id": "x"}, "timestamp"),
        ({"id": "x", "timestamp": "yesterday"}, "timestamp"),
        ({"id": "x", "timestamp": 10**20}, "out of range"),
    ],
)
def test_bad_entries_say_why(item: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalise(item)


def test_json_array_and_ndjson_with_bad_entries() -> None:
    good = batch(3)
    body = json.dumps([*good[:2], {"oops": 1}, good[2]]).encode()
    parsed = parse_delivery(body)
    assert len(parsed.rows) == 3 and [r.index for r in parsed.rejected] == [2]
    nd = as_ndjson(good[:2]) + b"{not json\n" + as_ndjson(good[2:])
    parsed = parse_delivery(nd)
    assert len(parsed.rows) == 3 and len(parsed.rejected) == 1
    assert "not JSON" in parsed.rejected[0].reason


def test_ndjson_is_split_on_newlines_only_and_rejections_name_lines() -> None:
    """U+2028, U+2029 and U+0085 are legal inside a JSON string: they do not end a line. A
    rejection's index is its line, counting from 0, blank lines included."""
    good = batch(3)
    good[1]["message"] = "cache refreshed\u2028(in the background)\u2029next\x85end"
    lines = [json.dumps(good[0]), "", json.dumps(good[1], ensure_ascii=False), "{bad", "[]"]
    lines.append(json.dumps({"id": "x"}))  # no timestamp
    lines.append(json.dumps(good[2]) + "\r")  # CRLF
    parsed = parse_delivery("\n".join(lines).encode())
    assert len(parsed.rows) == 3
    assert parsed.rows[1]["message"] == good[1]["message"]
    assert [r.index for r in parsed.rejected] == [3, 4, 5]


def test_a_number_past_the_digit_limit_rejects_its_line_only() -> None:
    """Python refuses to read an integer of more than 4,300 digits with a plain ValueError,
    no JSONDecodeError: on an NDJSON line it is that line's rejection, not a failed delivery."""
    good = batch(2)
    huge = b'{"id": "x", "timestamp": ' + b"9" * 5000 + b"}\n"
    parsed = parse_delivery(as_ndjson(good[:1]) + huge + as_ndjson(good[1:]))
    assert len(parsed.rows) == 2 and [r.index for r in parsed.rejected] == [1]
    assert "not JSON" in parsed.rejected[0].reason and "digits" in parsed.rejected[0].reason


@pytest.mark.parametrize(
    "body",
    [
        b'[{"a": 1, "a": 2}]',
        b"[123456789012345678901234567890, 1.0000000000000002, 5e-324, 1e400, -0.0]",
        b"[NaN, Infinity, -Infinity, true, null]",
        b'["\\ud800", "\\u0000", "a\\u2028b"]',  # a lone surrogate: the fallback reads it
        b'["\xff\xfe not utf-8"]',
        b"[" * 300 + b"]" * 300,  # deeper than the fast parser goes
    ],
)
def test_the_fast_json_reader_answers_as_the_standard_library(body: bytes) -> None:
    assert repr(split_items(body)[0]) == repr(
        list(enumerate(json.loads(body.decode("utf-8", errors="replace"))))
    )


@pytest.mark.parametrize("body", [b"hello", b"[1, 2", b"{broken\n{also broken\n"])
def test_undeliverable_bodies(body: bytes) -> None:
    with pytest.raises(DeliveryError):
        parse_delivery(body)


def test_gzip_and_deflate_and_bombs() -> None:
    raw = as_json(batch(5))
    assert decompress(gz(raw), "gzip", 10**6) == raw
    assert decompress(zlib.compress(raw), "deflate", 10**6) == raw
    with pytest.raises(PayloadTooLarge, match="inflates past"):
        decompress(gz(b"0" * 100_000), "gzip", 1000)
    with pytest.raises(DeliveryError, match="not valid"):
        decompress(b"not gzip", "gzip", 1000)
    with pytest.raises(DeliveryError, match="unsupported"):
        decompress(raw, "br", 1000)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "Connection to 10.0.0.1:5432 refused after 150 ms",
            "Connection to <*> : <*> refused after <*> ms",
        ),
        ("GET https://api.example.com/v1/x?a=1 failed", "GET <*> failed"),
        ("request 3fa85f64-5717-4562-b3fc-2c963f66afa6 done", "request <*> done"),
        ("open /var/task/api/index.js failed", "open <*> failed"),
        # an absolute path of one segment, a route's own syntax, and punctuation after it
        ("Not Found: /healthz", "Not Found : <*>"),
        ("Revalidated / in 120ms", "Revalidated <*> in <*>"),
        ("Route /blog/[slug] failed", "Route <*> failed"),
        ("Route /users/:id, /a/b). done", "Route <*> , <*> ) . done"),
        ("npm warn deprecated @vercel/og@0.6.2: gone", "npm warn deprecated <*> : gone"),
        ("mail to ops@example.com bounced", "mail to <*> bounced"),
        ('value "quoted thing" rejected', "value <*> rejected"),
        ("host db.internal.example.com down", "host <*> down"),
        ("iface eth0 up", "iface eth0 up"),
        ("at Sun Jul 24 02:38:22 2005", "at <*>"),  # a time of day is one value
        # a list of values; a size in its unit, and restated in brackets; a compared amount
        ('10.11.21.122,10.11.10.1 "GET /a HTTP/1.1"', "<*> GET <*>"),
        ("stored (size 93.0 B, free 317.1 KB)", "stored ( size <*> , free <*> )"),
        ("1190 bytes (1.16 KB) sent, lifetime <1 sec", "<*> bytes sent , lifetime <*>"),
        ("0 bytes sent, lifetime 00:02", "<*> bytes sent , lifetime <*>"),
        ("sent 5, (3 KB) in all", "sent <*> , ( <*> ) in all"),  # no restatement after a comma
        ("took 160 ms (3 retries)", "took <*> ms ( <*> retries )"),  # a time unit is a word
        ("logname= uid=0", "logname = <*> uid = <*>"),
        ("connection from 1.2.3.4 () at x", "connection from <*> ( <*> ) at x"),
    ],
)
def test_masking(message: str, expected: str) -> None:
    assert " ".join(tokens(message)) == expected


WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8)
VALUES = st.one_of(
    st.integers(0, 10**9).map(str),
    st.ip_addresses(v=4).map(str),
    st.uuids().map(str),
    st.integers(0, 10**6).map(lambda n: f"{n}ms"),
    st.integers(0, 2**32).map(lambda n: f"0x{n:x}"),
    # values written over several pieces: a size and its unit, a time, a list
    st.tuples(
        st.floats(0, 10**6, allow_nan=False).map(lambda x: f"{x:.1f}"),
        st.sampled_from(["B", "KB", "kB", "MB", "GiB"]),
    ).map(" ".join),
    st.times().map(str),
    st.lists(st.ip_addresses(v=4).map(str), min_size=2, max_size=3).map(",".join),
)


@settings(max_examples=300, deadline=None)
@given(
    skeleton=st.lists(st.one_of(WORDS, st.just(None)), min_size=2, max_size=10),
    values=st.lists(VALUES, min_size=10, max_size=10),
    others=st.lists(VALUES, min_size=10, max_size=10),
    position=st.integers(0, 9),
    replacement=WORDS,
)
def test_masking_never_merges_different_constant_words(
    skeleton: list[str | None],
    values: list[str],
    others: list[str],
    position: int,
    replacement: str,
) -> None:
    """Two lines that differ in a constant word never mask to the same tokens, whatever the
    values around them; two lines that differ only in values always do."""
    words = [w for w in skeleton if w is not None]
    if not words:
        return

    def line(vals: list[str], swap: str | None = None) -> str:
        out, k = [], 0
        for w in skeleton:
            if w is None:
                out.append(vals[k % len(vals)])
                k += 1
            else:
                out.append(w)
        if swap is not None:
            indices = [i for i, w in enumerate(skeleton) if w is not None]
            out[indices[position % len(indices)]] = swap
        return " ".join(out)

    assert tokens(line(values)) == tokens(line(others))
    target = [w for w in skeleton if w is not None][position % len(words)]
    if replacement != target:
        assert tokens(line(values)) != tokens(line(values, swap=replacement))


def test_miner_groups_values_and_learns_word_variables() -> None:
    m = TemplateMiner()
    a = m.add("Connection to 10.0.0.1 refused after 150 ms")
    b = m.add("Connection to 10.0.0.2 refused after 99 ms")
    assert a == b and m.template(a).text == "Connection to <*> refused after <*> ms"
    users = [
        m.add(f"Failed password for {u} from 1.2.3.4 port 22 ssh2")
        for u in ("root", "admin", "oracle")
    ]
    assert len({m.resolve(u) for u in users}) == 3  # three names: not yet evidence
    more = m.add("Failed password for guest from 1.2.3.5 port 23 ssh2")
    assert len({m.resolve(u) for u in [*users, more]}) == 1  # four: a variable
    assert "Failed password for <*> from" in m.template(more).text
    assert m.add("Disk full on /dev/sda1") != m.add("Disk quota exceeded on /dev/sda1")


def test_two_instances_sharing_state_agree() -> None:
    first, second = TemplateMiner(), TemplateMiner()
    for u in ("root", "admin", "oracle", "guest"):
        first.add(f"Invalid user {u} from 10.0.0.{len(u)}")
    second.load(first.take_changes())
    assert second.add("Invalid user bob from 10.0.0.9") == first.add(
        "Invalid user bob from 10.0.0.9"
    )
    assert first.take_changes() == [] or all(t.id for t in first.take_changes())


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ("(a b", 4),
        ('"open', 0),
        ("foo:bar", 0),
        ("status:abc", 0),
        ("a OR", 4),
        ("x*", 0),
        (")", 0),
    ],
)
def test_bad_queries_say_where(query: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    assert info.value.position == position


def test_query_tree() -> None:
    tree = parse('level:error status:>=500 path:/api/* "connection refused" -source:static')
    assert tree["op"] == "and"
    kinds = [(a["op"], a.get("field"), a.get("cmp")) for a in tree["args"]]
    assert kinds == [
        ("field", "level", "="),
        ("field", "status", ">="),
        ("field", "path", "glob"),
        ("phrase", None, None),
        ("not", None, None),
    ]
    assert parse("a OR b c") == {
        "op": "or",
        "args": [
            {"op": "word", "value": "a"},
            {"op": "and", "args": [{"op": "word", "value": "b"}, {"op": "word", "value": "c"}]},
        ],
    }
    assert parse("") == {"op": "and", "args": []}
    assert WILDCARD == "<*>"


@pytest.mark.parametrize("depth", [33, 300])
def test_nesting_is_bounded_with_a_position(depth: int) -> None:
    """Deep parentheses or NOT chains are a syntax error naming where, never a RecursionError
    (nor a Postgres stack overflow later)."""
    for query in ("(" * depth + "x" + ")" * depth, "NOT " * depth + "x"):
        with pytest.raises(QuerySyntaxError, match="nests more than 32") as refused:
            parse(query)
        assert refused.value.position >= 0
    assert parse("(" * 32 + "x" + ")" * 32) is not None
