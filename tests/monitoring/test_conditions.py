"""Gatus-style conditions: parsing with positions, and evaluation against observed facts."""

from __future__ import annotations

import pytest

from ops_agent.monitoring.conditions import ConditionError, Facts, evaluate, parse

FACTS = Facts(
    connected=True,
    status=200,
    response_time_ms=120.0,
    body='{"status": "UP", "items": [1, 2], "data": [{"id": 42}], "error": null}',
    headers={"Content-Type": "application/json; charset=utf-8"},
    certificate_expires_in_ms=50 * 3_600_000,
)


@pytest.mark.parametrize(
    ("condition", "success"),
    [
        ("[STATUS] == 200", True),
        ("[STATUS] == any(200, 204)", True),
        ("[STATUS] == any(301, 302)", False),
        ("[STATUS] != 500", True),
        ("[RESPONSE_TIME] < 500", True),
        ("[RESPONSE_TIME] < 100", False),
        ("[BODY].status == UP", True),
        ("[BODY].status == DOWN", False),
        ("[BODY].data[0].id == 42", True),
        ("len([BODY].items) > 0", True),
        ("len([BODY].items) == 3", False),
        ("has([BODY].error) == true", True),
        ("has([BODY].missing) == false", True),
        ("[CERTIFICATE_EXPIRATION] > 72h", False),
        ("[CERTIFICATE_EXPIRATION] > 24h", True),
        ("[BODY] == pat(*UP*)", True),
        ("[BODY] != pat(*timeout*)", True),
        ("[BODY] != pat(*UP*)", False),
        ("[HEADERS].content-type == pat(application/json*)", True),
        ("[CONNECTED] == true", True),
        ('[BODY].status == "UP"', True),
    ],
)
def test_conditions(condition: str, success: bool) -> None:
    assert evaluate(parse(condition), FACTS).success is success


def test_unreachable_target_fails_everything_but_connected_false() -> None:
    facts = Facts(connected=False)
    assert not evaluate(parse("[STATUS] == 200"), facts).success
    assert evaluate(parse("[CONNECTED] == false"), facts).success
    assert not evaluate(parse("[RESPONSE_TIME] < 500"), facts).success


def test_non_json_body_paths_fail_cleanly() -> None:
    facts = Facts(connected=True, status=200, body="<html>ok</html>")
    assert not evaluate(parse("[BODY].status == UP"), facts).success
    assert evaluate(parse("[BODY] == pat(*ok*)"), facts).success


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("[STATUS] = 200", "expected"),
        ("[FOO] == 1", "unknown placeholder"),
        ("200 == [STATUS]", "left side"),
        ("[STATUS] ==", "expected"),
        ("len(200) > 1", "placeholder"),
        ("[STATUS] == any()", "any()"),
        ("", "empty"),
    ],
)
def test_malformed_conditions_say_why(condition: str, message: str) -> None:
    with pytest.raises(ConditionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(condition)
