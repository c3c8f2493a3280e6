// The Superchain dashboard: renders the state the server put in the page, then follows /events (a snapshot,
// then deltas) and re-renders what changed, at most once per animation frame.
"use strict";

const STATE_LABELS = {
  sent: "sent",
  waiting: "waiting for relay",
  relayed: "relayed",
  failed: "failed relay",
  invalid: "invalid",
  replaced: "replaced",
};
const HEADS = [
  ["unsafeHead", "unsafe"],
  ["crossUnsafe", "cross-unsafe"],
  ["localSafe", "local-safe"],
  ["safe", "safe"],
  ["finalized", "finalized"],
];

const $ = (id) => document.getElementById(id);
const esc = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const shortHash = (hash) => (hash ? hash.slice(0, 10) + "…" + hash.slice(-4) : "");
const chainName = (id) => String(id);
const time = (ms) => new Date(ms).toLocaleTimeString();

let state = null;
const lanes = new Map(); // chain -> { chain, heads, blocks, sent, received }
const collapsed = new Set();
let filter = null; // null = every chain, else a predicate
let scheduled = false;

function initial() {
  const element = $("initial");
  if (!element) return { state: null, lookup: null };
  try {
    return JSON.parse(element.textContent);
  } catch (e) {
    return { state: null, lookup: null };
  }
}

function setState(next) {
  state = next;
  lanes.clear();
  for (const lane of next.chains) lanes.set(lane.chain, lane);
  renderAll();
}

function mergeDelta(delta) {
  if (!state || delta.seq <= state.seq) return;
  state.seq = delta.seq;
  for (const lane of delta.chains) lanes.set(lane.chain, lane);
  state.chains = [...lanes.values()].sort((a, b) => a.chain - b.chain);
  const byHash = new Map(state.messages.map((m) => [m.hash, m]));
  for (const message of delta.messages) byHash.set(message.hash, message);
  state.messages = [...byHash.values()]
    .sort((a, b) => b.sentTimestamp - a.sentTimestamp || b.sentBlock - a.sentBlock)
    .slice(0, state.limits.listedMessages);
  state.counts = delta.counts;
  state.faults = state.faults.concat(delta.faults).slice(-200);
  state.latency = state.latency.concat(delta.latency).slice(-600);
  const points = new Map(state.throughput.map((p) => [p.timestamp, p]));
  for (const point of delta.throughput) points.set(point.timestamp, point);
  state.throughput = [...points.values()].sort((a, b) => a.timestamp - b.timestamp).slice(-600);
  state.missedEvents = delta.missedEvents;
  schedule();
}

function schedule() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    renderAll();
  });
}

function shown(chain) {
  return !filter || filter(String(chain));
}

function parseFilter(text) {
  const parts = text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return null;
  return (chain) =>
    parts.some((p) => (p.endsWith("*") ? chain.startsWith(p.slice(0, -1)) : chain === p));
}

function levelOf(heads, number) {
  const at = (key) => heads[key] && number <= heads[key].number;
  if (at("finalized")) return "finalized";
  if (at("safe")) return "safe";
  if (at("localSafe")) return "local-safe";
  if (at("crossUnsafe")) return "cross-unsafe";
  return "unsafe";
}

function renderCounts() {
  $("counts").innerHTML = Object.keys(STATE_LABELS)
    .map(
      (s) =>
        `<span class="count" data-state="${s}"><span class="state state-${s}">${esc(STATE_LABELS[s])}</span>` +
        `<b>${state.counts[s] || 0}</b></span>`,
    )
    .join("");
}

function laneHtml(lane) {
  const rewound = new Map();
  for (const fault of state.faults) {
    if (fault.chain === lane.chain && fault.kind === "rewound") rewound.set(fault.block, fault.detail);
  }
  const heads = HEADS.map(([key, label]) => {
    const head = lane.heads[key];
    const value = head ? `#${head.number}` : "—";
    return `<span class="head" data-level="${label}" title="${head ? esc(head.hash) : ""}">${label} <b>${value}</b></span>`;
  }).join("");
  const blocks = lane.blocks
    .map((b) => {
      const level = levelOf(lane.heads, b.number);
      const io = (b.sent ? `↑${b.sent}` : "") + (b.executed ? ` ↓${b.executed}` : "");
      const mark = rewound.has(b.number) ? `<span class="fault" title="${esc(rewound.get(b.number))}">✕</span>` : "";
      return (
        `<div class="block lvl-${level}${b.invalid ? " invalid" : ""}" data-number="${b.number}" ` +
        `title="#${b.number} ${esc(b.hash)} (${level}${b.invalid ? ", invalid" : ""})">` +
        `<span class="n">${b.number}</span><span class="io">${io}</span>${mark}</div>`
      );
    })
    .join("");
  return (
    `<div class="lane-head"><button class="toggle" type="button" data-chain="${lane.chain}">` +
    `${collapsed.has(lane.chain) ? "▸" : "▾"}</button><span class="lane-name">chain ${chainName(lane.chain)}</span>` +
    `<span class="heads">${heads}</span><span class="lane-stats">sent ${lane.sent} · received ${lane.received}</span></div>` +
    `<div class="lane-body"><div class="blocks">${blocks}</div></div>`
  );
}

function renderLanes() {
  const container = $("lanes");
  const visible = state.chains.filter((l) => shown(l.chain));
  $("chain-count").textContent = `${visible.length} of ${state.chains.length}`;
  container.innerHTML = visible
    .map(
      (lane) =>
        `<div class="lane${collapsed.has(lane.chain) ? " collapsed" : ""}" data-chain="${lane.chain}">${laneHtml(lane)}</div>`,
    )
    .join("");
}

function renderMessages() {
  const rows = state.messages
    .filter((m) => shown(m.source) || shown(BigInt(m.destination)))
    .map((m) => {
      const forged = m.forgedAttempts ? `<span class="forged" title="forged relay attempts">forged ×${m.forgedAttempts}</span>` : "";
      return (
        `<tr class="message" data-hash="${m.hash}" data-state="${m.state}">` +
        `<td class="hash"><a href="/?message=${m.hash}" data-hash="${m.hash}" title="${m.hash}">${shortHash(m.hash)}</a></td>` +
        `<td>${m.source} → ${BigInt(m.destination)}</td>` +
        `<td><span class="state state-${m.state}">${esc(STATE_LABELS[m.state] || m.state)}</span>${forged}</td>` +
        `<td>#${m.sentBlock}</td><td>${m.relayBlock == null ? "" : "#" + m.relayBlock}</td>` +
        `<td>${m.latencySecs == null ? "" : m.latencySecs + " s"}</td></tr>`
      );
    })
    .join("");
  $("messages").tBodies[0].innerHTML = rows || `<tr><td colspan="6" class="empty">no messages yet</td></tr>`;
}

// Chains on a circle, one arc per (source, destination) pair, coloured by the pair's least advanced state.
function renderGraph() {
  const pairs = new Map();
  const rank = { invalid: 0, replaced: 1, failed: 2, sent: 3, waiting: 4, relayed: 5 };
  for (const m of state.messages) {
    const dst = String(BigInt(m.destination));
    if (!shown(m.source) && !shown(dst)) continue;
    const key = `${m.source}>${dst}`;
    const pair = pairs.get(key) || { source: String(m.source), destination: dst, count: 0, state: "relayed" };
    pair.count += 1;
    if (rank[m.state] < rank[pair.state]) pair.state = m.state;
    pairs.set(key, pair);
  }
  const chains = state.chains.map((l) => String(l.chain)).filter((c) => shown(c));
  const w = 600, h = 220, r = 90, cx = w / 2, cy = h / 2;
  const position = new Map();
  chains.forEach((c, i) => {
    const angle = (2 * Math.PI * i) / Math.max(chains.length, 1) - Math.PI / 2;
    position.set(c, [cx + r * Math.cos(angle), cy + r * Math.sin(angle)]);
  });
  const colour = (s) => `var(--${s})`;
  let svg =
    `<svg viewBox="0 0 ${w} ${h}" role="img" aria-label="message graph"><defs><marker id="arrow" viewBox="0 0 6 6" ` +
    `refX="6" refY="3" markerWidth="5" markerHeight="5" orient="auto"><path d="M0,0 L6,3 L0,6 z" fill="context-stroke"/></marker></defs>`;
  for (const pair of pairs.values()) {
    const a = position.get(pair.source), b = position.get(pair.destination);
    if (!a || !b) continue;
    // Bend each arc to its right, so the two directions of a pair stay apart.
    const mx = (a[0] + b[0]) / 2 - (b[1] - a[1]) * 0.2, my = (a[1] + b[1]) / 2 + (b[0] - a[0]) * 0.2;
    svg +=
      `<path d="M${a[0]},${a[1]} Q${mx},${my} ${b[0]},${b[1]}" fill="none" stroke="${colour(pair.state)}" ` +
      `stroke-width="${Math.min(1 + Math.log2(pair.count + 1), 6)}" opacity="0.8" marker-end="url(#arrow)">` +
      `<title>${pair.source} → ${pair.destination}: ${pair.count} message(s), least advanced: ${STATE_LABELS[pair.state]}</title></path>`;
  }
  const labelled = chains.length <= 24;
  for (const [c, [x, y]] of position) {
    svg += `<circle cx="${x}" cy="${y}" r="${labelled ? 5 : 3}" fill="var(--text)"><title>chain ${c}</title></circle>`;
    if (labelled) svg += `<text x="${x + 7}" y="${y + 3}">${c}</text>`;
  }
  $("graph").innerHTML = svg + "</svg>";
}

function plot(points, value, kind) {
  const w = 400, h = 140, pad = 24;
  if (points.length === 0) return `<svg viewBox="0 0 ${w} ${h}"><text x="${pad}" y="${h / 2}">no data yet</text></svg>`;
  const xs = points.map((p) => p.timestamp), ys = points.map(value);
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1), y1 = Math.max(...ys, 1);
  const X = (x) => pad + ((x - x0) / (x1 - x0)) * (w - 2 * pad), Y = (y) => h - pad - (y / y1) * (h - 2 * pad);
  let svg = `<svg viewBox="0 0 ${w} ${h}"><line class="axis" x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}"/>`;
  svg += `<line class="axis" x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}"/><text x="2" y="${pad}">${y1}</text><text x="2" y="${h - pad}">0</text>`;
  if (kind === "dots") {
    for (const p of points) svg += `<circle cx="${X(p.timestamp)}" cy="${Y(value(p))}" r="2.5" fill="var(--relayed)"/>`;
  } else {
    const bw = Math.max(1, (w - 2 * pad) / Math.max(points.length, 1) - 1);
    for (const p of points) {
      svg += `<rect x="${X(p.timestamp) - bw / 2}" y="${Y(p.sent)}" width="${bw}" height="${h - pad - Y(p.sent)}" fill="var(--cross-unsafe)"><title>${p.sent} sent, ${p.relayed} relayed in ${p.blocks} block(s)</title></rect>`;
    }
    svg += `<polyline fill="none" stroke="var(--relayed)" points="${points.map((p) => `${X(p.timestamp)},${Y(p.relayed)}`).join(" ")}"/>`;
  }
  return svg + "</svg>";
}

function renderPlots() {
  $("latency-plot").innerHTML = plot(state.latency, (p) => p.latencySecs, "dots");
  const recent = state.throughput.slice(-120);
  $("throughput-plot").innerHTML = plot(recent, (p) => Math.max(p.sent, p.relayed), "bars");
}

function renderFaults() {
  const items = state.faults
    .filter((f) => shown(f.chain))
    .slice(-50)
    .reverse()
    .map(
      (f) =>
        `<li class="${f.kind}" data-kind="${f.kind}">${time(f.atMs)} chain ${f.chain} block #${f.block}: ${esc(f.kind)} — ${esc(f.detail)}</li>`,
    );
  $("faults").innerHTML = items.join("") || "<li>none</li>";
  const missed = $("missed");
  missed.hidden = !state.missedEvents;
  missed.textContent = state.missedEvents ? `${state.missedEvents} verifier event(s) missed under load` : "";
}

function renderAll() {
  if (!state) return;
  renderCounts();
  renderLanes();
  renderMessages();
  renderGraph();
  renderPlots();
  renderFaults();
}

// A transaction hash links to the message it sent or relayed (looked up through the chains' RPC).
const txLink = (hash) => `<a class="tx" href="/?message=${hash}" data-hash="${hash}">${hash}</a>`;

function renderDetail(lookup) {
  const detail = $("detail");
  if (!lookup) {
    detail.hidden = true;
    return;
  }
  detail.hidden = false;
  if (lookup.error) {
    detail.innerHTML = `<button class="close" type="button">close</button><p class="error">${esc(lookup.query)}: ${esc(lookup.error)}</p>`;
    return;
  }
  const m = lookup.message;
  const place = (p) => (p ? `chain ${p.chain} block #${p.block} (${shortHash(p.blockHash)}) log ${p.logIndex}` : "no log");
  const outcome = (o) => (o.reason ? `${o.kind}: ${o.reason}` : o.kind);
  const attempts = m.attempts
    .map(
      (a) =>
        `<li data-outcome="${a.outcome.kind}">${time(a.seenMs)} ${esc(outcome(a.outcome))}${a.forged ? " (forged payload)" : ""} — ` +
        `${place(a.place)}${a.transaction ? ` — tx ${txLink(a.transaction)}` : ""}</li>`,
    )
    .join("");
  const safety = m.safety.map((s) => `<li>${time(s.atMs)} ${esc(s.level)}</li>`).join("");
  const history = m.history.map((h) => `<li>${time(h.atMs)} ${esc(h.what)}</li>`).join("");
  detail.innerHTML =
    `<button class="close" type="button">close</button><h2 id="detail-hash">${m.hash}</h2>` +
    `<p>chain ${m.source} → ${BigInt(m.destination)} · <span class="state state-${m.state}" id="detail-state">${esc(STATE_LABELS[m.state])}</span></p>` +
    `<dl><dt>sent in</dt><dd>${place(m.sent)}</dd>` +
    `<dt>send transaction</dt><dd>${m.sentTransaction ? txLink(m.sentTransaction) : "unknown"}</dd>` +
    `<dt>sender → target</dt><dd>${m.sender} → ${m.target}</dd><dt>nonce</dt><dd>${BigInt(m.nonce)}</dd></dl>` +
    `<h3>Relay attempts</h3><ol>${attempts || "<li>none yet</li>"}</ol>` +
    `<h3>Source block safety</h3><ol>${safety}</ol><h3>History</h3><ol>${history}</ol>`;
}

async function lookUp(text) {
  const query = text.trim();
  if (!query) return;
  history.replaceState(null, "", `/?message=${encodeURIComponent(query)}`);
  try {
    const response = await fetch(`/api/message/${encodeURIComponent(query)}`);
    const body = await response.json();
    renderDetail(response.ok ? { query, message: body } : { query, error: body.error });
  } catch (e) {
    renderDetail({ query, error: String(e) });
  }
}

function connect() {
  const status = $("connection");
  const source = new EventSource("/events");
  source.addEventListener("open", () => {
    status.dataset.status = "live";
    status.textContent = "live";
  });
  source.addEventListener("error", () => {
    status.dataset.status = "lost";
    status.textContent = "reconnecting";
  });
  source.addEventListener("snapshot", (e) => setState(JSON.parse(e.data)));
  source.addEventListener("delta", (e) => mergeDelta(JSON.parse(e.data)));
  source.addEventListener("resync", async () => setState(await (await fetch("/api/state")).json()));
}

function wire() {
  $("chain-filter").addEventListener("input", (e) => {
    filter = parseFilter(e.target.value);
    renderAll();
  });
  $("collapse-all").addEventListener("click", () => {
    for (const lane of state.chains) collapsed.add(lane.chain);
    renderLanes();
  });
  $("expand-all").addEventListener("click", () => {
    collapsed.clear();
    renderLanes();
  });
  $("lanes").addEventListener("click", (e) => {
    const button = e.target.closest("button.toggle");
    if (!button) return;
    const chain = Number(button.dataset.chain);
    if (collapsed.has(chain)) collapsed.delete(chain);
    else collapsed.add(chain);
    renderLanes();
  });
  $("messages").addEventListener("click", (e) => {
    const link = e.target.closest("a[data-hash]");
    if (!link) return;
    e.preventDefault();
    $("lookup").value = link.dataset.hash;
    lookUp(link.dataset.hash);
  });
  $("lookup-form").addEventListener("submit", (e) => {
    e.preventDefault();
    lookUp($("lookup").value);
  });
  $("detail").addEventListener("click", (e) => {
    const link = e.target.closest("a[data-hash]");
    if (link) {
      e.preventDefault();
      $("lookup").value = link.dataset.hash;
      lookUp(link.dataset.hash);
      return;
    }
    if (e.target.closest("button.close")) {
      renderDetail(null);
      history.replaceState(null, "", "/");
    }
  });
}

const start = initial();
wire();
if (start.state) setState(start.state);
if (start.lookup) {
  $("lookup").value = start.lookup.query;
  renderDetail(start.lookup);
}
// The stream opens once the page has rendered what the server sent.
setTimeout(connect, 50);
