"""The phrasing corpus (phrasings.jsonl): realistic tasks with the intent and params each
must parse to, and how a parser scores on it. Shared by the tests and bench/tasks.py.

A tenth of the corpus (`split: holdout`) was written before the parser was reworked and is
kept out of any tuning: its score is reported on its own.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).with_name("phrasings.jsonl")

# A parser under test: the text in, (intent, params) out, or None when it refuses.
Parse = Callable[[str], tuple[str, dict[str, Any]] | None]


@dataclass(frozen=True)
class Phrasing:
    text: str
    intent: str
    params: dict[str, Any]
    split: str


def adapter(parse: Callable[[str], Any], refusal: type[Exception]) -> Parse:
    """A parser that returns an object with `.intent` and `.params`, or raises `refusal`, as a
    `Parse`."""

    def run(text: str) -> tuple[str, dict[str, Any]] | None:
        try:
            parsed = parse(text)
        except refusal:
            return None
        return parsed.intent, parsed.params

    return run


def load() -> list[Phrasing]:
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    return [Phrasing(r["text"], r["intent"], r["params"], r["split"]) for r in rows]


@dataclass
class Score:
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    intent_right: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    exact: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[tuple[Phrasing, Any]] = field(default_factory=list)

    def share(self, counts: dict[str, int], intent: str | None = None) -> float:
        if intent is not None:
            return counts[intent] / self.total[intent] if self.total[intent] else 1.0
        total = sum(self.total.values())
        return sum(counts.values()) / total if total else 1.0


def evaluate(
    parse: Parse,
    phrasings: list[Phrasing],
    same: Callable[[str, dict[str, Any], dict[str, Any]], bool] | None = None,
) -> Score:
    """How `parse` does on `phrasings`: the right intent, and the right intent with exactly
    the right params (or params `same` judges equal)."""
    same = same or (lambda _intent, a, b: a == b)
    score = Score()
    for p in phrasings:
        score.total[p.intent] += 1
        got = parse(p.text)
        if got is not None and got[0] == p.intent:
            score.intent_right[p.intent] += 1
            if same(p.intent, got[1], p.params):
                score.exact[p.intent] += 1
                continue
        score.misses.append((p, got))
    return score


def table(score: Score) -> str:
    """Per intent: phrasings, intent accuracy, exact accuracy."""
    lines = [f"{'intent':20} {'n':>4} {'intent':>7} {'exact':>7}"]
    for intent in sorted(score.total):
        right, exact = score.share(score.intent_right, intent), score.share(score.exact, intent)
        lines.append(f"{intent:20} {score.total[intent]:>4} {right:>7.1%} {exact:>7.1%}")
    lines.append(
        f"{'all':20} {sum(score.total.values()):>4} "
        f"{score.share(score.intent_right):>7.1%} {score.share(score.exact):>7.1%}"
    )
    return "\n".join(lines)
