"""Template mining on logs written here for systems Loghub does not have (tests/log_corpus.py),
and the general rules behind it: identifiers, `key=value`, backticks, short context."""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ops_agent.logs import masking
from ops_agent.logs.masking import MaskCache, is_identifier, tokens
from ops_agent.logs.mining import TemplateMiner
from tests.log_corpus import SYSTEMS, System, drain3, grouping_accuracy, ours

# What the miner scores today on each of our systems (python bench/template_mining.py prints
# it beside Drain3): a floor, so that a change that loses generality shows.
FLOORS = {
    "nginx": 1.0,
    "haproxy": 1.0,
    "syslog": 1.0,
    "cloud": 1.0,
    "postgres": 1.0,
    "vercel-functions": 1.0,
    "redis": 1.0,
    "kubelet": 1.0,
    "spring": 1.0,
    "rails": 1.0,
    # A target's name after `Reached target`: free text with little constant context that
    # recurs nowhere else, so nothing shows it is a value (Drain3: 0.21; 0.62 before objects).
    "systemd": 0.92,
    "dockerd": 1.0,
    "celery": 1.0,
    "kafka": 1.0,
    # `connect from unknown[…]`: Postfix's word for a client without a name, where others
    # have a host name (a value), with only two constant words around it (Drain3: 0.78).
    "postfix": 0.88,
    "prometheus": 1.0,
    "mysql": 1.0,
    "rabbitmq": 1.0,
    "mongodb": 1.0,
    "nginx-access": 1.0,
    "elasticsearch": 1.0,
    "etcd": 1.0,
    "cassandra": 1.0,
    "openvpn": 1.0,
    "traefik": 1.0,
    # No floor for Envoy's access log: a line of values but for its method and its response
    # flags (`UF`, `UH`, `-`), which vary as freely as the status and are labelled values; with
    # two constant words around them nothing tells them from the method. 0.000, as Drain3.
}


@pytest.mark.parametrize("system", [s for s in SYSTEMS if s.name in FLOORS], ids=str)
def test_our_own_systems_hold_their_floor(system: System) -> None:
    lines, labels = system.lines()
    assert grouping_accuracy(labels, ours(lines)) >= FLOORS[system.name]


@pytest.mark.parametrize("system", SYSTEMS, ids=str)
def test_no_system_of_ours_is_grouped_worse_than_by_drain3(system: System) -> None:
    """Drain3 with its defaults, on the same lines: the issue's bar for systems the miner was
    not shaped on (several of these were written and run before any rule was changed)."""
    lines, labels = system.lines()
    assert grouping_accuracy(labels, ours(lines)) >= grouping_accuracy(labels, drain3(lines))


HELD_OUT = Path(__file__).resolve().parents[2] / "bench" / "data" / "loghub-heldout"


def _held_out(name: str) -> tuple[list[str], list[str]]:
    with (HELD_OUT / name / f"{name}_sample.log_structured.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["Content"] for r in rows], [r["EventId"] for r in rows]


@pytest.mark.parametrize("name", sorted(p.name for p in HELD_OUT.iterdir() if p.is_dir()))
def test_no_held_out_loghub_system_is_grouped_worse_than_by_drain3(name: str) -> None:
    """Labelled lines of the eight Loghub systems the miner was not developed on (see their
    README: each run was measured before any rule changed for it), against Drain3's grouping."""
    lines, labels = _held_out(name)
    assert len(lines) >= 40 and len(set(labels)) >= 3
    assert grouping_accuracy(labels, ours(lines)) >= grouping_accuracy(labels, drain3(lines))


def test_the_corpus_is_labelled_and_repeatable() -> None:
    for system in SYSTEMS:
        lines, labels = system.lines(200)
        assert (lines, labels) == system.lines(200)
        assert set(labels) <= set(system.templates) and len(set(labels)) > 3


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("fe_http", True),
        ("api-b", True),
        ("be_api/web", True),
        ("prisma.user.update", True),
        ("$LATEST", True),
        ("_internal", True),
        ("refused", False),
        ("DOWN", False),
        ("-x", False),  # a flag: the dash leads
        ("end.", False),  # a full stop ends a word
        ("KeyError", True),  # a class
        ("OrdersController", True),
        ("tickTime", False),  # a lower camel name is as often an event's subject
        ("SYNC", False),
        ("Started", False),
    ],
)
def test_what_is_an_identifier(token: str, expected: bool) -> None:
    assert is_identifier(token) is expected


def test_two_identifiers_in_one_place_are_a_value_and_two_words_are_not() -> None:
    m = TemplateMiner()
    a = m.add("Proxy fe_http started.")
    b = m.add("Proxy be_api started.")
    assert m.resolve(a) == m.resolve(b)
    assert m.template(a).text == "Proxy <*> started."
    up, down = m.add("Server web is UP now"), m.add("Server web is DOWN now")
    assert m.resolve(up) != m.resolve(down)


def test_a_generalised_identifier_joins_the_value_next_to_it() -> None:
    """`be_api/web1` masks to one value with the numbers after it; `be_api/api-b` followed by
    the same numbers must end in the same template once it is known to be a value."""
    m = TemplateMiner()
    ids = [
        m.add(f"fe_http {server} 0/0/1/23/24 200 1234 ----")
        for server in ("be_api/web1", "be_api/api-a", "be_api/api-b", "be_api/web2", "be_x/y-z")
    ]
    assert len({m.resolve(i) for i in ids}) == 1


def test_key_values_backticks_and_short_contexts() -> None:
    assert tokens("application_name=pg_bouncer user=root") == [
        "application_name",
        "=",
        "<*>",
        "user",
        "=",
        "root",  # a plain word stays until the miner has evidence
    ]
    assert tokens("Invalid `prisma.user.update()` invocation") == ["Invalid", "<*>", "invocation"]
    request = 'GET /x 200 "POST /api/orders/42 HTTP/1.1" "Mozilla/5.0"'
    assert tokens(request) == ["GET", "<*>", "POST", "<*>"]  # the quoted method stays
    assert tokens(r"Loaded C:\Windows\servicing\TrustedInstaller.exe") == ["Loaded", "<*>"]
    assert tokens("Cache miss for key cart:75065") == ["Cache", "miss", "for", "key", "<*>"]
    assert tokens("Retrying in 5s: ECONNRESET") == ["Retrying", "in", "<*>", ":", "ECONNRESET"]
    m = TemplateMiner()
    users = ["root", "ana", "li", "deploy", "git", "admin", "test", "oracle"]
    ids = []
    for n, user in enumerate(users):
        ids.append(m.add(f"CRON[{n}]: ({user}) CMD (/usr/bin/backup --full)"))
        if n == 3:  # two constant words around the name: four names are not yet evidence
            assert len({m.resolve(i) for i in ids}) == 4
    assert len({m.resolve(i) for i in ids}) == 1  # eight are


def test_a_template_takes_a_word_in_each_hole_with_context_enough_for_each() -> None:
    """Elasticsearch moves indices between phases under policies; once `moving index [<*>]
    to [<*>] in policy [<*>]` is known, a line with words in two of its holes is one more of
    it, as its six constant words are enough for two. A template with fewer is not."""
    m = TemplateMiner()
    for n in range(12):
        m.add(f"moving index [logs-{n}] from [hot] to [warm] in policy [p-{n}]")
    general = m.match("moving index [logs-1] from [hot] to [warm] in policy [p-1]")
    assert m.match("moving index [products] from [hot] to [warm] in policy [metrics]") == general
    for n in range(12):
        m.add(f"index [i-{n}] policy [p-{n}]")
    assert m.match("index [products] policy [metrics]") is None


def test_a_hex_id_without_a_digit_is_a_value() -> None:
    """Eight letters or more from a to f are a hex id that happened to draw no digit; no word
    of a message is made of them (`decade` and `facade` are six)."""
    assert tokens("OK 1705215738 afcebbfc - gsmtp") == ["OK", "<*>", "-", "gsmtp"]
    assert tokens("a decade of facade DEADBEEF") == ["a", "decade", "of", "facade", "<*>"]


def test_a_structured_logs_quoted_message_is_its_text() -> None:
    """klog quotes the message first and logfmt writes it as `msg="..."`: that text is the
    template, while the other quoted values (and one quoted inside it) stay values."""
    assert tokens('"SyncLoop ADD" source="api" pods=["shop/api-7d9f"]') == [
        "SyncLoop",
        "ADD",
        "source",
        "=",
        "<*>",
        "pods",
        "=",
        "[",
        "<*>",
        "]",
    ]
    assert tokens('level=info msg="Listening on \\"main\\"" port=8080') == [
        *("level", "=", "info", "msg", "Listening", "on"),
        *("<*>", "port", "=", "<*>"),  # a quoted name inside the message is a value
    ]
    for key in ("errmsg", "log_msg", "a-msg"):  # other keys' quoted values stay values
        assert tokens(f'{key}="Listening on" port=8080') == [key, "=", "<*>", "port", "=", "<*>"]
    m = TemplateMiner()
    ops = [
        m.add(f'"SyncLoop {op}" source="api" pods=["shop/api-{n}"]')
        for n in range(20)
        for op in ("ADD", "UPDATE", "DELETE")
    ]
    assert len({m.resolve(i) for i in ops}) == 3  # operations, however often each is seen


def test_two_words_that_vary_independently_are_values() -> None:
    """Three databases and three applications, each seen with each: neither position alone
    has the four variants a plain word needs, but together they are values."""
    m = TemplateMiner()
    ids = [
        m.add(f"connection authorized: user=ana database={db} application_name={app}")
        for db in ("shop", "analytics", "postgres")
        for app in ("psql", "pgbouncer", "prisma")
    ]
    assert len({m.resolve(i) for i in ids}) == 1
    assert m.template(ids[0]).text == (
        "connection authorized: user=ana database=<*> application_name=<*>"
    )


def test_three_words_seen_about_equally_often_are_values() -> None:
    """Three users a job runs as, each as often as the others, are a round-robin of values;
    one dominant word with two rare ones is as likely three events, and stays three."""
    m = TemplateMiner()
    ids = [
        m.add(f"session opened for user {user} by (uid={n})")
        for n in range(12)
        for user in ("cyrus", "news", "test")
    ]
    assert len({m.resolve(i) for i in ids}) == 1
    assert m.template(ids[0]).text == "session opened for user <*> by (uid=<*>)"
    m = TemplateMiner()
    skewed = ["root"] * 40 + ["guest"] * 4 + ["test"] * 2
    ids = [
        m.add(f"authentication failure; rhost=10.0.0.{n} user={u}") for n, u in enumerate(skewed)
    ]
    assert len({m.resolve(i) for i in ids}) == 3


def test_words_that_move_together_stay_events() -> None:
    """A state machine visits few of its from-to combinations, and a binary outcome is no
    enumeration: Loghub labels each as its own event, and so does the miner."""
    m = TemplateMiner()
    moves = [("NEW", "UNASSIGNED"), ("UNASSIGNED", "ASSIGNED"), ("ASSIGNED", "RUNNING")]
    moves += [("RUNNING", "SUCCEEDED"), ("RUNNING", "FAILED"), ("FAILED", "KILLED")]
    moves += [("SUCCEEDED", "COMMITTED"), ("KILLED", "CLEANED"), ("NEW", "KILLED")]
    ids = [m.add(f"TaskAttempt job moved from {a} to {b} on the node") for a, b in moves]
    assert len({m.resolve(i) for i in ids}) == len(moves)
    outcomes = [
        m.add(f"{outcome} password for {user} on the console")
        for outcome in ("Accepted", "Failed")
        for user in ("ana", "li", "git")
    ]
    accepted, failed = m.resolve(outcomes[0]), m.resolve(outcomes[-1])
    assert accepted != failed


def test_a_span_of_varying_length_is_one_value() -> None:
    """Commands in brackets and options after a colon hold spaces, so no template of one
    length covers them: seen with enough different contents, about equally often, between
    the same context, the span is one value, and a process that loaded the templates puts a
    command it never saw in the same place."""
    commands = ["test -x /usr/sbin/anacron", "php /srv/app/artisan schedule:run", "ls"]
    m = TemplateMiner()
    cron = [m.add(f"CRON[{n}]: (root) CMD ({commands[n % 3]})") for n in range(30)]
    assert {m.resolve(i) for i in cron} == {m.resolve(cron[0])}
    assert m.template(cron[0]).text == "CRON [<*>]: (root) CMD (<*>)"
    ids = [m.add(f"checkpoint starting: {o}") for o in ("time", "wal", "immediate force wait") * 8]
    assert {m.resolve(i) for i in ids} == {m.resolve(ids[0])}
    assert m.template(ids[0]).text == "checkpoint starting: <*>"
    loaded = TemplateMiner()
    loaded.load(m.take_changes())
    unseen = "CRON[77]: (root) CMD (rsync -a /srv/ /backup/)"
    assert loaded.match(unseen) == m.match(unseen) == m.resolve(cron[0])


def test_what_follows_a_colon_or_fills_a_raw_line_stays_apart() -> None:
    """A colon usually ends a program's name, and what follows is the message: long texts,
    or texts with values, after one colon stay their own events. Two contents are no
    evidence, and a raw line whose brackets hold only values (`Fan speeds (<*>)`) does not
    make every bracket of that place a value (Loghub's HPC labels `( <*> **** <*> )` apart)."""
    m = TemplateMiner()
    events = [
        "session opened for user ana",
        "check pass; user unknown",
        "authentication failure; logname= uid=0",
        "account expired",
        "password changed for root",
    ]
    ids = [m.add(f"pam_unix(sshd:auth): {event}") for event in events * 10]
    assert len({m.resolve(i) for i in ids}) == len(events)
    two = [m.add(f"job runner (nightly) CMD ({c})") for c in ("make all", "ls") * 10]
    assert len({m.resolve(i) for i in two}) == 2
    fans = [m.add(f"Fan speeds ( {n} 3534 3375 4245 3515 )") for n in range(1000, 1020)]
    stars = [m.add(f"Fan speeds ( {n} 3534 **** 3515 )") for n in range(1000, 1020)]
    assert m.resolve(fans[0]) != m.resolve(stars[0])


def test_words_that_change_together_are_values_soon() -> None:
    """Who signed in, from where, with what: three places change at once, so no place ever
    varies alone. Lines that are similar (sharing their weighty opening words) and hold a new
    word in one place in most of them make it a value, and then the rest follow: 40 lines
    are enough, where each place's own evidence took 300. A value written twice in a line
    (`[SendInvoiceJob] Performed SendInvoiceJob`) is a value too."""
    r = random.Random(5)
    names = [
        a + b
        for a in ("ana", "li", "omar", "mei", "jan", "ravi", "ines", "sofia")
        for b in ("silva", "chen", "ross", "novak", "tanaka", "iyer", "costa", "haddad")
    ]
    m = TemplateMiner()
    ids = [
        m.add(
            f"User {r.choice(names)} signed in from {r.choice(['Oslo', 'Rome', 'Lisbon'])} "
            f"with {r.choice(['Firefox', 'Chrome', 'Safari'])}"
        )
        for _ in range(40)
    ]
    assert {m.resolve(i) for i in ids} == {m.resolve(ids[-1])}
    assert m.template(ids[-1]).text == "User <*> signed in from <*> with <*>"
    jobs = ["SendInvoiceJob", "ChargeCardJob", "SyncStockJob", "ExportJob", "PurgeJob"]
    jobs += ["WelcomeJob", "RefundJob", "ReindexJob", "CleanupJob"]
    ids = [m.add(f"[{job}] Performed {job} from Sidekiq in {n} ms") for n, job in enumerate(jobs)]
    assert m.template(ids[-1]).text == "[<*>] Performed <*> from Sidekiq in <*> ms"


def test_lines_that_share_only_an_opening_word_are_not_alike() -> None:
    """Twelve different sentences that open with `The`: every place holds new words, but
    what they share weighs too little (an opening word most lines hold) for them to be one
    event, so no word of theirs becomes a value."""
    sentences = [
        *("The disk is nearly full", "The cache was flushed early", "The certificate expires soon"),
        *("The queue is draining slowly", "The backup has finished cleanly"),
        *("The replica lags badly behind", "The scheduler paused all jobs"),
        *("The worker restarted twice today", "The index needs rebuilding now"),
        *("The mirror went stale overnight", "The quota was raised again"),
        "The pool ran completely dry",
    ]
    m = TemplateMiner()
    ids = [m.add(sentence) for sentence in sentences * 3]
    assert {m.template(i).text for i in ids} == set(sentences)


def test_an_object_that_recurs_with_other_verbs_names_a_thing() -> None:
    """systemd's units start, stop and are started under their descriptions: the same words
    after several verbs name things, so each verb takes any object. Phrases that only ever
    follow one verb are distinct events, however many there are."""
    units = ["Daily apt download activities", "Certbot", "Rotate log files", "OpenBSD Secure"]
    units += ["Docker Application Container Engine", "Cleanup of /tmp"]
    verbs = [("Starting", "..."), ("Started", "."), ("Stopped", ".")]
    m = TemplateMiner()
    ids = {verb: [m.add(f"{verb} {unit}{end}") for unit in units] for verb, end in verbs}
    assert {m.template(i).text for i in ids["Started"]} == {"Started <*>."}
    assert {m.template(i).text for i in ids["Starting"]} == {"Starting <*>..."}
    events = ["established", "reset by peer", "closed by client", "timed out", "refused"]
    events += ["lost after keepalive", "dropped by firewall"]
    connection = [m.add(f"Connection {event}.") for event in events * 3]
    assert len({m.resolve(i) for i in connection}) == len(events)


def test_words_that_name_a_value_are_part_of_it() -> None:
    """An HTTP status's reason follows its code and varies in length with it: it is part of
    the value, by masking for the standard phrases (a line at a time), by the phrase rule for
    others once they vary. Words after a constant word are not (`for root`, `for invalid user
    <*>`)."""
    assert tokens("Completed 422 Unprocessable Entity in 5ms") == ["Completed", "<*>", "in", "<*>"]
    assert tokens("v1.200 OK") == ["<*>", "OK"]  # a version's number is no status
    for reasons in (
        ["200 OK", "302 Found", "404 Not Found", "304 Not Modified", "422 Unprocessable Entity"],
        ["700 Fine", "702 Sort Of", "704 Not Really", "706 Not At All", "722 Unprocessable"],
    ):
        m = TemplateMiner()
        ids = [m.add(f"Completed {r} in {n} ms total") for n, r in enumerate(reasons * 3)]
        assert {m.resolve(i) for i in ids} == {m.resolve(ids[0])}
        assert m.template(ids[0]).text == "Completed <*> in <*> ms total"
    users = ["root", "admin", "test", "oracle", "guest"]
    ids = [
        m.add(f"Failed password for {u} from 10.0.0.{n} port 22 ssh2") for n, u in enumerate(users)
    ]
    invalid = [
        m.add(f"Failed password for invalid user {u} from 10.0.0.1 port 22 ssh2") for u in users
    ]
    assert m.resolve(ids[0]) != m.resolve(invalid[0])


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(["eth", "sda", "id", "x", "port", "v", "/var/", ":", "="])),
    numbers=st.lists(st.integers(10, 10**9), min_size=1),
    other=st.integers(10, 10**9),
)
def test_the_length_of_a_digit_run_never_changes_the_tokens(
    words: list[str], numbers: list[int], other: int
) -> None:
    """Masking shortens runs of two or more digits before it looks (so chunks repeat in its
    cache); what it answers must not depend on how long a run was."""
    message = " ".join(w + str(n) for w, n in zip(words or ["x"], numbers * 10, strict=False))
    changed = re.sub(r"\d\d+", str(other), message)
    assert tokens(message, {}) == tokens(changed, {})


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text("0123456789abcdefABCDEF", min_size=6, max_size=14),
            st.from_regex(r"[a-fA-F]{6,10}[0-9]", fullmatch=True),  # perhaps a name
            st.sampled_from(["-", "_", ".", "=", ":", "[", "]", "/", "@", "x", "eth", "g", "://"]),
        ),
        min_size=1,
        max_size=8,
    )
)
@example(["00000a", "://", "000000"])  # a hex run ending in a URL scheme's first letter
@example(["123456", ":", "000000"])  # numbers a colon joins into a time of day
@example(["abcdef12", ":", "000000"])  # a hex id beside a colon: no time
def test_writing_a_hex_run_as_an_id_never_changes_a_chunks_tokens(parts: list[str]) -> None:
    """Masking writes hex ids inside a chunk as "0x" so that the chunk repeats in its cache;
    the chunk's tokens must be the same either way."""
    chunk = "".join(parts)
    assert masking._split(chunk, {}) == masking._chunk(chunk)


def test_the_message_cache_answers_what_masking_would() -> None:
    """A miner caches whole messages once digit runs are shortened, and once quoted values
    are masked: every line of our own systems gets the tokens masking gives it afresh, however
    many lines came before."""
    cache = MaskCache()
    for system in SYSTEMS:
        for line in system.lines(500)[0]:
            assert cache.masked(line) == tuple(tokens(line, {}))
    assert len(cache.messages) < 0.7 * 500 * len(SYSTEMS)  # lines did repeat
    quoted = [m for m in cache.messages if any(q in m for q in "\"'`")]
    assert len(cache.unquoted) < 0.6 * len(quoted)  # and more once quoted values are masked


@pytest.mark.parametrize("system", SYSTEMS, ids=lambda s: s.name)
def test_a_process_that_loads_the_templates_answers_as_the_learner(system: System) -> None:
    """Templates live in the store and every instance grows from them: one that loaded what
    another learnt puts each line in the same template, and a merge only ever generalises
    (the template merged into covers the merged one, place by place)."""
    lines, _ = system.lines()
    learner = TemplateMiner()
    for line in lines:
        learner.add(line)
    states = learner.take_changes()
    by_id = {s.id: s for s in states}
    for state in states:
        if state.merged_into is not None:
            into = by_id[state.merged_into].tokens
            if len(into) == len(state.tokens):
                assert all(i in (t, "<*>") for i, t in zip(into, state.tokens, strict=True))
    loaded = TemplateMiner()
    loaded.load(states)
    assert [loaded.match(line) for line in lines] == [learner.match(line) for line in lines]


@pytest.mark.parametrize("seed", [1, 8])
def test_any_stream_of_lines_merges_without_a_loop(seed: int) -> None:
    """Whatever the lines, learning ends: every template leads to a live one without a loop,
    and every line's template is live. Short lines over a small vocabulary (the seeds that
    once sent two templates' joins round in a circle) are the hardest case."""
    r = random.Random(seed)
    vocab = ["user", "db", "shop", "ana", "li", "root", "=", "GET", "POST", "ok", "x_y", "a-b"]
    m = TemplateMiner()
    ids = []
    for _ in range(3000):
        words = [r.choice(vocab) if r.random() < 0.8 else str(r.randint(0, 999)) for _ in "abcd"]
        ids.append(m.add(" ".join(words[: r.randint(4, 4 + seed % 3)] if seed % 2 else words)))
    assert all(m.template(i).merged_into is None for i in ids)
    by_id = {s.id: s for s in m.take_changes()}
    for state in by_id.values():
        seen = {state.id}
        while state.merged_into is not None:
            state = by_id[state.merged_into]
            assert state.id not in seen  # merges never loop
            seen.add(state.id)


def test_any_text_has_a_template() -> None:
    """The store never keeps a lone surrogate, but the miner is a library too: any text,
    control characters and a lone surrogate included, gets a template and keeps it."""
    m = TemplateMiner()
    for text in ("", " ", "\x00\x1f", "bad \ud800 line", "é中😀 (", "..."):
        tid = m.add(text)
        assert m.match(text) == tid == m.resolve(tid)


def test_a_labelled_slot_that_holds_values_in_one_template_holds_them_in_all() -> None:
    """`[pool <*>]` once the pools of one message showed it: another message's two pools are
    values there too. A word between two words is no labelled slot (`the end of`)."""
    m = TemplateMiner()
    for n, pool in enumerate(["www", "api", "admin", "jobs", "www", "api", "admin", "jobs"]):
        m.add(f"[pool {pool}] child {n} exited with code 0 after {n}.5 seconds from start")
    started = [m.add(f"[pool {pool}] child {n} started") for n, pool in enumerate(["www", "api"])]
    assert len({m.resolve(t) for t in started}) == 1
    assert m.template(started[0]).text == "[pool <*>] child <*> started"
    for n, word in enumerate(["start", "end", "middle", "top"]):
        m.add(f"Reading the {word} of file {n} took {n} ms in total")
    prose = [m.add(f"Skipped the {word} of page {n}") for n, word in enumerate(["end", "start"])]
    assert len({m.resolve(t) for t in prose}) == 2
