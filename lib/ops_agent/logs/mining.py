"""Log template mining: grouping messages into templates such as
`Connection to <*> refused after <*> ms`. Pure and incremental; no I/O.

Messages are masked (see `masking`) and grouped by their masked tokens. Words made of letters
stay constant until the data shows otherwise: when `min_variants` clusters of the same shape
differ only in one word position, that position becomes a value and the clusters merge into one
template. A user name seen many times becomes `<*>`; two log lines that differ in a constant
word (`for admin` / `for root`, only two variants) stay apart. How much evidence is enough
depends on the word and its context:
- identifiers (`fe_http`, `be_api/web`, `$LATEST`: see `masking.is_identifier`) are values
  after two variants, with one other constant word around;
- plain words need `min_variants` variants with more than MIN_CONSTANT_WORDS constant words
  in the template, or twice as many variants with fewer (little context, more doubt);
- three plain words seen about equally often, each in several lines, are enough (a
  round-robin of values; how often is counted in this process);
- two nearby positions whose words vary independently of each other are values together,
  with fewer variants at each (`database=shop application_name=psql`);
- a span of varying length is one value when enough different contents are seen between the
  same constant context: a bracket's contents (cron's `CMD (<command>)`), a few words after a
  colon (`checkpoint starting: time|wal|immediate force wait`), or a few words right after a
  value (`Completed 404 Not Found`);
- values that change together in several places (`User ana signed in from Oslo`) show in
  similar lines (see `similarity`: constant tokens weigh by position and rarity): a place
  where most similar lines hold a new word is a value;
- a line that is a verb and its object (`Started Certbot.`) takes any object once several of
  its objects recur after other verbs (`Stopped Certbot.`): they name things.
A position that becomes a value next to another value joins it, as masking joins runs.

The state is a list of templates (`TemplateState`), so it can live in a database and be
rebuilt, or grown, by any number of processes: template ids are content hashes, and merging
only ever generalises, so instances that learn the same things agree on the ids.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ops_agent.logs.masking import WILDCARD, MaskCache, is_identifier
from ops_agent.logs.similarity import Rarity, is_word, similarity, weights, word_places

Key = tuple[str, ...]


def template_id(tokens_: Iterable[str]) -> str:
    """The id of the template with these tokens (stable across processes)."""
    # surrogatepass: a lone surrogate (which no store keeps, but a caller may pass) still hashes
    text = "\x1f".join(tokens_).encode("utf-8", "surrogatepass")
    return "t" + hashlib.sha1(text).hexdigest()[:15]  # noqa: S324


def _constant_words(key: Key) -> int:
    return sum(1 for t in key if is_word(t))


# A template needs this many constant words for each word that may stand for one of its
# values; with fewer, a word is more likely a different message than a value ("normal").
MIN_CONSTANT_WORDS = 3
# An identifier (`fe_http`, `be_api/web`) is a value far more often than a word is: two of
# them in the same place, with one other constant word around, are enough.
IDENTIFIER_VARIANTS = 2
MIN_CONSTANT_WORDS_FOR_IDENTIFIERS = 1
# With fewer than MIN_CONSTANT_WORDS constant words around it, a position needs this many
# times `min_variants` different words before it is taken for a value.
SHORT_CONTEXT_FACTOR = 2
# Two word positions that vary independently of each other are both values, though neither
# alone shows `min_variants` words (`database=shop application_name=psql`, three of each): it
# takes PAIR_COMBINATIONS of their combinations, at least half of all the combinations they
# could make, and PAIR_VARIANTS words at each position (KEY_VALUE_VARIANTS at a `key=` value,
# which names itself a value). Words that move together are events, not values: a state
# machine's `from NEW to RUNNING` visits few of its from-to combinations, and a binary outcome
# (`Accepted`/`Failed password for <user>`) is not a value for lack of a third word.
PAIR_VARIANTS = 3
KEY_VALUE_VARIANTS = 2
PAIR_COMBINATIONS = 8
# Positions that vary together sit close (a `key=value` list): at most this many tokens apart.
PAIR_SPAN = 8
# Words seen about equally often in one place are a round-robin of values (the users cron runs
# as), where a dominant word with rare others is as likely a set of events (`user=root` 351
# times, `guest` 17 and `test` 4: Loghub's Linux labels them apart): BALANCED_VARIANTS words,
# each seen BALANCED_MIN times and at least half as often as the commonest, are enough, with
# BALANCED_CONTEXT constant words around them: with less, three words seen equally often are as
# likely three operations (kubelet's `"SyncLoop ADD|UPDATE|DELETE"`).
BALANCED_VARIANTS = 3
BALANCED_MIN = 8
BALANCED_CONTEXT = 5
# A value may hold spaces, so its length varies: a command in brackets, a list of options after
# a colon. Lines that agree on everything before and after such a span, with SPAN_CONTEXT
# constant words before it, put it to the same tests as a word: `min_variants` different
# contents, or BALANCED_VARIANTS seen about equally often, and contents of at least two lengths
# (contents of one length are the word rules' to judge). A colon's span runs to the end of the
# line and is at most COLON_SPAN tokens (`time`, `immediate force wait`, a result `{}`): after
# a colon, a longer text is as likely the message itself (syslog's `program: text`).
SPAN_CONTEXT = 2
COLON_SPAN = 3
# Values that change together in several places (`user ana from Oslo using Firefox`) never
# leave the rest of a line alone, so no family above sees them. Lines of one length, opening
# with the same token, that differ only in 2 to SIMILAR_PLACES word places and share at least
# SIMILAR of their weight (see `similarity`: constant tokens weigh by position and rarity) are
# similar; a place where similar lines hold a word that is new in most of them (HIGH_CARDINALITY
# different words or more, in at least NOVEL_SHARE of the lines, none of them seen moving to
# the other places) is a value. Events that move together repeat a few words, and a state
# machine's states move between its places (`from RUNNING to FAILED`, `from FAILED to
# KILLED`), so they stay apart.
SIMILAR = 0.5
SIMILAR_PLACES = 4
HIGH_CARDINALITY = 8
NOVEL_SHARE = 0.8
SIMILAR_CANDIDATES = 16  # the most recent lines of that length and opening compared
SIMILAR_MEMBERS = 256  # lines kept per set of similar lines: by then a value has shown
# A phrase of up to PHRASE_WORDS words right after a value (an HTTP status's reason) is a span
# too, with PHRASE_CONTEXT constant words outside it, but only on `min_variants` different
# phrases: a few phrases seen about equally often between the same words are as likely a few
# events (`Connection closed|reset|timed out by peer`).
PHRASE_WORDS = 3
PHRASE_CONTEXT = 3
# A line that is a verb and its object (`Started Daily apt download activities.`) has no context
# to go by but the verb. Its object is a value when it names a thing: the same words recur as
# the object of other verbs (`Stopped …`, `Starting …`), which the phrases of distinct events
# (`Connection reset by peer.`, `Connection timed out.`) do not. A verb takes any object once
# `min_variants` of its objects, of two lengths or more, recur so; objects are up to
# OBJECT_WORDS words, and the line may end in a period or an ellipsis.
OBJECT_WORDS = 8
_OBJECT_ENDS = ((), (".",), ("...",))
_PUNCTUATION = frozenset("=,;:()[]{}<>") | {".", "..."}
_CLOSING = {"(": ")", "[": "]", "{": "}"}
_VALUE = (WILDCARD,)
_SLOT_CLOSERS = frozenset((")", "]", "}", ","))


def _covers(template: Key, key: Key) -> bool:
    """Whether `template` matches `key`: equal tokens, or holes filled by values or by words,
    when the template has enough constant words to tell: MIN_CONSTANT_WORDS for each word it
    takes (MIN_CONSTANT_WORDS_FOR_IDENTIFIERS for an identifier)."""
    needed = 0
    for t, k in zip(template, key, strict=True):
        if t == k:
            continue
        if t != WILDCARD or not is_word(k):
            return False
        needed += MIN_CONSTANT_WORDS_FOR_IDENTIFIERS if is_identifier(k) else MIN_CONSTANT_WORDS
    return not needed or _constant_words(template) >= needed


def _independent(pairs: Iterable[tuple[str, str]], needed: tuple[int, int]) -> bool:
    """Whether two positions' words vary independently: `needed` words at each, seen in at
    least half of the combinations they could make."""
    pairs = list(pairs)
    firsts = len({first for first, _ in pairs})
    seconds = len({second for _, second in pairs})
    return firsts >= needed[0] and seconds >= needed[1] and 2 * len(pairs) >= firsts * seconds


def _pair_variants(key: Key, i: int) -> int:
    return KEY_VALUE_VARIANTS if i and key[i - 1] == "=" else PAIR_VARIANTS


def _closer(key: Key, start: int) -> int | None:
    """Where the bracket that opens at `start` closes, if it does."""
    opener, closer, depth = key[start], _CLOSING[key[start]], 0
    for i in range(start, len(key)):
        if key[i] == opener:
            depth += 1
        elif key[i] == closer:
            depth -= 1
            if not depth:
                return i
    return None


def _spans(key: Key) -> Iterator[tuple[Key, Key, Key]]:
    """Each way `key` can be read as constant context, a span that may be one value, and
    more context: (before, span, after). The span is more than one value (a run of values is
    one value already): a bracket's contents or a colon's short tail, with SPAN_CONTEXT
    constant words before it, or a phrase (see `_phrases`)."""
    words = 0
    for i, piece in enumerate(key):
        if words >= SPAN_CONTEXT:
            if piece in _CLOSING:
                end = _closer(key, i)
                if end is not None and key[i + 1 : end] not in ((), _VALUE):
                    yield key[: i + 1], key[i + 1 : end], key[end:]
            elif piece == ":" and _colon_span(key[i + 1 :]):
                yield key[: i + 1], key[i + 1 :], ()
        words += is_word(piece)
    yield from _phrases(key, words)
    yield from _objects(key)


def _objects(key: Key) -> Iterator[tuple[Key, Key, Key]]:
    """A verb and its object (see OBJECT_WORDS), if `key` is one: ((verb,), object, end). The
    object is words, and values or names among them (`Discard unused blocks on filesystems
    from /etc/fstab`), with no punctuation of its own."""
    end = len(key) - 1 if key and key[-1] in (".", "...") else len(key)
    if (
        2 <= end <= OBJECT_WORDS + 1
        and is_word(key[0])
        and key[1:end] != _VALUE
        and _PUNCTUATION.isdisjoint(key[1:end])
    ):
        yield key[:1], key[1:end], key[end:]


def _is_object(context: tuple[Key, Key]) -> bool:
    """Whether a span's context is a verb before an object (see `_objects`)."""
    before, after = context
    return len(before) == 1 and after in _OBJECT_ENDS and is_word(before[0])


def _phrases(key: Key, words: int) -> Iterator[tuple[Key, Key, Key]]:
    """Every run of 1 to PHRASE_WORDS words right after a value, with PHRASE_CONTEXT constant
    words outside it (`key` holds `words` words): words that name the value before them, such
    as an HTTP status's reason after its code (`Completed 404 Not Found in 7ms`). Words after
    a constant word are as likely an event of their own (`Failed password for root` and
    `for invalid user <*>`: two events, Loghub says)."""
    for start in range(1, len(key)):
        if key[start - 1] != WILDCARD or not is_word(key[start]):
            continue
        for end in range(start + 1, min(start + PHRASE_WORDS, len(key)) + 1):
            if not is_word(key[end - 1]):
                break
            if words - (end - start) >= PHRASE_CONTEXT:
                yield key[:start], key[start:end], key[end:]


def _span_template(context: tuple[Key, Key]) -> Key:
    """The template with a value between `context`, joined to a value next to it."""
    before, after = context
    if before[-1:] != _VALUE:
        before = (*before, WILDCARD)
    return (*before, *(after[1:] if after[:1] == _VALUE else after))


def _delimited(context: tuple[Key, Key]) -> bool:
    """Whether a span's context is a bracket around it or a colon before it (not a phrase's)."""
    before, after = context
    if not before:
        return False
    if before[-1] in _CLOSING:
        return after[:1] == (_CLOSING[before[-1]],)
    return before[-1] == ":" and not after


def _colon_span(rest: Key) -> bool:
    """Whether what follows a colon is short, and more than one value or delimiter: a list
    of options or a result (`None`, `{}`), not a message."""
    return 0 < len(rest) <= COLON_SPAN and rest != _VALUE and ":" not in rest


def _recheck_plan(key: Key) -> tuple[list[Key], list[tuple[Key, Key]]]:
    """What a template's line count can settle: the word families that may be balanced
    (with enough context around), and the contexts of its spans."""
    positions = [i for i, token in enumerate(key) if is_word(token)]
    families = [_with_hole(key, i) for i in positions] if len(positions) > BALANCED_CONTEXT else []
    return families, [(before, after) for before, _, after in _spans(key)]


def _subsumes(general: Key, specific: Key) -> bool:
    """Whether `general` is `specific` with values in some of its places."""
    return len(general) == len(specific) and all(
        g in (t, WILDCARD) for g, t in zip(general, specific, strict=True)
    )


def _joined(a: Key, b: Key) -> Key:
    """The template of two keys of one length: a value wherever they differ, runs of values
    written as one."""
    out: list[str] = []
    for x, y in zip(a, b, strict=True):
        token = x if x == y else WILDCARD
        if not (token == WILDCARD and out and out[-1] == WILDCARD):
            out.append(token)
    return tuple(out)


def _labelled_slot(key: Key, i: int) -> tuple[str, str] | None:
    """The place `i` (a word's or a value's) as a labelled field's value: a word names it and
    punctuation closes it (`[pool www]`, `(user ana,`), or None. Such a slot holds the same
    kind of thing in every template that has it, where a word between two words (`the end
    of`) may not."""
    if 0 < i < len(key) - 1 and key[i + 1] in _SLOT_CLOSERS and is_word(key[i - 1]):
        return key[i - 1], key[i + 1]
    return None


def _with_hole(key: Key, i: int) -> Key:
    """`key` with a value at `i`, merged with a value next to it (masking writes a run of
    values as one `<*>`, so the family must too)."""
    left = key[: i - 1] if i and key[i - 1] == WILDCARD else key[:i]
    right = key[i + 2 :] if key[i + 1 : i + 2] == _VALUE else key[i + 1 :]
    return left + _VALUE + right


@dataclass
class TemplateState:
    """One template as stored: its tokens, and the template it was merged into, if any."""

    id: str
    tokens: list[str]
    merged_into: str | None = None

    @property
    def text(self) -> str:
        return render(self.tokens)


_HUG_LEFT = frozenset(("=", ",", ";", ":", ")", "]", "}", ".", "..."))
_HUG_RIGHT = ("=", "(", "[", "{")


def render(tokens_: Iterable[str]) -> str:
    """Tokens back into a readable template (delimiters hug their neighbours)."""
    out = ""
    for piece in tokens_:
        if out and piece not in _HUG_LEFT and not out.endswith(_HUG_RIGHT):
            out += " "
        out += piece
    return out


@dataclass
class _Similar:
    """Lines found similar, differing in the same word `places`: each with its cluster, the
    words seen at each place, counted as they come, and the places found to be values."""

    places: tuple[int, ...]
    members: dict[Key, str] = field(default_factory=dict)
    novel: dict[int, set[str]] = field(default_factory=dict)  # not seen moving (see `add`)
    moving: dict[int, set[str]] = field(default_factory=dict)
    values: set[int] = field(default_factory=set)

    def add(self, member: Key, tid: str) -> None:
        """Count a new member's words. A word that stands in another place of a line with
        another word at `i` is one of a vocabulary of states moving from place to place (`from
        RUNNING to FAILED`, `from FAILED to KILLED`), not new at `i`; one value written twice
        in a line is not moving."""
        self.members[member] = tid
        for i in self.places:
            moving = self.moving.setdefault(i, set())
            novel = self.novel.setdefault(i, set())
            for j in self.places:
                if member[j] != member[i]:
                    moving.add(member[j])
                    novel.discard(member[j])
            if member[i] not in moving:
                novel.add(member[i])

    def is_novel(self, i: int) -> bool:
        """Whether these lines mostly hold a new word at `i` (see SIMILAR)."""
        return len(self.novel[i]) >= max(HIGH_CARDINALITY, NOVEL_SHARE * len(self.members))


@dataclass
class TemplateMiner:
    """Incremental template miner. `add` returns the id of the message's template."""

    min_variants: int = 4
    _templates: dict[str, TemplateState] = field(default_factory=dict)
    _by_key: dict[Key, str] = field(default_factory=dict)
    _keys_by_len: dict[int, list[Key]] = field(default_factory=dict)
    _keys_at: dict[tuple[int, int, str], list[Key]] = field(default_factory=dict)  # by token
    _families: dict[Key, dict[str, str]] = field(default_factory=dict)
    _plain: set[Key] = field(default_factory=set)  # families with a word that is no identifier
    # Lines that agree but for two word places: the words seen there, each pair with the
    # first cluster it came in; and the template a shape made once they varied independently.
    # A shape one line has (most) keeps that line's words and cluster as one tuple.
    _pairs: dict[Key, dict[tuple[str, str], str] | tuple[str, str, str]] = field(
        default_factory=dict
    )
    _pair_families: dict[Key, Key] = field(default_factory=dict)
    # Labelled slots (see `_labelled_slot`) found to hold values, and the families waiting on
    # a slot that has not yet.
    _value_slots: set[tuple[str, str]] = field(default_factory=set)
    _slot_families: dict[tuple[str, str], set[Key]] = field(default_factory=dict)
    _spans: dict[tuple[Key, Key], dict[Key, str]] = field(default_factory=dict)
    _verbs: dict[Key, set[tuple[Key, Key]]] = field(default_factory=dict)  # by object
    # Lines seen in this process: per cluster (a line's own, or the general it fell into when
    # new), and per live template (a template's lines move with it when it merges).
    _seen: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    _lines: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    _rechecks: dict[str, tuple[list[Key], list[tuple[Key, Key]]]] = field(default_factory=dict)
    _rarity: Rarity = field(default_factory=Rarity)
    _openings: dict[tuple[int, str], list[Key]] = field(default_factory=dict)
    _similar: dict[tuple[Key, tuple[int, ...]], _Similar] = field(default_factory=dict)
    _general: dict[int, list[str]] = field(default_factory=dict)
    _changed: set[str] = field(default_factory=set)
    _mask: MaskCache = field(default_factory=MaskCache)

    # --- reading ---

    def resolve(self, tid: str) -> str:
        """The template `tid` was merged into, following merges to the end. Only live
        templates are merged, into live ones, so merges form trees; the bound only guards
        against a loop in loaded state. The path is shortened in memory as it is walked (what
        is stored keeps the first merge: a template's successor is all that matters)."""
        path: list[TemplateState] = []
        state = self._templates[tid]
        while state.merged_into is not None and len(path) <= len(self._templates):
            path.append(state)
            state = self._templates[state.merged_into]
        for step in path[:-1]:
            step.merged_into = state.id
        return state.id

    def template(self, tid: str) -> TemplateState:
        return self._templates[self.resolve(tid)]

    def templates(self) -> list[TemplateState]:
        """The live templates (not merged into another)."""
        return [t for t in self._templates.values() if t.merged_into is None]

    def __len__(self) -> int:
        return sum(1 for t in self._templates.values() if t.merged_into is None)

    # --- learning ---

    def add(self, message: str) -> str:
        """Learn from `message` and return its template id."""
        key = self._mask.masked(message)
        known = self._by_key.get(key)
        if known is None:
            general = self._match_general(key)
            if general is not None:
                self._remember(key, general)
                known = general
            else:
                known = self._create(key)
        self._seen[known] += 1
        root = known if self._templates[known].merged_into is None else self.resolve(known)
        self._lines[root] += 1
        seen = self._lines[root]
        if seen >= BALANCED_MIN and not seen & (seen - 1):
            self._recheck(root)  # at 8, 16, 32... lines: balanced families may show
            root = self.resolve(root)
        return root

    def match(self, message: str) -> str | None:
        """The template of `message` if one is known; learns nothing."""
        key = self._mask.masked(message)
        known = self._by_key.get(key)
        if known is not None:
            return self.resolve(known)
        general = self._match_general(key, merged=True)
        if general is None:
            general = next(self._span_templates(key), None)
        return general

    def _recheck(self, tid: str) -> None:
        """Look again, now that the live template `tid` has more lines, at its families that
        count lines: balanced words, and spans. Families that have merged already are left."""
        plan = self._rechecks.get(tid)
        if plan is None:
            plan = self._rechecks[tid] = _recheck_plan(tuple(self._templates[tid].tokens))
        families, contexts = plan
        for family in families:
            members = self._families.get(family)
            if (
                members is not None
                and BALANCED_VARIANTS <= len(members) < self.min_variants
                and family in self._plain
                and not self._one(members.values())
                and self._balanced(self._seen, members.values())
            ):
                self._settle(family, members.values())
        for context in contexts:
            spans = self._spans.get(context)
            if (
                spans is not None
                and not self._one(spans.values())
                and self._span_varies(context, spans)
            ):
                self._generalise(_span_template(context), spans.values())

    def _one(self, members: Iterable[str]) -> bool:
        """Whether the templates `members` are all one already."""
        return len({self.resolve(tid) for tid in members}) == 1

    def _balanced(self, lines: dict[str, int], members: Iterable[str]) -> bool:
        """Whether a family's variants were each seen in about as many `lines` as the others:
        a word's are its cluster's (`_seen`: the lines that hold it), a span's those of the
        template it is in (`_lines`: a span's context may hold values that merged later)."""
        counts = [lines.get(tid, 0) for tid in members]
        return (
            len(counts) >= BALANCED_VARIANTS
            and min(counts) >= BALANCED_MIN
            and 2 * min(counts) >= max(counts)
        )

    def _match_general(self, key: Key, *, merged: bool = False) -> str | None:
        """The live general template that covers `key`; with `merged`, the live successor of
        a merged one too. A merged template may cover a line with one word where its
        successor needs several: `match` asks with `merged`, so that a process that loaded
        the templates answers as the one that learnt them, while `add` does not, so that
        such a line makes a cluster and adds its evidence."""
        for tid in self._general.get(len(key), ()):
            state = self._templates[tid]
            if (merged or state.merged_into is None) and _covers(tuple(state.tokens), key):
                return self.resolve(tid)
        return None

    def _create(self, key: Key, merged_into: str | None = None) -> str:
        tid = template_id(key)
        if tid not in self._templates:
            self._templates[tid] = TemplateState(tid, list(key), merged_into)
            self._changed.add(tid)
        self._remember(key, tid)
        if WILDCARD in key:
            self._add_general(key, tid)
        self._learn_families(key, tid)
        self._learn_similar(key, tid)
        return tid

    def _remember(self, key: Key, tid: str) -> None:
        if key not in self._by_key:
            self._by_key[key] = tid
            self._keys_by_len.setdefault(len(key), []).append(key)
            size, keys_at = len(key), self._keys_at
            for i, token in enumerate(key):
                if token != WILDCARD:  # looked up by constant tokens only
                    place = (size, i, token)
                    keys = keys_at.get(place)
                    if keys is None:
                        keys_at[place] = [key]
                    else:
                        keys.append(key)
            self._rarity.add(key)

    def _learn_similar(self, key: Key, tid: str) -> None:
        """Compare a new line with recent similar ones (see SIMILAR), and make a place a
        value where similar lines mostly hold new words."""
        if key and self._templates[tid].merged_into is None:
            opening = self._openings.setdefault((len(key), key[0]), [])
            weighed = weights(key, self._rarity) if opening else []
            for other in opening[-SIMILAR_CANDIDATES:]:
                places = word_places(key, other, SIMILAR_PLACES)
                if (
                    places is not None
                    and len(places) >= 2
                    and similarity(weighed, places) >= SIMILAR
                ):
                    self._add_similar(key, tid, other, places)
            opening.append(key)

    def _add_similar(self, key: Key, tid: str, other: Key, places: list[int]) -> None:
        shape = list(key)
        for i in places:
            shape[i] = WILDCARD
        # With its places: a value already in the line may stand where another line has one.
        found = (tuple(shape), tuple(places))
        similar = self._similar.get(found)
        if similar is None:
            similar = self._similar[found] = _Similar(found[1])
        new = {}
        for member, member_tid in ((key, tid), (other, self._by_key[other])):
            if member not in similar.members and len(similar.members) < SIMILAR_MEMBERS:
                similar.add(member, member_tid)
                new[member] = member_tid
        for i in places:
            if i in similar.values:
                settle = new
            elif new and similar.is_novel(i):
                similar.values.add(i)
                settle = similar.members
            else:
                continue
            for member, member_tid in settle.items():
                family = _with_hole(member, i)
                root = tuple(self._templates[self.resolve(member_tid)].tokens)
                if not _subsumes(root, family):  # unless it has a value there already
                    self._settle(family, (member_tid,))

    def _add_general(self, key: Key, gid: str) -> None:
        """Make `gid` a template that words may fill, and fold in the clusters it covers."""
        general = self._general.setdefault(len(key), [])
        if gid in general:
            return
        general.append(gid)
        holes = [i for i, t in enumerate(key) if t == WILDCARD]
        # Only lines with the general's constant tokens can be covered: those holding the
        # rarest of them in its place are few (often the general's own key alone: then none).
        size, keys_at = len(key), self._keys_at
        candidates: list[Key] | None = None
        for i, t in enumerate(key):
            if t != WILDCARD:
                keys = keys_at.get((size, i, t), [])
                if candidates is None or len(keys) < len(candidates):
                    candidates = keys
                    if len(keys) <= 1:
                        break
        if candidates is None:
            candidates = self._keys_by_len.get(size, [])
        for other in candidates:
            if other == key:
                continue
            root = self.resolve(self._by_key[other])
            if root == gid or self._templates[root].merged_into is not None:
                continue
            if _covers(key, other) and any(is_word(other[i]) for i in holes):
                self._join(root, gid)

    def _learn_families(self, key: Key, tid: str, *, pairs: bool = True) -> None:
        positions = [i for i, token in enumerate(key) if is_word(token)]
        words = len(positions)
        if words <= MIN_CONSTANT_WORDS_FOR_IDENTIFIERS:
            return
        families, plain = self._families, self._plain
        for i in positions:
            token = key[i]
            family = _with_hole(key, i)
            members = families.get(family)
            if members is None:  # most families are new: one word, too few for any rule
                families[family] = {token: tid}
                if not is_identifier(token):
                    plain.add(family)
                slot = _labelled_slot(key, i)
                if slot is not None and slot not in self._value_slots:
                    self._slot_families.setdefault(slot, set()).add(family)
                continue
            members.setdefault(token, tid)
            if not is_identifier(token):
                plain.add(family)
            if family not in plain:  # identifiers only
                needed = IDENTIFIER_VARIANTS
            elif words > MIN_CONSTANT_WORDS:
                needed = self.min_variants
                if (
                    BALANCED_VARIANTS <= len(members) < needed
                    and words > BALANCED_CONTEXT
                    and self._balanced(self._seen, members.values())
                ):
                    needed = BALANCED_VARIANTS
            else:  # little context around the word: ask for more variants of it
                needed = SHORT_CONTEXT_FACTOR * self.min_variants
            slot = _labelled_slot(key, i)
            if slot is not None:
                if slot in self._value_slots:
                    needed = min(needed, IDENTIFIER_VARIANTS)
                else:
                    self._slot_families.setdefault(slot, set()).add(family)
            if len(members) >= needed:
                self._settle(family, members.values())
        if pairs and words - 2 >= MIN_CONSTANT_WORDS:
            self._learn_pairs(key, tid, positions)
        self._learn_spans(key, tid)

    def _learn_slots(self, family: Key) -> None:
        """The labelled slots (see `_labelled_slot`) where a template the rules made holds a
        value: in the other templates that have one, two different words there are values
        too."""
        for i, token in enumerate(family):
            slot = _labelled_slot(family, i) if token == WILDCARD else None
            if slot is None or slot in self._value_slots:
                continue
            self._value_slots.add(slot)
            for waiting in self._slot_families.pop(slot, ()):
                members = self._families[waiting]
                if len(members) >= IDENTIFIER_VARIANTS and not self._one(members.values()):
                    self._settle(waiting, members.values())

    def _settle(self, family: Key, members: Iterable[str]) -> None:
        """Merge a family's variants into its template, made now if it is new."""
        known = self._by_key.get(family)
        if known is None:
            self._generalise(family, members)
        else:  # the family is a known shape already: its variants join it
            self._merge(members, self.resolve(known))

    def _span_templates(self, key: Key) -> Iterator[str]:
        """The templates with a value where `key` has a span (see `_spans`)."""
        for before, _, after in _spans(key):
            root = self._span_value((before, after))
            if root is not None:
                yield root

    def _span_value(self, context: tuple[Key, Key], but: str | None = None) -> str | None:
        """The template that takes any span between `context`, if the span is a value: the
        template exists, with a value in the span's place, and a line with another span
        (other than the cluster `but`) was merged into it, by the span rule or, for one-word
        spans, by the word rules. Clusters and merges are all stored, so a process that
        loaded the templates answers as the one that learnt them."""
        others = [t for t in self._spans.get(context, {}).values() if t != but]
        if not others:  # most contexts: one line's own
            return None
        gid = template_id(_span_template(context))
        if gid not in self._templates:
            return None  # a raw line can have that shape too (`Fan speeds (<*>)`)
        root = self.resolve(gid)
        return root if any(self.resolve(t) == root for t in others) else None

    def _learn_spans(self, key: Key, tid: str) -> None:
        for before, span, after in _spans(key):
            context = (before, after)
            members = self._spans.get(context)
            if members is None:  # most contexts are new: one span, which settles nothing
                self._spans[context] = {span: tid}
            else:
                members.setdefault(span, tid)
                root = self._span_value(context, but=tid)
                if root is not None:
                    self._join(tid, root)
                elif self._span_varies(context, members):
                    self._generalise(_span_template(context), members.values())
            if _is_object(context):
                verbs = self._verbs.setdefault(span, set())
                if context not in verbs:
                    verbs.add(context)
                    if len(verbs) > 1:  # a thing now: its other verbs may take any object
                        self._recheck_objects(verbs - {context})

    def _recheck_objects(self, contexts: Iterable[tuple[Key, Key]]) -> None:
        for context in contexts:
            spans = self._spans[context]
            if not self._one(spans.values()) and self._span_varies(context, spans):
                self._generalise(_span_template(context), spans.values())

    def _span_varies(self, context: tuple[Key, Key], spans: dict[Key, str]) -> bool:
        """Whether the spans seen between one context are values: of two lengths at least
        (one length is the word rules' to judge), and as many as a word needs (a phrase's
        need no fewer, see PHRASE_WORDS)."""
        if len({span[0] for span in spans}) == 1 or len({span[-1] for span in spans}) == 1:
            return False  # a word every span starts or ends with is context: a narrower span
        if _is_object(context):  # objects that recur with other verbs: things
            things = [span for span in spans if len(self._verbs.get(span, ())) > 1]
            return len(things) >= self.min_variants and len({len(t) for t in things}) > 1
        return len({len(span) for span in spans}) > 1 and (
            len(spans) >= self.min_variants
            or (
                len(spans) >= BALANCED_VARIANTS
                and _delimited(context)
                and self._balanced(self._lines, [self.resolve(tid) for tid in spans.values()])
            )
        )

    def _learn_pairs(self, key: Key, tid: str, positions: list[int]) -> None:
        # The members' shared shape has a value at both places, before runs of values are
        # joined (that is only needed for the template, when there is one). It runs for every
        # pair of words of every new line, so the shape is one list, changed in place, and a
        # shape seen first (most are) is one dict entry, its line's words and cluster a tuple.
        pairs = self._pairs
        shape = list(key)
        for n, a in enumerate(positions):
            shape[a] = WILDCARD
            for b in positions[n + 1 :]:
                if b - a > PAIR_SPAN:
                    break
                shape[b] = WILDCARD
                found = tuple(shape)
                shape[b] = key[b]
                members = pairs.get(found)
                if members is None:
                    pairs[found] = (key[a], key[b], tid)
                    continue
                if isinstance(members, tuple):
                    members = pairs[found] = {members[:2]: members[2]}
                members.setdefault((key[a], key[b]), tid)
                family = self._pair_families.get(found)
                if family is not None:
                    self._merge((tid,), self.resolve(self._by_key[family]))
                elif len(members) >= PAIR_COMBINATIONS and _independent(
                    members, (_pair_variants(key, a), _pair_variants(key, b))
                ):
                    family = self._pair_families[found] = _with_hole(_with_hole(key, b), a)
                    self._generalise(family, members.values())  # b first above: a stays put
            shape[a] = key[a]

    def _generalise(self, family: Key, members: Iterable[str]) -> None:
        gid = template_id(family)
        if gid not in self._templates:
            self._templates[gid] = TemplateState(gid, list(family))
            self._changed.add(gid)
        self._remember(family, gid)
        self._by_key[family] = gid
        self._add_general(family, gid)
        self._learn_slots(family)
        self._merge(members, gid)
        self._learn_families(family, gid)

    def _merge(self, members: Iterable[str], into: str) -> None:
        """Merge the templates of `members` into the template `into`."""
        for member in members:
            self._join(member, into)

    def _join(self, a: str, b: str) -> None:
        """Make the live templates `a` and `b` one, and never a less general one: the one
        that covers the other takes it in, and two that differ each where the other has a
        value (`user=<*> database=shop`, `user=ana database=<*>`) both join a third with a
        value wherever they differ. Only live templates are ever merged into, so no chain of
        merges can loop."""
        a, b = self.resolve(a), self.resolve(b)
        if a == b:
            return
        key_a, key_b = tuple(self._templates[a].tokens), tuple(self._templates[b].tokens)
        if _subsumes(key_a, key_b):
            a, b = b, a
        elif not _subsumes(key_b, key_a) and len(key_a) == len(key_b):
            joined = _joined(key_a, key_b)
            gid = template_id(joined)
            if gid not in self._templates:
                self._generalise(joined, ())
            into = self.resolve(gid)
            for member in (a, b):
                root = self.resolve(member)
                if root != into:
                    self._point(root, into)
            return
        self._point(a, b)  # b is the more general (or the lengths differ)

    def _point(self, tid: str, into: str) -> None:
        """Merge the live template `tid` into the live template `into`, lines and all."""
        self._templates[tid].merged_into = into
        self._changed.add(tid)
        if tid in self._lines:
            self._lines[into] += self._lines.pop(tid)

    # --- persistence ---

    def load(self, states: Iterable[TemplateState]) -> None:
        """Grow this miner with stored templates (from this or any other process)."""
        pending = []
        for state in states:
            existing = self._templates.get(state.id)
            if existing is None:
                self._templates[state.id] = TemplateState(
                    state.id, list(state.tokens), state.merged_into
                )
                pending.append(state)
            elif state.merged_into and not existing.merged_into:
                existing.merged_into = state.merged_into
        for state in pending:
            key = tuple(state.tokens)
            self._remember(key, state.id)
            if WILDCARD in key:
                self._add_general(key, state.id)
            self._learn_families(key, state.id)
            self._learn_similar(key, state.id)

    def take_changes(self) -> list[TemplateState]:
        """Templates created or merged since the last call (to be stored)."""
        changed = [self._templates[t] for t in sorted(self._changed)]
        self._changed.clear()
        return changed
