"""Cues: words and phrases that point at an intent, each with a weight. An intent's score is
the sum of the weights of its cues found in a sentence. Pure.

Weights: 4 names the intent outright ("roll back", "acknowledge"), 3 is a strong verb or
phrase for it, 2 a likely one, 1 a hint. A sentence is understood when its best intent scores
at least MIN_SCORE and leads the next one by at least MARGIN.
"""

from __future__ import annotations

import re

MIN_SCORE = 2.0
MARGIN = 1.0

_I = re.IGNORECASE
# Who a message goes to: never "me" or "us" (those ask for an answer, or set up an alert).
_AUDIENCE = (
    r"(?:the\s+)?(?:team|everyone|everybody|people|ops|on-?call|engineering|devs|staff|"
    r"users|customers|channel|folks|stakeholders|support|all)"
)
_DEPLOYMENTS = r"(?:deployments|deploys|releases|deployment history|deploy history)"
_ALERTS = r"(?:alerts|alarms|incidents)"
_ENV_VARS = (
    r"\b(?:env(?:ironment)?[\s_-]*var(?:iable)?s?|env vars?|\.env\b|"
    r"environment settings|secrets? of)\b"
)
# "log" as in the logs, not as in a deploy log.
_LOG = r"(?<!deploy )(?<!deployment )\blog"


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, _I)


CUES: dict[str, list[tuple[re.Pattern[str], float]]] = {
    "deploy": [
        (
            _c(
                r"\b(?:(?:re)?deploy(?:ing)?|ship(?:ping)?|releas(?:e|ing)|launch(?:ing)?|"
                r"publish(?:ing)?)\b"
            ),
            2.5,
        ),
        (_c(r"\broll(?:ing)?\s+out\b|\brollout\b"), 2.5),
        (_c(r"\bgo(?:ing)?\s+live\b|\bpush\w*\b[^.?!]{0,30}\blive\b"), 3),
        (
            _c(
                r"\b(?:trigger|kick\s+off|start|create|make|run)\b[^.?!]{0,30}\b(?:deploy|"
                r"deployment|build)\b"
            ),
            2,
        ),
        (
            _c(
                r"\b(?:put|get)\b[^.?!]{0,40}\b(?:on|to|out to)\s+(?:preview|staging|prod|"
                r"production)\b"
            ),
            2.5,
        ),
        (_c(r"\btime to ship\b"), 1),
    ],
    "rollback": [
        (_c(r"\broll\s*back\b|\broll(?:ed|ing)?\s+(?:\w+\s+){1,3}back\b|\brollback\b"), 4.5),
        (_c(r"\brevert\w*\b|\bback\s+out\b|\bdowngrade\b|\breinstate\b"), 4),
        (_c(r"\bundo\b|\bundoing\b"), 3.5),
        (
            _c(r"\b(?:go|take|switch|put|restore|return)\b[^.?!]{0,30}\b(?:back|previous|prior)\b"),
            2.5,
        ),
        (
            _c(
                r"\b(?:previous|prior|last (?:known )?good|last stable|earlier)\b"
                r"[^.?!]{0,20}\b(?:version|deploy\w*|build|release)\b"
            ),
            1.5,
        ),
        (_c(r"\bpull\b[^.?!]{0,30}\b(?:release|deploy\w*)\b[^.?!]{0,10}\bfrom\b"), 3.5),
    ],
    "deployment_status": [
        (_c(r"\b(?:status|state|progress|details?)\b"), 1.5),
        (
            _c(
                r"\b(?:status|state|progress)\b[^.?!]{0,30}\bdeploy(?:ment)?\b|"
                r"\bdeploy(?:ment)?\b[^.?!]{0,20}\b(?:status|state|progress)\b"
            ),
            2.5,
        ),
        (
            _c(
                r"\b(?:ready|done|finish\w*|succe\w*|fail\w*|building|gone live|cancel\w*|"
                r"in error|going|errored)\b"
            ),
            1,
        ),
        (
            _c(
                r"\b(?:how did|how's|how is|where are we|where is|any news|look up|check on|"
                r"check)\b"
            ),
            1,
        ),
    ],
    "list_deployments": [
        (
            _c(
                rf"\b(?:list|show|display|enumerate|overview|history|recent|latest|last|"
                rf"previous|all|pull up|what|which|any|see|get|give)\b"
                rf"[^.?!]{{0,40}}\b{_DEPLOYMENTS}\b"
            ),
            3,
        ),
        (_c(rf"\b{_DEPLOYMENTS}\b"), 2),
        (_c(r"\b(?:deploy(?:ment)?\s+(?:history|log)|history of (?:the\s+)?deploy\w*)\b"), 4),
        (
            _c(
                r"\b(?:what|which|who)\b[^.?!]{0,25}\b(?:deployed|shipped|released|"
                r"got deployed|went out)\b"
            ),
            3.5,
        ),
        (_c(r"\bwhat did we deploy\b|\bhow many deploy\w*"), 3.5),
        (_c(r"\brecent releases\b"), 1.5),
    ],
    "monitor": [
        (_c(r"\b(?:monitor|watch|track|keep (?:an )?eye on|keep watch)\b"), 2.5),
        (
            _c(
                r"\b(?:alert|page|paged|notify|warn|email|ping|tell|message|let (?:me|"
                r"us) know)\b[^.?!]{0,40}?\b(?:if|when|whenever|once|as soon as)\b"
            ),
            2,
        ),
        (
            _c(
                r"\b(?:set up|setup|create|add|raise|configure|set)\b[^.?!]{0,30}\b(?:alert|"
                r"alarm|alerting|rule)\b"
            ),
            3,
        ),
        (_c(r"\balert (?:on|at|for)\b"), 2),
        (_c(r"\b(?:i want|i'd like)\b[^.?!]{0,20}\b(?:alert|paged|notified|warning)\b"), 2),
    ],
    "analyze_logs": [
        (
            _c(
                r"\b(?:analy[sz]e|analysis|investigate|diagnose|triage|root[- ]causes?|"
                r"dig into|look into|figure out why|break down|explain|identify the causes?)\b"
            ),
            3,
        ),
        (_c(r"\bwhy\b"), 2.5),
        (_c(r"\bwhat(?:'s| is| are)? (?:causing|behind|breaking|wrong)\b|\bwhat went wrong\b"), 3),
        (
            _c(
                r"\b(?:summar[iy][sz]e|summary|group|most common|top)\b[^.?!]{0,30}\berrors?\b|"
                r"\berror (?:summary|patterns?)\b|\berrors? by pattern\b"
            ),
            3,
        ),
        (_c(r"\b(?:understand|what errors|seeing)\b[^.?!]{0,30}\berrors?\b|\bwhat errors\b"), 2.5),
        (_c(r"\berrors?\b|\bfailures?\b|\bfailing\b|\b5\d\ds\b|\bthrowing\b"), 1),
        (_c(r"\bsuggest fix\w*\b|\bwhat's wrong\b"), 1),
    ],
    "search_logs": [
        (
            _c(
                rf"\b(?:search\w*|grep|look for|look through|look up|find|filter|query|tail|"
                rf"pull|show)\b[^.?!]{{0,40}}{_LOG}"
            ),
            3,
        ),
        (
            _c(
                rf"{_LOG}(?:s| lines?| entries| messages)?\b[^.?!]{{0,15}}\b(?:containing|"
                rf"contains|matching|mentioning|with|about|that say|that includes|where)\b"
            ),
            3,
        ),
        (_c(r"\b(?:search|grep)\b"), 2),
        (_c(rf"{_LOG}s?\b"), 1),
        (_c(r"\bin the logs\b"), 1.5),
    ],
    "detect_anomalies": [
        (
            _c(
                r"\b(?:anomal\w*|unusual|abnormal\w*|outliers?|out of the ordinary|irregular|"
                r"deviates? from normal)\b"
            ),
            4,
        ),
        (_c(r"\b(?:weird|strange|odd|unexpected|looks off|something (?:is |looks )?off)\b"), 3),
        (_c(r"\b(?:spikes?|spiked?|surges?|sudden (?:drops?|jumps?))\b"), 2.5),
    ],
    "health_check": [
        (_c(r"\bhealth\w*\b"), 3),
        (_c(r"\b(?:is|are)\b[^.?!]{0,30}\b(?:up|down|alive|reachable|responding|healthy)\b"), 3),
        (_c(rf"\bping\b(?!\s+(?:me|us|{_AUDIENCE})\b)|\b(?:probe|uptime)\b"), 3),
        (_c(r"\bhow(?:'s| is| are)\b[^.?!]{0,40}\b(?:doing|looking)\b"), 1.5),
        (
            _c(
                r"\bchecks? (?:passing|failing)\b|\bstatus of (?:all|every|the)\b"
                r"[^.?!]{0,10}\bservices?\b|\bservice status\b"
            ),
            3,
        ),
        (_c(r"\bservices?\b"), 1),
    ],
    "system_metrics": [
        (_c(r"\b(?:cpu|memory|ram|disk|processor)\b"), 2.5),
        (
            _c(
                r"\b(?:load average|system (?:metrics|stats|load|resources?)|resource (?:usage|"
                r"utili[sz]ation)|host metrics|machine's metrics|utili[sz]ation)\b"
            ),
            3,
        ),
        (_c(r"\b(?:resources|how busy|stats of the host|process stats|network)\b"), 2.5),
        (_c(r"\b(?:usage|maxed out|running out|free|space|left)\b"), 1),
    ],
    "list_alerts": [
        (_c(rf"\b{_ALERTS}\b"), 2),
        (_c(r"\b(?:firing|alerting|paging|going off|fired)\b"), 2.5),
        (
            _c(
                rf"\b(?:list|show|display|which|what|any|open|active|current|outstanding|"
                rf"unacknowledged|get)\b[^.?!]{{0,40}}\b{_ALERTS}\b"
            ),
            3,
        ),
    ],
    "acknowledge_alert": [
        (_c(r"\b(?:ack|acks|acked|acking|acknowledge\w*)\b"), 4),
        (
            _c(
                r"\b(?:take ownership|claim|i'm looking at|i've got|i'll take|i'll handle|"
                r"on it|as seen|confirm receipt|silence the pager)\b"
            ),
            1.5,
        ),
    ],
    "notify": [
        (_c(r"\b(?:notify|inform|announce|broadcast)\b"), 3),
        (
            _c(
                rf"\b(?:tell|message|email|e-mail|slack|ping|update|alert|warn|"
                rf"write to)\s+{_AUDIENCE}\b"
            ),
            3,
        ),
        (_c(rf"\blet\s+{_AUDIENCE}\s+know\b"), 3.5),
        (
            _c(
                r"\bsend\b[^.?!]{0,30}\b(?:message|note|notification|email|e-mail|slack|"
                r"webhook)\b|\bfire a webhook\b"
            ),
            3,
        ),
        (_c(r"\b(?:post|drop a note|say|write)\b[^.?!]{0,10}\b(?:in|to|on)\s+slack\b"), 3),
    ],
    "list_env": [
        (
            _c(
                rf"\b(?:list|show|display|which|what|see|get(?!\s+rid\b)|give)\b"
                rf"[^.?!]{{0,40}}{_ENV_VARS}"
            ),
            4,
        ),
        (_c(_ENV_VARS), 2.5),
    ],
    "remove_env": [
        (_c(rf"\b(?:remove|delete|drop|unset|get rid of)\b[^.?!]{{0,40}}{_ENV_VARS}"), 7),
        # An env var's key is written in capitals: no other word of a task looks like one.
        (
            _c(
                r"\b(?:remove|delete|drop|unset|get rid of)\b\s+(?:the\s+)?"
                r"(?-i:[A-Z][A-Z0-9_]{2,})\b"
            ),
            4,
        ),
    ],
    "set_env": [
        (
            _c(
                rf"\b(?:set|add|create|update|change|put)\b[^.?!]{{0,40}}{_ENV_VARS}|"
                r"\b(?-i:[A-Z][A-Z0-9_]{2,})\s*=\s*\S"
            ),
            5,
        ),
    ],
}

# What a slot found in the sentence adds: an id of a deployment points at its status, an
# alert's id at acknowledging it, a threshold at an alert rule.
SLOT_WEIGHTS: dict[str, dict[str, float]] = {
    "deployment_id": {"deployment_status": 3, "rollback": 0.5},
    "alert_id": {"acknowledge_alert": 3},
    "comparison": {"monitor": 3},
    "host_metric": {"system_metrics": 0.5},
    "quoted": {"search_logs": 0.5, "notify": 0.5},
}


def score(text: str, slots: set[str]) -> dict[str, float]:
    """Each intent's score for `text`, given which slots were found in it."""
    scores = {
        intent: sum(weight for pattern, weight in cues if pattern.search(text))
        for intent, cues in CUES.items()
    }
    for slot in slots:
        for intent, weight in SLOT_WEIGHTS.get(slot, {}).items():
            scores[intent] += weight
    return scores


def notify_cue_end(text: str) -> int | None:
    """Where the first phrase that asks to send a message ends, if one does."""
    ends = [m.end() for pattern, _ in CUES["notify"] if (m := pattern.search(text))]
    return min(ends) if ends else None
