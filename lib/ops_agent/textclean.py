"""Text the store cannot hold, made into text it can. Pure.

Postgres refuses a NUL character in text and JSON, and JSON from the outside may carry lone
UTF-16 surrogates (`"\\ud800"`), which are no characters at all. Both are cleaned once, at the
edge, so that one such value never costs a whole delivery: NULs are dropped, a lone
surrogate becomes U+FFFD.
"""

from __future__ import annotations

import re
from typing import Any

_BAD = re.compile("[\x00\ud800-\udfff]")
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


def clean_text(text: str) -> str:
    """`text` without NULs, with lone surrogates replaced."""
    if not _BAD.search(text):
        return text
    return _BAD.sub(lambda m: "" if m.group(0) == "\x00" else "\ufffd", text)


def clean_json(value: Any) -> tuple[Any, int]:
    """`value` (decoded JSON) with every string (keys too) cleaned, and how many strings had
    to be. Integers past 64 bits become strings (jsonb would refuse them as numbers in SQL
    integer columns); non-finite floats become None."""
    changed = 0

    def walk(v: Any) -> Any:
        nonlocal changed
        if isinstance(v, str):
            c = clean_text(v)
            changed += c != v
            return c
        if isinstance(v, bool) or v is None:
            return v
        if isinstance(v, int):
            if not INT64[0] <= v <= INT64[1]:
                changed += 1
                return str(v)
            return v
        if isinstance(v, float):
            if v != v or v in (float("inf"), float("-inf")):
                changed += 1
                return None
            return v
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {walk(k): walk(x) for k, x in v.items()}
        return v

    return walk(value), changed
