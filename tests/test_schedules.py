"""Minute ticks on every plan: vercel.json as shipped deploys on Hobby; the checks say what a
plan refuses and where minute ticks come from; `ops-agent schedule qstash` creates the QStash
schedule through QStash's API (mocked with respx: a SaaS API)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from ops_agent.cli import main
from ops_agent.doctor import schedule_checks
from ops_agent.http.crons import Cron, cron_every, load_crons, plan_problems, tick_advice
from ops_agent.http.local import every_minute_tick
from ops_agent.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TICK = "/api/cron/tick"


def test_the_shipped_vercel_json_deploys_on_hobby() -> None:
    crons = load_crons(ROOT / "vercel.json")
    assert plan_problems(crons, "hobby") == []
    # ... and the local server still ticks every minute.
    assert Cron(TICK, "* * * * *") in every_minute_tick(crons)


@pytest.mark.parametrize(
    ("schedule", "hobby_ok"),
    [("0 6 * * *", True), ("30 23 * * 1", True), ("* * * * *", False), ("0 */12 * * *", False)],
)
def test_hobby_allows_at_most_daily(schedule: str, hobby_ok: bool) -> None:
    problems = plan_problems([Cron(TICK, schedule)], "hobby")
    assert (problems == []) is hobby_ok
    if problems:
        assert "at most once a day" in problems[0] and "QStash" in problems[0]
    assert plan_problems([Cron(TICK, schedule)], "pro") == []


def test_advice_on_where_minute_ticks_come_from() -> None:
    daily = [Cron(TICK, "0 6 * * *")]
    [advice] = tick_advice(daily, "pro", qstash=False, cron_secret=True)
    assert "every 1 day" in advice and "'* * * * *'" in advice and "QStash" in advice
    [hobby] = tick_advice(daily, "hobby", qstash=False, cron_secret=False)
    assert "'* * * * *'" not in hobby and "set CRON_SECRET first" in hobby
    assert tick_advice(daily, "hobby", qstash=True, cron_secret=True) == []
    assert tick_advice([Cron(TICK, "* * * * *")], "pro", qstash=False, cron_secret=True) == []


def test_doctor_checks_the_schedule_against_the_plan(tmp_path: Path) -> None:
    minute = tmp_path / "vercel.json"
    minute.write_text(json.dumps({"crons": [{"path": TICK, "schedule": "* * * * *"}]}))
    hobby = Settings(vercel_plan="hobby")
    assert [c.level for c in schedule_checks(hobby, minute)] == ["fail"]
    pro = Settings(vercel_plan="pro")
    [ok] = schedule_checks(pro, minute)
    assert ok.level == "ok" and "every minute" in ok.message
    assert schedule_checks(pro, tmp_path / "missing.json") == []


@pytest.mark.parametrize(
    ("seconds", "cron"),
    [(60, "* * * * *"), (300, "*/5 * * * *"), (3600, "0 * * * *"), (21600, "0 */6 * * *")],
)
def test_cron_every(seconds: int, cron: str) -> None:
    assert cron_every(seconds) == cron


@pytest.mark.parametrize("seconds", [30, 90, 7 * 60, 5 * 3600])
def test_cron_cannot_say_it(seconds: int) -> None:
    with pytest.raises(ValueError, match=r"minute|divide"):
        cron_every(seconds)


def test_schedule_qstash_creates_or_updates_the_schedule(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QSTASH_TOKEN", "qstash_token_value")
    monkeypatch.setenv("QSTASH_URL", "https://qstash.test")
    destination = "https://ops.example.com/api/cron/tick"
    with respx.mock(base_url="https://qstash.test") as qstash:
        route = qstash.post(f"/v2/schedules/{destination}").respond(
            200, json={"scheduleId": "ops-agent-tick"}
        )
        code = main(["schedule", "qstash", "--url", destination, "--every", "1m"])
    assert code == 0, capsys.readouterr().err
    sent = route.calls.last.request
    assert sent.headers["authorization"] == "Bearer qstash_token_value"
    assert sent.headers["upstash-cron"] == "* * * * *"
    assert sent.headers["upstash-schedule-id"] == "ops-agent-tick"
    assert sent.headers["upstash-method"] == "GET"
    out = capsys.readouterr()
    assert "ops-agent-tick" in out.out and "QSTASH_CURRENT_SIGNING_KEY" in out.err


def test_schedule_qstash_refuses_what_cron_cannot_say(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QSTASH_TOKEN", "t")
    url = "https://ops.example.com/api/cron/tick"
    assert main(["schedule", "qstash", "--url", url, "--every", "7m"]) == 2
    assert "divide an hour" in capsys.readouterr().err
    monkeypatch.delenv("QSTASH_TOKEN")
    assert main(["schedule", "qstash", "--url", url]) == 2
    assert "QSTASH_TOKEN" in capsys.readouterr().err
    with respx.mock(assert_all_called=False) as nothing:
        assert main(["schedule", "qstash", "--url", "http://x/api/cron/tick"]) == 2
        assert not nothing.calls
    _ = httpx  # the package talks to QStash over httpx, which respx intercepts
