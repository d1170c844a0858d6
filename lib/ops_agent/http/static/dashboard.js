// Ops Agent live dashboard: asks for a viewer key once (session storage), then refreshes
// /api/dashboard/data every few seconds and redraws charts and tables in place.
(function () {
  "use strict";
  const REFRESH_MS = 5000;
  const KEY = "ops-agent-key";
  const charts = {};

  function el(id) { return document.getElementById(id); }

  function text(value) {
    const span = document.createElement("span");
    span.textContent = value == null ? "–" : String(value);
    return span.innerHTML;
  }

  // A column either has `value` (text, escaped here) or `html` (markup built from escaped
  // parts by the caller); `cls` gives a cell class.
  function table(rows, columns, emptyText) {
    if (!rows.length) return `<p class="empty">${text(emptyText)}</p>`;
    const head = columns.map((c) => `<th>${text(c.title)}</th>`).join("");
    const body = rows.map((r) => "<tr>" + columns.map((c) => {
      const cls = c.cls ? ` class="${text(c.cls(r))}"` : "";
      return `<td${cls}>${c.html ? c.html(r) : text(c.value(r))}</td>`;
    }).join("") + "</tr>").join("");
    return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  }

  // A long id, shortened, with the whole of it on hover.
  function short(id, keep) {
    const s = id == null ? "" : String(id);
    if (s.length <= (keep || 14)) return text(s);
    return `<span title="${text(s)}">${text(s.slice(0, keep || 14))}…</span>`;
  }

  function button(action, label, id, extra) {
    return `<button data-action="${text(action)}" data-id="${text(id)}"${extra || ""}>${text(label)}</button>`;
  }

  const KPIS = {
    mttd_minutes: ["MTTD", (v) => v.toFixed(1) + " min", (v, t) => v <= t, (t) => "< " + t + " min"],
    mttr_minutes: ["MTTR", (v) => v.toFixed(1) + " min", (v, t) => v <= t, (t) => "< " + t + " min"],
    auto_fix_rate: ["Auto-fix", pct, (v, t) => v >= t, (t) => "> " + pct(t)],
    false_positive_rate: ["False positives", pct, (v, t) => v <= t, (t) => "< " + pct(t)],
    deployment_success_rate: ["Deploy success", pct, (v, t) => v >= t, (t) => "> " + pct(t)],
  };

  function pct(v) { return (100 * v).toFixed(1) + "%"; }

  function kpis(figures) {
    return Object.keys(KPIS).filter((k) => figures[k]).map((k) => {
      const [name, format, met, target] = KPIS[k];
      const f = figures[k];
      const known = f.value != null;
      const cls = known ? (met(f.value, f.target) ? "met" : "missed") : "";
      return `<div class="kpi ${cls}" data-kpi="${text(k)}" title="${text(f.how)}">` +
        `<small>${text(name)}</small><b>${known ? text(format(f.value)) : "–"}</b>` +
        `<small>target ${text(target(f.target))} · n=${text(f.n)}</small></div>`;
    }).join("");
  }

  const CONFIRM = {
    ack: "Acknowledge this alert (stops reminders and escalation)?",
    resolve: "Resolve this alert?",
    "false-positive": "Resolve this alert as a false positive?",
    silence: "Silence alerts with these labels for one hour?",
    pause: "Pause this service's checks (it stays declared)?",
    resume: "Resume this service's checks?",
    approve: "Approve this action? It runs now.",
    reject: "Reject this action?",
    rollback: "Roll production back from this deployment to the one before it? New production builds stay staged until one is promoted.",
    promote: "Serve this deployment on production?",
  };

  // What a button asks the API to do: [url, body], or null when the person backed out.
  function request(action, id, labels) {
    const alert = "/api/alerts/" + encodeURIComponent(id);
    if (action === "ack" || action === "resolve" || action === "false-positive") {
      const note = prompt("A note for the alert's timeline (optional)", "");
      if (note === null) return null;
      const body = note ? { note: note } : {};
      if (action === "ack") return [alert + "/ack", body];
      if (action === "false-positive") body.false_positive = true;
      return [alert + "/resolve", body];
    }
    if (action === "silence") {
      const matchers = Object.entries(labels).map(([label, value]) => ({ label: label, op: "=", value: value }));
      const ends = new Date(Date.now() + 3600 * 1000).toISOString();
      return ["/api/alerts/silences", { matchers: matchers, ends_at: ends, comment: "silenced from the dashboard for 1 h" }];
    }
    if (action === "rollback" || action === "promote") {
      const reason = prompt("Why (kept with the action, optional)", "");
      if (reason === null) return null;
      return ["/api/deployments/" + encodeURIComponent(id) + "/" + action, reason ? { reason: reason } : {}];
    }
    if (action === "pause" || action === "resume") {
      return ["/api/health/services/" + encodeURIComponent(id) + "/" + action, {}];
    }
    return ["/api/alerts/remediation/" + encodeURIComponent(id) + "/" + action, {}];
  }

  async function act(target) {
    const action = target.dataset.action;
    if (!confirm(CONFIRM[action])) return;
    const call = request(action, target.dataset.id, JSON.parse(target.dataset.labels || "{}"));
    if (!call) return;
    target.disabled = true;
    const response = await fetch(call[0], {
      method: "POST",
      headers: { authorization: "Bearer " + sessionStorage.getItem(KEY), "content-type": "application/json" },
      body: JSON.stringify(call[1]),
    });
    const answer = await response.json().catch(() => ({}));
    el("status").textContent = response.ok ? action + ": done" :
      action + " refused: " + ((answer.error && answer.error.message) || "HTTP " + response.status);
    await load();
  }

  // --- services: Kuma-style uptime bars, certificates, pause and add ---

  function bar(shares, name, minutes) {
    const cells = (shares || []).map((v, i) => {
      const cls = v == null ? "none" : v >= 0.999 ? "up" : v > 0 ? "part" : "down";
      const ago = (shares.length - i) * minutes;
      const what = v == null ? "not checked" : (100 * v).toFixed(1) + "% of checks passed";
      return `<i class="${cls}" title="${text(what)}, about ${text(Math.round(ago / 60))} h ago"></i>`;
    }).join("");
    return `<span class="bars" data-window="${text(name)}">${cells}</span>`;
  }

  function days(iso) { return iso ? (Date.parse(iso) - Date.now()) / 86400000 : Infinity; }

  function certificate(s) {
    if (!s.certificate_expires_at) return "–";
    const left = days(s.certificate_expires_at);
    return left < 0 ? "expired" : "expires in " + Math.floor(left) + " d";
  }

  el("service-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { name: el("service-name").value.trim(), url: el("service-url").value.trim(),
      interval_seconds: Number(el("service-interval").value) };
    const response = await fetch("/api/health/services", {
      method: "POST", headers: { ...authorised(), "content-type": "application/json" }, body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    el("status").textContent = response.ok ? "service " + body.name + " added" :
      "refused: " + ((answer.error && answer.error.message) || "HTTP " + response.status);
    if (response.ok) await load();
  });

  // --- logs: the search language of /api/logs/search, filters, live tail, top patterns ---

  function authorised() {
    return { authorization: "Bearer " + sessionStorage.getItem(KEY) };
  }

  let searches = 0;  // only the newest search draws: an older answer arriving late is dropped

  async function searchLogs() {
    const mine = ++searches;
    const params = new URLSearchParams({ q: el("log-q").value, range: el("range").value, limit: "100" });
    if (el("log-level").value) params.set("severity", el("log-level").value);
    for (const [id, name] of [["log-source", "source"], ["log-path", "path"], ["log-deployment", "deployment"]]) {
      const value = el(id).value.trim();
      if (value) params.set(name, value);
    }
    const response = await fetch("/api/logs/search?" + params, { headers: authorised() });
    const answer = await response.json().catch(() => ({}));
    if (mine !== searches) return;
    const out = el("log-results");
    if (!response.ok) {
      out.innerHTML = `<p class="down">${text((answer.error && answer.error.message) || "HTTP " + response.status)}</p>`;
      return;
    }
    out.innerHTML = table(answer.hits, [
      { title: "When (UTC)", value: (h) => when(h.ts), cls: () => "nowrap" },
      { title: "Level", value: (h) => h.level, cls: (h) => "sev-" + h.level },
      { title: "Source", value: (h) => h.source },
      { title: "Path", value: (h) => h.path },
      { title: "Status", value: (h) => h.proxy_status || h.status_code },
      { title: "Deployment", html: (h) => short(h.deployment_id) },
      { title: "Message", value: (h) => h.message, cls: () => "message" },
    ], "No line matches.");
    out.dataset.hits = String(answer.hits.length);
  }

  async function patterns() {
    const response = await fetch("/api/logs/patterns?limit=10&range=" + encodeURIComponent(el("range").value), { headers: authorised() });
    if (!response.ok) return;
    const answer = await response.json();
    el("log-patterns").innerHTML = table(answer.patterns, [
      { title: "Pattern", value: (p) => p.template, cls: () => "message" },
      { title: "Count", value: (p) => p.count },
      { title: "New", value: (p) => (p.new ? "new" : "") },
      { title: "Likely cause", value: (p) => p.cause || "–" },
      { title: "Fix", value: (p) => p.fix || "–" },
    ], "No recurring problem in this range.");
  }

  el("log-form").addEventListener("submit", (event) => {
    event.preventDefault();
    searchLogs().catch((err) => { el("log-results").textContent = "failed: " + err.message; });
  });

  // --- one incident (#incident/<id>) ---

  const MILESTONES = [
    ["onset_at", "Onset (first bad sample)"], ["detected_at", "Detected"], ["notified_at", "Notified"],
    ["acknowledged_at", "Acknowledged"], ["mitigated_at", "Mitigated"], ["resolved_at", "Resolved"],
  ];

  function detail(d) {
    if (!d || typeof d !== "object") return "";
    return Object.entries(d).filter(([, v]) => v != null && typeof v !== "object")
      .map(([k, v]) => k + ": " + v).join(" · ");
  }

  async function showIncident(id) {
    const response = await fetch("/api/dashboard/incidents/" + encodeURIComponent(id), {
      headers: { authorization: "Bearer " + sessionStorage.getItem(KEY) },
    });
    const body = el("incident-body");
    if (!response.ok) {
      body.innerHTML = `<p class="down">${text("No incident " + id + " (HTTP " + response.status + ")")}</p>`;
      return;
    }
    const data = await response.json();
    const i = data.incident;
    const milestones = MILESTONES.filter(([k]) => i[k])
      .map(([k, name]) => `<dt>${text(name)}</dt><dd>${text(when(i[k]))} UTC</dd>`).join("");
    let html = `<p><b class="sev-${text(i.severity)}">${text(i.severity)}</b> · ${text(i.title)} · ` +
      `<span data-state="${text(i.state)}">${text(i.state)}</span></p><dl>${milestones}</dl>`;
    html += "<h3>Timeline</h3>" + table(i.timeline || [], [
      { title: "When (UTC)", value: (e) => when(e.at), cls: () => "nowrap" },
      { title: "What", value: (e) => e.kind },
      { title: "By", value: (e) => e.actor },
      { title: "Detail", value: (e) => detail(Object.fromEntries(
        Object.entries(e).filter(([k]) => !["at", "kind", "actor"].includes(k)))) },
    ], "Nothing on the timeline yet.");
    html += "<h3>Alerts</h3>" + table(data.alerts, [
      { title: "Rule", value: (a) => a.rule },
      { title: "Severity", value: (a) => a.severity, cls: (a) => "sev-" + a.severity },
      { title: "State", value: (a) => a.state },
      { title: "Firing since (UTC)", value: (a) => when(a.firing_since), cls: () => "nowrap" },
    ], "No alerts.");
    const d = data.deployment;
    html += "<h3>Suspect deployment (live within 30 min before the onset)</h3>";
    html += d ? `<dl><dt>Deployment</dt><dd id="suspect">${text(d.id)} (${text(d.project)})</dd>` +
      `<dt>Live at</dt><dd>${text(when(d.live_at))} UTC</dd>` +
      `<dt>Commit</dt><dd>${text((d.commit_sha || "").slice(0, 7))} ${text(d.commit_message || "")}</dd>` +
      `<dt>By</dt><dd>${text(d.creator || "–")}${d.branch ? " on " + text(d.branch) : ""}</dd>` +
      (d.inspector_url ? `<dt>On Vercel</dt><dd><a href="${text(d.inspector_url)}" rel="noreferrer" target="_blank">the deployment and its diff</a></dd>` : "") +
      "</dl>" : `<p class="empty">No deployment went live in the 30 minutes before the onset.</p>`;
    html += "<h3>Error patterns that started with it</h3>" + table(data.patterns, [
      { title: "Pattern", value: (p) => p.template },
      { title: "Count", value: (p) => p.count },
      { title: "Likely cause", value: (p) => p.cause || "–" },
      { title: "Fix", value: (p) => p.fix || "–" },
    ], "No new error pattern since the onset.");
    html += "<h3>Log anomalies since the onset</h3>" + table(data.anomalies, [
      { title: "Started (UTC)", value: (a) => when(a.started_at), cls: () => "nowrap" },
      { title: "Kind", value: (a) => a.kind },
      { title: "Project", value: (a) => a.project || "all" },
      { title: "What", value: (a) => a.summary },
    ], "The tick found no log anomaly since the onset.");
    html += "<h3>Notifications sent</h3>" + table(data.notifications, [
      { title: "When (UTC)", value: (n) => when(n.created_at), cls: () => "nowrap" },
      { title: "Channel", value: (n) => n.channel },
      { title: "What", value: (n) => n.kind },
      { title: "Status", value: (n) => n.status },
    ], "No notification was sent.");
    body.innerHTML = html;
    document.body.dataset.incident = id;
  }

  function route() {
    const m = location.hash.match(/^#incident\/([0-9a-fA-F-]{36})$/);
    el("incident").hidden = !m;
    document.querySelector("#app main").hidden = Boolean(m);
    if (m) showIncident(m[1]).catch((err) => { el("incident-body").textContent = "failed: " + err.message; });
  }
  window.addEventListener("hashchange", route);

  function alertActions(a) {
    if (a.kind !== "alert") return "";
    let out = a.state === "firing" ? button("ack", "Ack", a.id) : "";
    out += button("resolve", "Resolve", a.id) + button("false-positive", "False positive", a.id);
    if (a.labels && Object.keys(a.labels).length) {
      out += button("silence", "Silence 1h", a.id, ` data-labels="${text(JSON.stringify(a.labels))}"`);
    }
    return out;
  }

  function when(iso) {
    if (!iso) return "–";
    // One time zone everywhere, UTC, said in the header; the year only when it is not this one.
    const d = new Date(iso).toISOString().replace("T", " ").slice(0, 19);
    return d.slice(0, 4) === String(new Date().getUTCFullYear()) ? d.slice(5) : d;
  }

  let thresholds = [];
  const CHART_NAMES = { "chart-requests": "requests", "chart-errors": "errors", "chart-latency": "latency" };

  function linesOf(id) { return thresholds.filter((t) => t.chart === CHART_NAMES[id]); }

  // The rules' thresholds as dashed horizontal lines (hover for the rule).
  function rule(chart, id) {
    chart.over.querySelectorAll(".threshold").forEach((m) => m.remove());
    for (const t of linesOf(id)) {
      const div = document.createElement("div");
      div.className = "threshold";
      div.dataset.value = String(t.value);
      div.title = t.rule + ": " + t.value;
      div.style.top = chart.valToPos(t.value, "y") + "px";
      chart.over.appendChild(div);
    }
  }

  function draw(id, series, labels, colors) {
    const target = el(id);
    const width = Math.max(200, target.clientWidth || 400);
    const data = [series.t, ...series.values];
    // How many points were drawn, for people (and tests) reading the page.
    target.dataset.points = String(series.values.reduce((n, s) => n + s.filter((v) => v != null).length, 0));
    if (charts[id]) {
      charts[id].setData(data);
      return;
    }
    const opts = {
      width: width, height: 180,
      series: [{}].concat(labels.map((label, i) => ({ label: label, stroke: colors[i], width: 2, points: { show: true, size: 4 } }))),
      axes: [{ stroke: "#8b93a1" }, { stroke: "#8b93a1" }],
      // the time axis runs to now, so what just happened (a deployment, an alert) is on it
      scales: {
        x: { time: true, range: (u, min, max) => [min, Math.max(max, Date.now() / 1000)] },
        // the rules' thresholds stay in view
        y: { range: (u, min, max) => {
          const top = Math.max(max || 0, ...linesOf(id).map((t) => t.value * 1.1));
          return [Math.min(min || 0, 0), top > 0 ? top : 1];
        } },
      },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
      // after every redraw (new data, a resize), when the scales are settled
      hooks: { draw: [(u) => { mark(u, id); rule(u, id); }] },
    };
    charts[id] = new uPlot(opts, data, target);
  }

  // Deployments going live, rollbacks and promotions, the agent's actions and alert onsets,
  // as dashed lines over every chart (hover one for what it was).
  let markers = [];
  function mark(chart, id) {
    chart.over.querySelectorAll(".marker").forEach((m) => m.remove());
    const min = chart.scales.x.min, max = chart.scales.x.max;
    let shown = 0;
    for (const m of markers) {
      const t = Date.parse(m.at) / 1000;
      if (!(t >= min && t <= max)) continue;
      const div = document.createElement("div");
      div.className = "marker marker-" + m.kind;
      div.dataset.kind = m.kind;
      div.dataset.at = m.at;
      div.title = when(m.at) + " UTC · " + m.label;
      div.style.left = chart.valToPos(t, "x") + "px";
      if (m.incident_id) div.addEventListener("click", () => { location.hash = "incident/" + m.incident_id; });
      chart.over.appendChild(div);
      shown++;
    }
    el(id).dataset.markers = String(shown);
    el(id).dataset.span = String(Math.round(max - min));  // seconds on the time axis
  }

  function seriesOf(points) {
    return points.map((p) => p[1]);
  }

  async function load() {
    const key = sessionStorage.getItem(KEY);
    const query = new URLSearchParams({ range: el("range").value });
    if (el("project").value) query.set("project", el("project").value);
    if (el("environment").value) query.set("environment", el("environment").value);
    const response = await fetch("/api/dashboard/data?" + query, { headers: { authorization: "Bearer " + key } });
    if (response.status === 401 || response.status === 403) {
      sessionStorage.removeItem(KEY);
      showLogin("That key was refused (it needs at least the viewer role).");
      return false;
    }
    if (!response.ok) throw new Error("HTTP " + response.status);
    const data = await response.json();
    markers = data.markers || [];
    const picked = el("project").value;
    el("project").innerHTML = '<option value="">all</option>' + (data.projects || [])
      .map((p) => `<option${p === picked ? " selected" : ""}>${text(p)}</option>`).join("");
    thresholds = data.thresholds || [];
    const t = data.charts.requests.map((p) => Date.parse(p[0]) / 1000);
    const operator = data.role === "operator" || data.role === "admin";
    el("kpis").innerHTML = kpis(data.kpis);
    draw("chart-requests", { t: t, values: [seriesOf(data.charts.requests)] }, ["req/s"], ["#1d9bd1"]);
    const percent = seriesOf(data.charts.errors).map((v) => (v == null ? null : 100 * v));
    draw("chart-errors", { t: t, values: [percent] }, ["5xx %"], ["#e01e5a"]);
    draw("chart-latency", { t: t, values: [seriesOf(data.charts.p50), seriesOf(data.charts.p95), seriesOf(data.charts.p99)] }, ["p50", "p95", "p99"], ["#2eb67d", "#ecb22e", "#e01e5a"]);
    const serviceColumns = [
      { title: "Service", html: (s) => text(s.service) + (s.paused ? ' <small class="unknown">(paused)</small>' : "") },
      { title: "Status", value: (s) => s.status, cls: (s) => s.status },
      { title: "24 h", html: (s) => bar(s.bars["24h"], "24h", 30) },
      { title: "7 days", html: (s) => bar(s.bars["7d"], "7d", 360) },
      { title: "Uptime 24h", value: (s) => s.uptime["24h"].uptime == null ? "–" : (100 * s.uptime["24h"].uptime).toFixed(2) + "%" },
      { title: "p95 24h", value: (s) => s.uptime["24h"].p95_ms == null ? "–" : Math.round(s.uptime["24h"].p95_ms) + " ms" },
      { title: "Certificate", value: certificate, cls: (s) => (days(s.certificate_expires_at) < 14 ? "down" : "") },
      { title: "Last error", value: (s) => s.last_error || "–" },
    ];
    if (operator) {
      serviceColumns.push({ title: "", cls: () => "actions", html: (s) =>
        s.paused ? button("resume", "Resume", s.service) : button("pause", "Pause", s.service) });
    }
    el("services").innerHTML = table(data.services, serviceColumns, "No services declared yet.");
    el("service-form").hidden = !operator;
    el("ticks").innerHTML = table(data.ticks, [
      { title: "When (UTC)", value: (k) => when(k.at), cls: () => "nowrap" },
      { title: "Outcome", value: (k) => k.status, cls: (k) => (k.status === "ran" ? "up" : "unknown") },
      { title: "Took", value: (k) => (k.duration_ms == null ? "–" : (k.duration_ms / 1000).toFixed(2) + " s") },
      { title: "Failed or deferred", value: (k) => k.phases.filter((p) => p.status !== "ok").map((p) => p.name + " (" + p.status + ")").join(", ") || "none",
        cls: (k) => (k.phases.some((p) => p.status === "failed") ? "down" : "") },
      { title: "Slowest phases", value: (k) => k.phases.filter((p) => p.ms != null).sort((a, b) => b.ms - a.ms)
        .slice(0, 3).map((p) => p.name + " " + Math.round(p.ms) + " ms").join(", ") },
    ], "No tick has run yet (the cron calls /api/cron/tick every minute).");
    const alertColumns = [
      { title: "Severity", value: (a) => a.severity, cls: (a) => "sev-" + a.severity },
      { title: "What", html: (a) => a.incident_id ?
        `<a href="#incident/${text(a.incident_id)}">${text(a.title)}</a>` : text(a.title) },
      { title: "Since (UTC)", value: (a) => when(a.since), cls: () => "nowrap" },
    ];
    if (operator) alertColumns.push({ title: "", html: alertActions, cls: () => "actions" });
    el("alerts").innerHTML = table(data.alerts, alertColumns, "Nothing needs attention.");
    const waitingColumns = [
      { title: "Action", value: (w) => w.playbook + " of " + w.target },
      { title: "Why", value: (w) => w.reason },
      { title: "Id", html: (w) => short(w.id, 8) },
    ];
    if (operator) {
      waitingColumns.push({ title: "", cls: () => "actions",
        html: (w) => button("approve", "Approve", w.id) + button("reject", "Reject", w.id) });
    }
    el("waiting").innerHTML = table(data.waiting, waitingColumns, "No action is waiting for approval.");
    const deploymentColumns = [
      { title: "When (UTC)", value: (d) => when(d.at), cls: () => "nowrap" },
      { title: "What", value: (d) => d.what },
      { title: "Deployment", html: (d) => short(d.id) },
      { title: "State", value: (d) => d.state, cls: (d) => d.state === "ERROR" ? "down" : (d.state === "READY" ? "up" : "unknown") },
    ];
    if (operator) {
      deploymentColumns.push({ title: "", cls: () => "actions", html: (d) =>
        d.move === "rollback" ? button("rollback", "Roll back", d.id) :
        d.move === "promote" ? button("promote", "Promote", d.id) : "" });
    }
    el("deployments").innerHTML = table(data.deployments, deploymentColumns, "No deployments recorded yet.");
    await patterns();
    if (el("log-live").checked || !el("log-results").dataset.hits) await searchLogs();
    el("status").textContent = "updated " + when(new Date().toISOString()) + " UTC · every " + REFRESH_MS / 1000 + " s";
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
    return true;
  }

  function showLogin(message) {
    el("app").hidden = true;
    el("login").hidden = false;
    el("login-error").textContent = message || "";
  }

  async function start() {
    el("login").hidden = true;
    el("app").hidden = false;
    route();
    const loop = async () => {
      try {
        if (!(await load())) return;
      } catch (err) {
        el("status").textContent = "refresh failed: " + err.message + " (retrying)";
      }
      setTimeout(loop, REFRESH_MS);
    };
    loop();
  }

  for (const id of ["range", "project", "environment"]) {
    el(id).addEventListener("change", () => { load().catch(() => {}); });
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest("button[data-action]");
    if (target) act(target).catch((err) => { el("status").textContent = "failed: " + err.message; });
  });

  // Charts follow their panels' width.
  window.addEventListener("resize", () => {
    for (const [id, chart] of Object.entries(charts)) {
      chart.setSize({ width: Math.max(200, el(id).clientWidth), height: 180 });
    }
  });

  el("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, el("key").value.trim());
    start();
  });

  if (sessionStorage.getItem(KEY)) start(); else showLogin();
})();
