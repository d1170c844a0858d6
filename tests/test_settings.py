"""Settings: transport selection, validation that names the variable, and complete docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import AliasChoices

from ops_agent.settings import KVBackend, Settings, SettingsError, StoreBackend, load_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in env_names():
        monkeypatch.delenv(name, raising=False)


def env_names() -> set[str]:
    names: set[str] = set()
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(str(choice) for choice in alias.choices)
        else:
            names.add(field_name.upper())
    return names


def test_defaults_select_the_embedded_servers() -> None:
    s = load_settings()
    assert s.store_backend is StoreBackend.EMBEDDED and s.kv_backend is KVBackend.EMBEDDED
    assert s.ops_agent_data_dir == Path(".ops-agent")


@pytest.mark.parametrize(
    ("env", "store"),
    [
        ({"DATABASE_URL": "postgresql://u:p@h/db"}, StoreBackend.POSTGRES),
        ({"POSTGRES_URL": "postgresql://u:p@h:6543/db"}, StoreBackend.POSTGRES),
        (
            {
                "SUPABASE_URL": "https://x.supabase.co",
                "SUPABASE_SERVICE_ROLE_KEY": "k",
                "DATABASE_URL": "postgresql://h/db",
            },
            StoreBackend.SUPABASE,
        ),
    ],
)
def test_store_selection(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], store: StoreBackend
) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert load_settings().store_backend is store


@pytest.mark.parametrize(
    ("env", "kv"),
    [
        (
            {"UPSTASH_REDIS_REST_URL": "https://u.upstash.io", "UPSTASH_REDIS_REST_TOKEN": "t"},
            KVBackend.UPSTASH,
        ),
        (
            {
                "KV_REST_API_URL": "https://u.upstash.io",
                "KV_REST_API_TOKEN": "t",
                "REDIS_URL": "redis://h",
            },
            KVBackend.UPSTASH,
        ),
        ({"REDIS_URL": "redis://localhost:6379/0"}, KVBackend.REDIS),
    ],
)
def test_kv_selection(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], kv: KVBackend) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert load_settings().kv_backend is kv


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"STORE_TIMEOUT_SECONDS": "soon"}, "STORE_TIMEOUT_SECONDS"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"OPS_AGENT_AUTO_MIGRATE": "perhaps"}, "OPS_AGENT_AUTO_MIGRATE"),
        ({"SUPABASE_URL": "https://x.supabase.co"}, "SUPABASE_SERVICE_ROLE_KEY"),
        ({"KV_REST_API_URL": "https://u.upstash.io"}, "KV_REST_API_TOKEN"),
        ({"CRON_SECRET": " padded "}, "CRON_SECRET"),
        ({"TICK_LOCK_SECONDS": "10"}, "TICK_LOCK_SECONDS"),
        ({"NOTIFY_RATE_LIMITS": "slack=fast"}, "NOTIFY_RATE_LIMITS"),
        ({"NOTIFY_RATE_LIMITS": "slack=0/1"}, "NOTIFY_RATE_LIMITS"),
        ({"NOTIFY_WEBHOOK_SECRET": "not-base64!"}, "NOTIFY_WEBHOOK_SECRET"),
        ({"SMTP_USERNAME": "ops"}, "SMTP_PASSWORD"),
        ({"SMTP_SECURITY": "ssl"}, "SMTP_SECURITY"),
        ({"MAILTRAP_SANDBOX_INBOX_ID": "-1"}, "MAILTRAP_SANDBOX_INBOX_ID"),
    ],
)
def test_bad_values_fail_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(SettingsError, match=named):
        load_settings()


def test_secrets_do_not_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:hunter2hunter2@h/db")
    assert "hunter2" not in repr(load_settings())


@pytest.mark.parametrize("doc", ["docs/CONFIGURATION.md", ".env.example"])
def test_every_variable_is_documented(doc: str) -> None:
    text = (ROOT / doc).read_text()
    documented = set(re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", text))
    missing = sorted(env_names() - documented)
    assert not missing, f"{doc} does not mention {missing}"


def test_dot_env_in_the_working_directory_is_read_and_the_environment_wins(
    tmp_path, monkeypatch
) -> None:
    from ops_agent.settings import load_settings

    (tmp_path / ".env").write_text("VERCEL_PROJECT=from-dotenv\nALERT_DIGEST_HOUR=7\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VERCEL_PROJECT", raising=False)
    monkeypatch.setenv("ALERT_DIGEST_HOUR", "8")
    settings = load_settings()
    assert settings.vercel_project == "from-dotenv" and settings.alert_digest_hour == 8


def test_doctor_shows_the_effective_settings_with_secrets_hidden() -> None:
    from ops_agent.doctor import effective_settings
    from ops_agent.settings import Settings

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="postgresql://ops:hunter2@db.example:5432/ops",
        vercel_project="shop",
        slack_webhook_url="https://hooks.slack.com/services/T0/B0/sekrit",
    )
    shown = {name: (value, default) for name, value, default in effective_settings(settings)}
    assert shown["DATABASE_URL"] == ("set (hidden)", False)
    assert shown["VERCEL_PROJECT"] == ("shop", False)
    assert shown["ALERT_DIGEST_HOUR"] == ("9", True)
    text = " ".join(value for value, _ in shown.values())
    assert "hunter2" not in text and "sekrit" not in text
