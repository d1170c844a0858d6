"""What a failure points at: build failures by cause, and the release a regression follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ops_agent.remediation.diagnosis import Release, diagnose_build, suspect_release


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


T = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=30)


def test_the_latest_release_before_onset_within_the_window_is_suspected() -> None:
    old = Release("dpl_old", T - timedelta(hours=3))
    earlier = Release("dpl_a", T - timedelta(minutes=25))
    latest = Release("dpl_b", T - timedelta(minutes=3))
    after = Release("dpl_after", T + timedelta(minutes=1))  # went live after the onset
    assert suspect_release(T, [old, earlier, latest, after], WINDOW) == latest
    assert suspect_release(T, [old, earlier], WINDOW) == earlier


def test_no_release_in_the_window_means_no_suspect() -> None:
    assert suspect_release(T, [Release("dpl_old", T - timedelta(hours=1))], WINDOW) is None
    assert suspect_release(T, [], WINDOW) is None
