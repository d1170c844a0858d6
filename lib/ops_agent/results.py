"""Results that read like the dicts the published examples index: `result["status"]`. Pure."""

from __future__ import annotations

from typing import Any


class Indexable:
    """`result["key"]` and `result.get("key")` for a result's public attributes (fields and
    properties, not methods), as well as `result.key`."""

    def __getitem__(self, key: str) -> Any:
        if not isinstance(key, str) or key.startswith("_"):
            raise KeyError(key)
        if callable(getattr(type(self), key, None)):
            raise KeyError(key)
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default
