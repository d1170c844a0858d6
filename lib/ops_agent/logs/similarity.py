"""How alike two masked log lines of one length are, weighing what they share: pure, no I/O.

A line's constant tokens do not all say as much about which event it is. The opening words
name the event (`Login succeeded for user ana from Oslo`), so a token weighs less the further
in it stands; and a token most lines hold (`for`, `from`, `=`) says less than one few lines
hold (`Login`), so a token weighs by its rarity among the lines seen (inverse document
frequency). The similarity of two lines is the weight of the tokens they share over the
weight of all their places, where a place they differ in weighs as a token half the lines
hold: that the words in it are rare (new values usually are) is no evidence either way, and
lines that share only words every line holds (`for`, `=`) are not alike for that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ops_agent.logs.masking import WILDCARD

# A token's position weight halves POSITION_HALVING places into the line.
POSITION_HALVING = 4
# A place where two lines hold different words weighs as a token half the lines hold would
# (log 3, see `Rarity.weight`): whether the words there are rare says nothing (new values
# are), while shared words weigh more than that only if they are rarer, less if commoner.
DIFFERING_RARITY = math.log(3.0)


def position_weight(place: int) -> float:
    """How much a token at `place` (from 0) weighs for where it stands."""
    return 1.0 / (1.0 + place / POSITION_HALVING)


@dataclass
class Rarity:
    """How many distinct lines (masked) hold each token, to weigh tokens by rarity."""

    lines: int = 0
    holding: dict[str, int] = field(default_factory=dict)

    def add(self, key: Sequence[str]) -> None:
        """Count a line seen for the first time."""
        self.lines += 1
        for token in set(key):
            self.holding[token] = self.holding.get(token, 0) + 1

    def weight(self, token: str) -> float:
        """The token's inverse document frequency: about 0.7 for a token every line holds,
        growing as fewer do."""
        return math.log(1.0 + (1.0 + self.lines) / (1.0 + self.holding.get(token, 0)))


@lru_cache(maxsize=1 << 14)  # tokens repeat: a lookup is cheaper than the test
def is_word(token: str) -> bool:
    """A token made of letters (or a name such as `$LATEST`, `_id`): one that may be a
    value, as punctuation and values already masked may not."""
    return token != WILDCARD and (token[0].isalpha() or token[0] in "$_") and len(token) > 1


def word_places(a: Sequence[str], b: Sequence[str], limit: int) -> list[int] | None:
    """The places where two lines of one length hold different words, or None if they also
    differ anywhere else (punctuation, values, a word against a value: such lines have
    different shapes, not different words) or in more than `limit` places."""
    places: list[int] = []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x != y:
            if len(places) == limit or not (is_word(x) and is_word(y)):
                return None
            places.append(i)
    return places


def weights(a: Sequence[str], rarity: Rarity) -> list[float]:
    """Each token's weight in line `a`: its rarity times its position's weight."""
    return [rarity.weight(token) * position_weight(i) for i, token in enumerate(a)]


def similarity(weighed: Sequence[float], places: Sequence[int]) -> float:
    """The weighted share of a line that another line agrees on, given the line's token
    weights (see `weights`) and the `places` where the two hold different words: in [0, 1]."""
    differ = set(places)
    shared = sum(w for i, w in enumerate(weighed) if i not in differ)
    apart = DIFFERING_RARITY * sum(position_weight(i) for i in differ)
    return shared / (shared + apart) if shared else 0.0
