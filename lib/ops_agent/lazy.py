"""Package exports that load on first use (PEP 562), so that importing one module of a
package (as a function importing `ops_agent.monitoring.query` does) does not import the
whole package's tools. Pure."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def exports(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package` that imports `name` from the module `where`
    names for it on first use (then keeps it on the package)."""

    def load(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    return load
