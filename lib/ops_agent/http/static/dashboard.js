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

  function table(rows, columns, emptyText) {
    if (!rows.length) return `<p class="empty">${text(emptyText)}</p>`;
    const head = columns.map((c) => `<th>${text(c.title)}</th>`).join("");
    const body = rows.map((r) => "<tr>" + columns.map((c) => {
      const cls = c.cls ? ` class="${text(c.cls(r))}"` : "";
      return `<td${cls}>${text(c.value(r))}</td>`;
    }).join("") + "</tr>").join("");
    return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  }

  function when(iso) {
    if (!iso) return "–";
    const d = new Date(iso);
    return d.toISOString().replace("T", " ").slice(0, 19) + "Z";
  }

  function draw(id, series, labels, colors) {
    const target = el(id);
    const width = Math.max(300, target.clientWidth || 400);
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
      scales: { x: { time: true } },
    };
    charts[id] = new uPlot(opts, data, target);
  }

  function seriesOf(points) {
    return points.map((p) => p[1]);
  }

  async function load() {
    const key = sessionStorage.getItem(KEY);
    const response = await fetch("/api/dashboard/data", { headers: { authorization: "Bearer " + key } });
    if (response.status === 401 || response.status === 403) {
      sessionStorage.removeItem(KEY);
      showLogin("That key was refused (it needs at least the viewer role).");
      return false;
    }
    if (!response.ok) throw new Error("HTTP " + response.status);
    const data = await response.json();
    const t = data.charts.requests.map((p) => Date.parse(p[0]) / 1000);
    draw("chart-requests", { t: t, values: [seriesOf(data.charts.requests)] }, ["req/s"], ["#1d9bd1"]);
    draw("chart-errors", { t: t, values: [seriesOf(data.charts.errors)] }, ["5xx share"], ["#e01e5a"]);
    draw("chart-latency", { t: t, values: [seriesOf(data.charts.p50), seriesOf(data.charts.p95), seriesOf(data.charts.p99)] }, ["p50", "p95", "p99"], ["#2eb67d", "#ecb22e", "#e01e5a"]);
    el("services").innerHTML = table(data.services, [
      { title: "Service", value: (s) => s.service },
      { title: "Status", value: (s) => s.status, cls: (s) => s.status },
      { title: "Uptime 24h", value: (s) => s.uptime["24h"].uptime == null ? "–" : (100 * s.uptime["24h"].uptime).toFixed(2) + "%" },
      { title: "p95 24h", value: (s) => s.uptime["24h"].p95_ms == null ? "–" : Math.round(s.uptime["24h"].p95_ms) + " ms" },
    ], "No services declared yet.");
    el("alerts").innerHTML = table(data.alerts, [
      { title: "Severity", value: (a) => a.severity, cls: (a) => "sev-" + a.severity },
      { title: "What", value: (a) => a.title },
      { title: "Since", value: (a) => when(a.since) },
    ], "Nothing needs attention.");
    el("deployments").innerHTML = table(data.deployments, [
      { title: "When", value: (d) => when(d.at) },
      { title: "What", value: (d) => d.what },
      { title: "Deployment", value: (d) => d.id },
      { title: "State", value: (d) => d.state, cls: (d) => d.state === "ERROR" ? "down" : (d.state === "READY" ? "up" : "unknown") },
    ], "No deployments recorded yet.");
    el("status").textContent = "updated " + new Date().toLocaleTimeString() + " · every " + REFRESH_MS / 1000 + " s";
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

  el("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, el("key").value.trim());
    start();
  });

  if (sessionStorage.getItem(KEY)) start(); else showLogin();
})();
