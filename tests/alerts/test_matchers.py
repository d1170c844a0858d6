"""Label matchers run user regexes on RE2: linear time, so a pattern that backtracks
catastrophically in Python's `re` answers at once (correctly), and what RE2 lacks is refused
when declared, with the reason."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ops_agent.alerts.matching import MAX_LABEL_VALUE, Matcher


def test_catastrophic_patterns_answer_and_answer_right() -> None:
    m = Matcher(label="path", op="=~", value="(a+)+$")
    assert not m.matches({"path": "a" * 28 + "b"})  # exponential in Python's re
    assert m.matches({"path": "a" * 28})
    nested = Matcher(label="path", op="!~", value="(x+x+)+y")
    assert nested.matches({"path": "x" * 5000})


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?=a)a", r"(?<!b)a", "("])
def test_what_re2_lacks_is_refused_when_declared(pattern: str) -> None:
    with pytest.raises(ValidationError, match="RE2 syntax"):
        Matcher(label="x", op="=~", value=pattern)


def test_label_values_are_matched_up_to_a_limit() -> None:
    m = Matcher(label="x", op="=~", value="a*")
    assert m.matches({"x": "a" * MAX_LABEL_VALUE + "b"})  # the tail past the limit is not read
    assert Matcher(label="env", op="=~", value="prod|staging").matches({"env": "staging"})
