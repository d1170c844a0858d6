"""Declared services: what to check, how often, and what "healthy" means.

Services come from `ops-agent.yaml` in the user's repository (see `config.example.yaml`) and
from the API. Every condition is parsed when the service is declared, so a typo is an error
then, not a false alarm later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ops_agent.errors import Unprocessable
from ops_agent.monitoring.conditions import ConditionError, parse
from ops_agent.observations import AnomalyKind
from ops_agent.remediation_spec import RemediationSpec

NAME = r"^[a-z0-9][a-z0-9_.-]{0,62}$"


class ServiceCheck(BaseModel):
    """One service to watch: an HTTP(S) endpoint, or a heartbeat it must send."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME)
    kind: Literal["http", "heartbeat"] = "http"
    url: str | None = Field(default=None, max_length=2000)
    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    body: str | None = Field(default=None, max_length=100_000)
    timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    interval_seconds: int = Field(default=60, ge=10, le=7 * 86_400)
    conditions: list[str] = Field(default_factory=lambda: ["[STATUS] == 200"], max_length=20)
    failure_threshold: int = Field(default=3, ge=1, le=100)
    success_threshold: int = Field(default=2, ge=1, le=100)
    verify_tls: bool = True
    project: str | None = None
    description: str | None = Field(default=None, max_length=500)
    paused: bool = False  # declared, not checked (a planned outage, a service being moved)

    @field_validator("conditions")
    @classmethod
    def _conditions_parse(cls, conditions: list[str]) -> list[str]:
        for condition in conditions:
            try:
                parse(condition)
            except ConditionError as exc:
                raise ValueError(str(exc)) from None
        return conditions

    def model_post_init(self, __context: Any) -> None:
        if self.kind == "http" and not self.url:
            raise ValueError(f"service {self.name}: an http check needs a url")
        if self.kind == "http" and self.url and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"service {self.name}: url must start with http:// or https://")


class AnomalyPlaybook(RemediationSpec):
    """A playbook bound to a kind of log anomaly: what the agent does when the tick finds one."""

    kind: AnomalyKind
    project: str | None = Field(default=None, max_length=200)
    min_score: float = Field(default=0.0, ge=0)


class MonitorConfig(BaseModel):
    """ops-agent.yaml: `services` to check, `alerts` rules (validated by the alerts tool), and
    playbooks bound to `anomalies`."""

    model_config = ConfigDict(extra="forbid")

    services: list[ServiceCheck] = Field(default_factory=list)
    alerts: list[dict[str, Any]] = Field(default_factory=list)
    anomalies: list[AnomalyPlaybook] = Field(default_factory=list)


class ConfigFileError(Unprocessable):
    """The config file is unreadable or invalid; the message names the file and the problem."""


def load_config(path: Path) -> MonitorConfig:
    """The services of a YAML (or JSON) config file; an absent file declares none."""
    if not path.exists():
        return MonitorConfig()
    import yaml

    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigFileError(f"{path}: not valid YAML: {exc}") from None
    try:
        config = MonitorConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigFileError(f"{path}: {problems}") from None
    names = [s.name for s in config.services]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigFileError(f"{path}: service names repeat: {', '.join(duplicates)}")
    return config
