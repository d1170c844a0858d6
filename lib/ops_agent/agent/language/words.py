"""Words: whitespace, quotes, number words and typo repair, shared by the cue and slot readers.
Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text`."""
    return frozenset(text.split())


# Words the cues are written in. A word that is none of these and none of COMMON, but one
# keystroke away from one (a letter dropped, added, changed, or two swapped), is read as it.
KEYWORDS = words(
    """
    deploy deploys deployed deployment deployments release releases rollback revert reverted
    analyze analyse analysis investigate diagnose search anomaly anomalies anomalous unusual
    acknowledge acknowledged notify monitor health healthy alert alerts alerting list logs
    errors error status memory latency production preview staging history recent redeploy
    rollout previous outliers spikes incident incidents metrics traffic
    """
)
# Words a typo must never be "repaired" away from.
COMMON = words(
    """
    stats state states start started starts latest lately later alter alters after deploying
    deplete replay reply repose relapse realise realize revert reverse ever
    every alarms alarm alerted alive active listen lists lost lose last least lest logged
    login logins loggers lower slow status stats store stored stores statue errand
    wealth memo monitors mentor recently decent recant resent helps hello heals healthier
    spike staging stagings hints hint limit limits latest metric matrix
    """
)

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "forty-five": 45,
    "forty eight": 48,
    "forty-eight": 48,
    "ninety": 90,
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
}

# Typographic quotes and backticks read as straight ones.
_QUOTES = str.maketrans(
    {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'", "`": "'"}
)
_WORD = re.compile(r"\b[A-Za-z]{4,}\b")


def clean(text: str) -> str:
    """One line, single spaces, straight quotes."""
    return " ".join(text.translate(_QUOTES).split())


@cache
def _nearest(word: str) -> str | None:
    for keyword in KEYWORDS:
        if _one_edit(word, keyword):
            return keyword
    return None


def _one_edit(a: str, b: str) -> bool:
    """True when `a` becomes `b` by one dropped, added or changed letter, or one swap of
    neighbours. Four-letter words only by a swap, so `last` never becomes `list`."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1:
            i, j = diff
            return a[i] == b[j] and a[j] == b[i]
        return len(diff) == 1 and min(len(a), len(b)) >= 5
    if min(len(a), len(b)) < 5:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def repair(text: str, keep: Sequence[tuple[int, int]] = ()) -> str:
    """`text` with words one keystroke away from a cue word spelled as that word, except
    inside the `keep` spans (quotes, ids)."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower in KEYWORDS or lower in COMMON:
            return word
        if any(start <= match.start() < end for start, end in keep):
            return word
        return _nearest(lower) or word

    return _WORD.sub(fix, text)
