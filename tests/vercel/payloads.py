"""Vercel API and webhook bodies shaped as Vercel documents them (vercel.com/docs/rest-api,
/docs/webhooks/webhooks-api), with unknown extra fields, as real answers have."""

from __future__ import annotations

import json
from typing import Any

from ops_agent.vercel.signature import sign

API = "https://api.vercel.test"
TEAM = "team_nLlpyC6REAqxydlFKbrMDlud"
PROJECT_ID = "prj_Qmc52npNy86S8VV4Mt8a8dP1LEkR"
PROJECT_NAME = "shop"
T0 = 1_764_000_000_000  # ms


def deployment(
    dpl: str,
    state: str = "READY",
    *,
    target: str | None = "production",
    created: int = T0,
    branch: str = "main",
    error: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A `GET /v13/deployments/{id}` body."""
    body: dict[str, Any] = {
        "id": dpl,
        "name": PROJECT_NAME,
        "url": f"{PROJECT_NAME}-{dpl[-6:].lower()}-acme.vercel.app",
        "readyState": state,
        "readySubstate": "PROMOTED" if state == "READY" and target == "production" else None,
        "target": target,
        "projectId": PROJECT_ID,
        "createdAt": created,
        "buildingAt": created + 2_000,
        "ready": created + 62_000 if state == "READY" else None,
        "inspectorUrl": f"https://vercel.com/acme/{PROJECT_NAME}/{dpl[4:]}",
        "alias": [f"{PROJECT_NAME}.example.com"] if target == "production" else [],
        "aliasAssigned": state == "READY",
        "meta": {
            "githubCommitRef": branch,
            "githubCommitSha": "de8b89f13b2bc164cf07e735921bf5513e17951d",
            "githubCommitMessage": "fix: retry webhook handler",
            "githubCommitAuthorLogin": "octocat",
        },
        "creator": {"uid": "R6efeCJQ2HKXywuasPDc0fOWB", "username": "octocat"},
        "regions": ["iad1"],
        "isRollbackCandidate": state == "READY" and target == "production",
        "someFieldVercelAddsLater": {"nested": True},
    }
    if error:
        body["errorCode"], body["errorMessage"] = error
    return body


def list_item(dpl: str, state: str = "READY", **kw: Any) -> dict[str, Any]:
    """An item of `GET /v6/deployments`: `uid`, `created`, `state` instead of id/createdAt."""
    full = deployment(dpl, state, **kw)
    return {
        "uid": full["id"],
        "name": full["name"],
        "url": full["url"],
        "created": full["createdAt"],
        "state": state,
        "readyState": state,
        "target": full["target"],
        "projectId": PROJECT_ID,
        "meta": full["meta"],
        "creator": full["creator"],
        "buildingAt": full["buildingAt"],
        "ready": full["ready"],
        "inspectorUrl": full["inspectorUrl"],
        "isRollbackCandidate": full["isRollbackCandidate"],
    }


def page(items: list[dict[str, Any]], next_: int | None = None) -> dict[str, Any]:
    return {"deployments": items, "pagination": {"count": len(items), "next": next_, "prev": None}}


def project(production: str | None = "dpl_current") -> dict[str, Any]:
    """A `GET /v9/projects/{idOrName}` body (the parts that matter, plus noise)."""
    return {
        "id": PROJECT_ID,
        "name": PROJECT_NAME,
        "accountId": TEAM,
        "framework": "nextjs",
        "nodeVersion": "22.x",
        "link": {
            "type": "github",
            "repo": "shop",
            "repoId": 123456789,
            "org": "acme",
            "productionBranch": "main",
            "deployHooks": [],
        },
        "targets": {"production": deployment(production)} if production else {},
        "latestDeployments": [],
    }


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def webhook(
    type_: str,
    dpl: str,
    *,
    delivery: str | None = None,
    target: str | None = "production",
    created: int = T0,
    **payload_extra: Any,
) -> dict[str, Any]:
    """A webhook envelope as in vercel.com/docs/webhooks/webhooks-api."""
    return {
        "id": delivery or f"uev_{type_.replace('.', '_')}_{dpl}",
        "type": type_,
        "createdAt": created,
        "region": "iad1",
        "payload": {
            "team": {"id": TEAM},
            "user": {"id": "R6efeCJQ2HKXywuasPDc0fOWB"},
            "deployment": {
                "id": dpl,
                "name": PROJECT_NAME,
                "url": f"{PROJECT_NAME}-{dpl[-6:].lower()}-acme.vercel.app",
                "meta": {
                    "githubCommitRef": "main",
                    "githubCommitSha": "de8b89f13b2bc164cf07e735921bf5513e17951d",
                    "githubCommitMessage": "fix: retry webhook handler",
                },
            },
            "links": {
                "deployment": f"https://vercel.com/acme/{PROJECT_NAME}/{dpl[4:]}",
                "project": f"https://vercel.com/acme/{PROJECT_NAME}",
            },
            "target": target,
            "project": {"id": PROJECT_ID},
            "plan": "pro",
            "regions": ["iad1"],
            **payload_extra,
        },
    }


def signed(body: dict[str, Any], secret: str) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    return raw, {"x-vercel-signature": sign(raw, secret), "content-type": "application/json"}
