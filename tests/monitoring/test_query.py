"""The metrics query language: parsing with positions, and evaluation over known series."""

from __future__ import annotations

import pytest

from ops_agent.monitoring.evaluate import Data, Rollup, evaluate, histogram_quantile
from ops_agent.monitoring.query import Binary, Call, Number, QueryError, Selector, parse

T0 = 1_800_000_000.0  # a minute boundary


def test_examples_parse() -> None:
    assert parse("avg(response_time)") == Call("avg", Selector("response_time"))
    p95 = parse('p95(latency_ms{project="web"})[5m]')
    assert p95 == Call("p95", Selector("latency_ms", (("project", "=", "web"),)), 300)
    ratio = parse("rate(status_5xx[5m]) / rate(requests[5m])")
    assert isinstance(ratio, Binary) and ratio.op == "/"
    assert parse("error_rate > 5%") == Binary(">", Selector("error_rate"), Number(0.05))
    assert parse('x{a!="b", c=~"/api/.*", d!~"x"}') == Selector(
        "x", (("a", "!=", "b"), ("c", "=~", "/api/.*"), ("d", "!~", "x"))
    )


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ("avg(", 4),
        ("x{a=1}", 4),
        ("x[5]", 2),
        ("x > > 2", 4),
        ("rate(x[5m])[5m]", 0),
        ("", 0),
        ("x $ 2", 2),
    ],
)
def test_errors_name_the_position(query: str, position: int) -> None:
    with pytest.raises(QueryError) as info:
        parse(query)
    assert info.value.position == position


def rollups(per_minute: list[tuple[int, int, int, list[int]]]) -> list[Rollup]:
    out = []
    for i, (requests, s5, dcount, buckets) in enumerate(per_minute):
        out.append(Rollup(T0 + 60 * i, requests, 0, s5, dcount, 100.0 * dcount, tuple(buckets)))
    return out


def test_rates_ratios_and_comparisons() -> None:
    hist = [0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0]  # all in (50, 100] ms
    data = Data(
        rollups={
            Selector("requests", (), 300): rollups([(60, 0, 10, hist)] * 10),
            Selector("status_5xx", (), 300): rollups([(60, 6, 10, hist)] * 10),
            Selector("error_rate"): rollups([(100, 2, 10, hist)] * 5 + [(100, 20, 10, hist)] * 5),
        }
    )
    stamps = [T0 + 60 * (i + 1) for i in range(10)]
    rate = evaluate(parse("rate(status_5xx[5m]) / rate(requests[5m])"), data, stamps, 60)
    assert rate[-1] == pytest.approx(0.1)
    firing = evaluate(parse("error_rate > 5%"), data, stamps, 60)
    assert firing[:5] == [None] * 5 and firing[5:] == [pytest.approx(0.2)] * 5
    assert evaluate(parse("rate(requests[5m])"), data, stamps, 60)[-1] == pytest.approx(1.0)


def test_latency_from_histograms() -> None:
    assert histogram_quantile(0.5, [0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0]) == pytest.approx(75)
    assert histogram_quantile(0.95, [90, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0]) == pytest.approx(
        2500 + 2500 * 0.5
    )
    assert histogram_quantile(0.5, [0] * 12) is None
    data = Data(
        rollups={
            Selector("latency_ms", (("project", "=", "web"),), None): rollups(
                [(10, 0, 10, [0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0])] * 5
            )
        }
    )
    [p95] = evaluate(parse('p95(latency_ms{project="web"})[5m]'), data, [T0 + 300], 60)
    assert 90 < (p95 or 0) <= 100
    [avg] = evaluate(parse('avg(latency_ms{project="web"})[5m]'), data, [T0 + 300], 60)
    assert avg == pytest.approx(100)


def test_pushed_samples_and_custom_metrics() -> None:
    cpu = Selector("cpu_percent", (("host", "=", "web-1"),), None)
    points = [(T0 + 15 * i, float(v)) for i, v in enumerate([10, 20, 95, 97, 99, 50])]
    data = Data(
        samples={cpu: points, Selector("cpu_percent", (("host", "=", "web-1"),), 60): points},
        definitions={"hot": parse('avg(cpu_percent{host="web-1"}[1m]) > 70')},
    )
    assert evaluate(parse('cpu_percent{host="web-1"}'), data, [T0 + 75], 60) == [50.0]
    assert evaluate(parse('max(cpu_percent{host="web-1"})'), data, [T0 + 75], 60) == [99.0]
    # the window (T0 + 15, T0 + 75] holds 95, 97, 99, 50: 85.25 > 70; before the spike, 10 only
    assert evaluate(parse("hot"), data, [T0 + 75], 60) == [pytest.approx(85.25)]
    assert evaluate(parse("hot"), data, [T0 + 10], 60) == [None]


@pytest.mark.parametrize("depth", [33, 300])
def test_nesting_is_bounded_with_a_position(depth: int) -> None:
    for expr in ("(" * depth + "1" + ")" * depth, "-" * depth + "1"):
        with pytest.raises(QueryError, match="nests more than 32"):
            parse(expr)
    assert parse("(" * 32 + "1" + ")" * 32) is not None


def test_anomaly_scores_a_series_from_the_history_before_the_range() -> None:
    """`anomaly(expr) > 0.8` holds at the onset of an unusual change, in either direction,
    with no threshold to pick; the detector reads the days before the range first."""
    import random

    from ops_agent.monitoring.query import Anomaly

    tree = parse("anomaly(avg(queue_depth)) > 0.8")
    assert isinstance(tree, Binary) and isinstance(tree.left, Anomaly)
    rng = random.Random(5)
    end = T0 + 3 * 86400
    points = [(t, 40 + rng.gauss(0, 2)) for t in range(int(T0), int(end), 60)]
    points[-30] = (points[-30][0], 5.0)  # a drop, half an hour ago
    data = Data(samples={Selector("queue_depth"): [(float(t), v) for t, v in points]})
    stamps = [end - 60 * k for k in range(60, 0, -1)]
    held = [t for t, v in zip(stamps, evaluate(tree, data, stamps, 60), strict=True) if v]
    assert held == [points[-30][0]]  # the step whose window (t - 60, t] holds the drop
    scores = evaluate(tree.left, data, stamps, 60)
    assert all(s is not None and 0 <= s <= 1 for s in scores)
