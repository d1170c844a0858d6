"""The JSON text PostgresStore sends for a json or jsonb argument."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from ops_agent.store.postgres import dumps

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_the_fast_encoder_says_what_the_standard_library_says(value: object) -> None:
    assert json.loads(dumps(value)) == json.loads(json.dumps(value))


def test_a_lone_surrogate_falls_back_to_the_standard_escape() -> None:
    """pydantic-core cannot encode it; the standard library escapes it, and Postgres then
    refuses the value as data (a 400), not the encoder as a crash (a 500)."""
    assert dumps({"message": "a\ud800"}) == '{"message": "a\\ud800"}'
