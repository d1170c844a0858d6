from __future__ import annotations

import hashlib
import hmac
import random
import time
from email.utils import formatdate

from ops_agent.retry import backoff_delay, server_delay
from ops_agent.vercel.signature import parse_secrets, sign, verify


def test_signature_is_hex_hmac_sha1_of_raw_body() -> None:
    body = b'{"id":"uev_1","type":"deployment.created"}'
    expected = hmac.new(b"s3cret", body, hashlib.sha1).hexdigest()
    assert sign(body, "s3cret") == expected
    assert verify(body, expected, ["s3cret"])
    assert verify(body, expected.upper(), ["s3cret"])


def test_rotation_accepts_either_secret_and_rejects_others() -> None:
    body = b"{}"
    secrets = parse_secrets(" new-secret , old-secret ,")
    assert secrets == ["new-secret", "old-secret"]
    assert verify(body, sign(body, "old-secret"), secrets)
    assert not verify(body, sign(body, "other"), secrets)
    assert not verify(body, None, secrets)
    assert not verify(body, "", secrets)
    assert not verify(body + b" ", sign(body, "new-secret"), secrets)
    assert not verify(body, sign(body, "new-secret"), [])


def test_server_delay_reads_retry_after_and_reset() -> None:
    now = time.time()
    assert server_delay({"retry-after": "7"}, now) == 7.0
    assert 9 <= (server_delay({"retry-after": formatdate(now + 10, usegmt=True)}, now) or 0) <= 10
    assert server_delay({"x-ratelimit-reset": str(int(now) + 30)}, now) == int(now) + 30 - now
    assert server_delay({"x-ratelimit-reset": "bogus"}, now) is None
    assert server_delay({}, now) is None
    assert server_delay({"retry-after": "garbage"}, now) is None


def test_backoff_is_capped_and_grows() -> None:
    rng = random.Random(1)
    assert all(0 <= backoff_delay(1, rng=rng) <= 0.5 for _ in range(100))
    assert all(0 <= backoff_delay(10, rng=rng) <= 20 for _ in range(100))
    assert 5 <= backoff_delay(1, server=5, rng=rng) <= 6
    assert backoff_delay(1, server=500, rng=rng) == 20
