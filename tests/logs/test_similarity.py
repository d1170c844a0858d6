"""The weighted similarity of masked lines: constant tokens weigh by position and rarity."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ops_agent.logs.similarity import (
    POSITION_HALVING,
    Rarity,
    position_weight,
    similarity,
    weights,
    word_places,
)


def test_a_token_weighs_less_the_further_in_it_stands() -> None:
    weights = [position_weight(i) for i in range(12)]
    assert weights == sorted(weights, reverse=True)
    assert position_weight(POSITION_HALVING) == position_weight(0) / 2


def test_a_token_few_lines_hold_weighs_more_than_one_all_hold() -> None:
    rarity = Rarity()
    for n in range(20):
        rarity.add(("Login", "for", "user") if n % 10 == 0 else ("Logout", "for", "user"))
    assert rarity.weight("for") < rarity.weight("Logout") < rarity.weight("Login")
    assert rarity.weight("never-seen") > rarity.weight("Login")


def test_lines_differ_in_word_places_only_or_in_shape() -> None:
    a = ("User", "ana", "signed", "in", "from", "Oslo")
    assert word_places(a, ("User", "li", "signed", "in", "from", "Rome"), 4) == [1, 5]
    assert word_places(a, ("User", "li", "signed", "in", "from", "Rome"), 1) is None  # too many
    assert word_places(a, a, 4) == []
    assert word_places(a, ("User", "<*>", "signed", "in", "from", "Oslo"), 4) is None
    assert word_places(a, ("User", "ana", "signed", "in", ":", "Oslo"), 4) is None


def test_sharing_the_opening_and_the_rare_words_counts_most() -> None:
    rarity = Rarity()
    for n in range(30):
        rarity.add(("Job", "runner", f"w{n}", "for", "the", "queue"))
    line = ("Job", "runner", "started", "for", "the", "queue")
    # Differing at the start costs more than differing as far in as the end.
    weighed = weights(line, rarity)
    assert similarity(weighed, [0, 1]) < similarity(weighed, [4, 5])
    rare = Rarity()
    for n in range(30):
        rare.add(("a", "b", "c", "d", "e", "f") if n else line)
    # The same places shared, but now the shared words are rare: they say more.
    assert similarity(weights(line, rare), [2]) > similarity(weighed, [2])
    assert similarity(weighed, []) == 1.0


@given(
    st.lists(st.sampled_from(["a", "bb", "cc", "dd", "=", "<*>"]), min_size=1, max_size=12),
    st.data(),
)
def test_similarity_is_a_share(tokens: list[str], data: st.DataObject) -> None:
    rarity = Rarity()
    rarity.add(tokens)
    places = data.draw(st.lists(st.integers(0, len(tokens) - 1), unique=True))
    value = similarity(weights(tokens, rarity), places)
    assert 0.0 <= value <= 1.0
    assert (value == 0.0) == (len(places) == len(tokens))
