"""What a failure points at, decided from what was observed. Pure.

- A build failed: was it the platform or the network (worth one redeploy), or the code or its
  configuration (a redeploy would fail the same way)?
The other question, whether a production deployment went live shortly before a regression,
is `ops_agent.logs.anomalies.suspect_deployment`, shared with anomaly detection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

BuildCause = Literal["transient", "code", "config", "unknown"]

# Checked in order: a build log that shows both a network blip and a type error failed on the
# code, so code and config patterns come first.
_CODE = re.compile(
    r"type ?error|syntaxerror|syntax error|module not found|cannot find module|"
    r"failed to compile|is not assignable|unexpected token|referenceerror|lint(ing)? error|"
    r"test(s)? failed|error: command .* exited with [1-9]",
    re.IGNORECASE,
)
_CONFIG = re.compile(
    r"missing (required )?environment variable|env(ironment)? var.* (is )?(not set|missing)|"
    r"invalid (vercel\.json|configuration)|no output directory|build command .* not found|"
    r"unsupported (node|runtime) version|function .* exceeds .* size",
    re.IGNORECASE,
)
_TRANSIENT = re.compile(
    r"etimedout|econnreset|econnrefused|eai_again|enotfound|socket hang up|"
    r"network (error|timeout)|timed? ?out|(status|code|http|error)[ :]*50[234]\b|"
    r"service unavailable|bad gateway|too many requests|\b429\b|"
    r"rate limit|registry.*(unavailable|error)|internal (server )?error|"
    r"unexpected error occurred|try again|temporar(y|ily)|build container.*(terminated|lost)",
    re.IGNORECASE,
)
# Vercel's errorCode values that are the platform's doing, not the project's.
_TRANSIENT_CODES = {"INTERNAL_ERROR", "BUILD_CONTAINER_TERMINATED", "DEPLOYMENT_TIMEOUT"}


@dataclass(frozen=True)
class BuildDiagnosis:
    cause: BuildCause
    evidence: str  # the line that decided it

    @property
    def redeploy_may_fix(self) -> bool:
        return self.cause == "transient"


def diagnose_build(
    error_code: str | None, error_message: str | None, log_lines: Iterable[str] = ()
) -> BuildDiagnosis:
    """Classify a failed build from Vercel's errorCode/errorMessage and its build log."""
    lines = [line for line in [error_message or "", *log_lines] if line]
    for pattern, cause in ((_CODE, "code"), (_CONFIG, "config")):
        for line in lines:
            if pattern.search(line):
                return BuildDiagnosis(cause, line.strip()[:300])  # type: ignore[arg-type]
    if error_code and error_code.upper() in _TRANSIENT_CODES:
        return BuildDiagnosis("transient", f"errorCode {error_code}")
    for line in lines:
        if _TRANSIENT.search(line):
            return BuildDiagnosis("transient", line.strip()[:300])
    return BuildDiagnosis("unknown", (lines[0] if lines else error_code or "no error text")[:300])
