"""What a rule (`remediation:`) or an anomaly binding (`anomalies:`) asks the agent to do when
it fires: one of the playbooks, whether a person approves first, and where a hand-off goes.
The one list of playbooks; `agent/act/playbooks.py` carries each out."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

PlaybookName = Literal["rollback", "redeploy", "dev_agent", "webhook"]
PLAYBOOKS: tuple[PlaybookName, ...] = get_args(PlaybookName)


class RemediationSpec(BaseModel):
    """A playbook to run, validated where it is declared (a rule or ops-agent.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    playbook: PlaybookName
    approval: bool = False
    url: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _url_for_webhooks(self) -> RemediationSpec:
        if self.url is not None and not self.url.startswith(("https://", "http://")):
            raise ValueError("remediation url must be an http(s) URL")
        if self.playbook == "webhook" and self.url is None:
            raise ValueError("the webhook playbook needs a url")
        return self
