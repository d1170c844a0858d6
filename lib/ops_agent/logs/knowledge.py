"""What a recurring error usually means and what usually fixes it: a small knowledge base of
Vercel function errors, Python and Node errors, and database and network failures."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnosis:
    key: str
    cause: str
    fix: str


@dataclass(frozen=True)
class Rule:
    key: str
    pattern: str
    cause: str
    fix: str


# First match wins, so specific rules come before general ones.
_RULES: list[Rule] = [
    Rule(
        "FUNCTION_INVOCATION_TIMEOUT",
        r"FUNCTION_INVOCATION_TIMEOUT|Task timed out after",
        "The function ran past its maxDuration.",
        "Find the slow call (database, upstream API) and bound it with a timeout; "
        "raise maxDuration in vercel.json only if the work is legitimately long, or"
        " move it to a background job.",
    ),
    Rule(
        "FUNCTION_PAYLOAD_TOO_LARGE",
        r"FUNCTION_PAYLOAD_TOO_LARGE|FUNCTION_RESPONSE_PAYLOAD_TOO_LARGE"
        r"|Request Entity Too Large",
        "A request or response body exceeded Vercel's 4.5 MB limit.",
        "Stream or paginate large responses, upload large files straight to storage"
        " (presigned URLs).",
    ),
    Rule(
        "FUNCTION_INVOCATION_FAILED",
        r"FUNCTION_INVOCATION_FAILED|NO_RESPONSE_FROM_FUNCTION|Runtime exited"
        r"|Unhandled Promise Rejection|unhandledRejection",
        "The function crashed or returned no response (an unhandled exception or "
        "rejected promise).",
        "Look at the stack trace logged just before; wrap the handler's work in "
        "error handling that answers 5xx with a body instead of crashing.",
    ),
    Rule(
        "EDGE_FUNCTION_INVOCATION_FAILED",
        r"EDGE_FUNCTION_INVOCATION_(FAILED|TIMEOUT)"
        r"|MIDDLEWARE_INVOCATION_(FAILED|TIMEOUT)",
        "An Edge Function or middleware threw or ran too long.",
        "Keep middleware to header and redirect logic; move I/O to a serverless "
        "function; check the thrown error.",
    ),
    Rule(
        "DEPLOYMENT_NOT_FOUND",
        r"DEPLOYMENT_NOT_FOUND|NOT_FOUND",
        "Traffic reached a deployment or path that does not exist.",
        "Check aliases, rewrites and links to removed routes.",
    ),
    Rule(
        "OUT_OF_MEMORY",
        r"JavaScript heap out of memory|MemoryError|out of memory|OOMKilled"
        r"|Killed process",
        "The function ran out of memory.",
        "Process data in streams or pages instead of loading it whole; raise the "
        "function's memory in the dashboard if the working set is legitimately "
        "large.",
    ),
    Rule(
        "MODULE_NOT_FOUND",
        r"Cannot find module|ModuleNotFoundError|No module named"
        r"|ERR_MODULE_NOT_FOUND|ImportError",
        "A dependency is missing from the deployed bundle.",
        "Add it to package.json / requirements.txt (not only devDependencies), "
        "check the import path's case, and make sure excludeFiles does not drop it.",
    ),
    Rule(
        "UNDEFINED_PROPERTY",
        r"Cannot read propert(y|ies) of (undefined|null)|is not a function"
        r"|is not defined|AttributeError: 'NoneType'",
        "Code used a value that was undefined or None.",
        "Guard the value at the line in the stack trace; it often comes from an API"
        " or database answer shaped differently than expected.",
    ),
    Rule(
        "TYPE_ERROR",
        r"TypeError|KeyError|ValueError|IndexError",
        "A programming error met unexpected data.",
        "Read the stack trace and the input that triggered it; add validation at "
        "the boundary (pydantic, zod).",
    ),
    Rule(
        "DB_TOO_MANY_CONNECTIONS",
        r"too many (clients|connections)|remaining connection slots"
        r"|connection pool exhausted|PoolTimeout|P2024"
        r"|Timed out fetching a new connection",
        "The database ran out of connections: each serverless instance opens its own.",
        "Use the pooled connection string (Supabase port 6543 / PgBouncer) and a "
        "small pool per instance, or an HTTP-based client.",
    ),
    Rule(
        "DB_CONNECTION",
        r"ECONNREFUSED.*5432|could not connect to server"
        r"|Connection terminated unexpectedly|P1001|P1017|OperationalError"
        r"|server closed the connection",
        "The database was unreachable or dropped the connection.",
        "Check the database's status and credentials; retry idempotent queries with backoff.",
    ),
    Rule(
        "DB_DEADLOCK",
        r"deadlock detected|could not serialize access|40P01|40001",
        "Concurrent transactions conflicted.",
        "Retry the transaction; touch rows in a consistent order; keep transactions short.",
    ),
    Rule(
        "DB_CONSTRAINT",
        r"duplicate key value|violates (unique|foreign key|not-null) constraint"
        r"|23505|P2002",
        "A write broke a database constraint (often a retried request inserting twice).",
        "Make the write idempotent (ON CONFLICT, idempotency keys) or validate before writing.",
    ),
    Rule(
        "UPSTREAM_RATE_LIMITED",
        r"\b429\b|Too Many Requests|rate limit",
        "An upstream API rate-limited the app.",
        "Back off honouring Retry-After, cache responses, and spread bursts.",
    ),
    Rule(
        "NETWORK_TIMEOUT",
        r"ETIMEDOUT|ESOCKETTIMEDOUT|timed out|timeout of \d+ms exceeded"
        r"|ReadTimeout|ConnectTimeout|UND_ERR_CONNECT_TIMEOUT",
        "A call to another service timed out.",
        "Check that service's health; set explicit timeouts shorter than "
        "maxDuration and retry idempotent calls.",
    ),
    Rule(
        "NETWORK_REFUSED",
        r"ECONNREFUSED|Connection refused|ECONNRESET|socket hang up|EPIPE"
        r"|fetch failed",
        "A connection to another service was refused or reset.",
        "Check the target host and port, its health, and any firewall or allowlist;"
        " retry with backoff.",
    ),
    Rule(
        "DNS",
        r"ENOTFOUND|EAI_AGAIN|getaddrinfo|Name or service not known",
        "A host name did not resolve.",
        "Check the host name in the environment variables of this environment.",
    ),
    Rule(
        "TLS",
        r"certificate has expired|CERT_HAS_EXPIRED"
        r"|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SSL|self signed certificate",
        "A TLS handshake failed.",
        "Renew or fix the certificate chain of the upstream; never disable verification.",
    ),
    Rule(
        "AUTH",
        r"\b401\b|Unauthorized|invalid (api )?key|jwt expired|JsonWebTokenError"
        r"|403 Forbidden",
        "Calls were rejected for bad or expired credentials.",
        "Rotate or re-set the secret in this environment's variables and redeploy.",
    ),
    Rule(
        "ENV_MISSING",
        r"environment variable|is not set|Missing required|undefined env",
        "A required environment variable is missing in this environment.",
        "Set it for the right environment (production, preview) in the project "
        "settings and redeploy.",
    ),
    Rule(
        "SERVER_ERROR",
        r"\b5\d\d\b|Internal Server Error",
        "Requests ended in server errors.",
        "Look at the function logs for the same request ids to find the exception.",
    ),
]
_COMPILED = [(r.key, re.compile(r.pattern, re.IGNORECASE), r.cause, r.fix) for r in _RULES]


def diagnose(*texts: str) -> Diagnosis | None:
    """The first known cause whose pattern appears in any of `texts` (template or samples)."""
    for key, pattern, cause, fix in _COMPILED:
        if any(pattern.search(t) for t in texts if t):
            return Diagnosis(key, cause, fix)
    return None
