"""The agent's current figures in Prometheus's text exposition format (version 0.0.4). Pure."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Gauge:
    name: str
    help: str
    samples: list[tuple[dict[str, str], float | None]] = field(default_factory=list)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def exposition(gauges: Iterable[Gauge]) -> str:
    lines: list[str] = []
    for gauge in gauges:
        lines.append(f"# HELP {gauge.name} {gauge.help}")
        lines.append(f"# TYPE {gauge.name} gauge")
        for labels, value in gauge.samples:
            rendered = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
            lines.append(
                f"{gauge.name}{{{rendered}}} {_number(value)}"
                if rendered
                else f"{gauge.name} {_number(value)}"
            )
    return "\n".join(lines) + "\n"
