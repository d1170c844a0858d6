"""Build failures by cause: what a redeploy may fix, and what it would not."""

from __future__ import annotations

import pytest

from ops_agent.agent.act.diagnosis import diagnose_build


@pytest.mark.parametrize(
    ("code", "message", "log", "cause"),
    [
        (
            "BUILD_FAILED",
            "npm ERR! network request to https://registry.npmjs.org/next failed, reason: "
            "read ECONNRESET",
            [],
            "transient",
        ),
        (None, None, ["Error: getaddrinfo EAI_AGAIN registry.yarnpkg.com"], "transient"),
        (
            None,
            "Command failed",
            ["npm ERR! 503 Service Unavailable - GET https://r/x"],
            "transient",
        ),
        ("INTERNAL_ERROR", "An unexpected error happened", [], "transient"),
        ("BUILD_FAILED", "Type error: Property 'price' does not exist on type 'Item'.", [], "code"),
        (None, None, ["Module not found: Can't resolve './cart'"], "code"),
        # A network blip in the log does not hide the real, code failure.
        (
            None,
            None,
            ["npm WARN fetch ETIMEDOUT, retrying", "SyntaxError: Unexpected token"],
            "code",
        ),
        (None, "Missing required environment variable DATABASE_URL", [], "config"),
        (None, "Error: No Output Directory named 'dist' found", [], "config"),
        ("BUILD_FAILED", "Something odd", ["exit 1"], "unknown"),
        (None, None, [], "unknown"),
        # A line number is not an HTTP status.
        (None, "at src/app.ts line 502", [], "unknown"),
    ],
)
def test_build_failures_are_classified(code, message, log, cause) -> None:
    diagnosis = diagnose_build(code, message, log)
    assert diagnosis.cause == cause, diagnosis
    assert diagnosis.redeploy_may_fix is (cause == "transient")
    assert diagnosis.evidence


def test_every_playbook_has_a_runner_and_rules_name_only_those() -> None:
    import pytest
    from pydantic import ValidationError

    from ops_agent.agent.act.playbooks import RUNNERS
    from ops_agent.alerts import AlertRule
    from ops_agent.remediation_spec import PLAYBOOKS

    assert set(RUNNERS) == set(PLAYBOOKS)
    base = {"name": "r", "condition": "error_rate > 5%"}
    rule = AlertRule.model_validate({**base, "remediation": {"playbook": "rollback"}})
    assert rule.remediation is not None and rule.remediation.approval is False
    for bad in (
        {"playbook": "reboot_the_world"},
        {"playbook": "webhook"},  # a hand-off needs somewhere to go
        {"playbook": "webhook", "url": "ftp://x"},
        {"playbook": "rollback", "aproval": True},  # a typo is not silently ignored
    ):
        with pytest.raises(ValidationError):
            AlertRule.model_validate({**base, "remediation": bad})
