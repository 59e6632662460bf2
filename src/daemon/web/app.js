// The plasticd live page: agent list with controls, and for the selected agent its return curve
// (shift and reset markers), per-layer plasticity metrics, reset list and per-unit utility heatmap.
// History comes from GET /api/agents/:id/windows?since=0, then everything is live from /feed: one
// connection for every agent (all kinds but units), one for the selected agent's `units`.
// HTTP routes and shapes assumed: see src/daemon/web-assets.ts.
import { AgentStore, LAYER_METRICS, LIMITS, num } from './agent-store.js';
import { FeedClient } from './feed-client.js';
import { StepChart, alignSeries, cssVar, formatCount, seriesColor } from './charts.js';
import { drawHeatmap } from './heatmap.js';

const $ = (id) => document.getElementById(id);
const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

const store = new AgentStore();
const params = new URLSearchParams(location.search);
const state = {
  token: params.get('token') ?? sessionStorage.getItem('plasticd-token') ?? '',
  selected: null,
  metric: LAYER_METRICS[0].key,
  network: null,
  feedStatus: 'connecting',
  dirty: true,
  lastRender: 0,
  renders: 0,
  heatmapColumns: 0,
  heatmapsDrawn: 0,
  historyLoads: 0,
};

// ---- HTTP --------------------------------------------------------------------------------

async function api(path, init = {}) {
  const headers = { Accept: 'application/json', ...(init.body ? { 'Content-Type': 'application/json' } : {}) };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const response = await fetch(path, { ...init, headers });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message = body && typeof body === 'object' ? body.error?.message ?? body.message : null;
    throw new Error(`${response.status} ${message ?? response.statusText}`);
  }
  return body;
}

async function loadInfo() {
  try {
    const info = await api('/api/info');
    const parts = [info?.version ? `v${info.version}` : null, info?.backend ? `tfjs ${info.backend}` : null].filter(Boolean);
    $('build').textContent = parts.join(' · ');
  } catch {
    $('build').textContent = ''; // the route is optional
  }
}

async function loadAgents() {
  try {
    store.setSummaries(await api('/api/agents'));
    $('api-error').hidden = true;
  } catch (error) {
    $('api-error').textContent = `Cannot list agents: ${error.message}`;
    $('api-error').hidden = false;
  }
  if (state.selected === null) {
    const wanted = decodeURIComponent(location.hash.replace(/^#agent=/, ''));
    if (wanted && store.agents.has(wanted)) select(wanted);
  }
  markDirty();
}

async function loadHistory(id) {
  try {
    const payload = await api(`/api/agents/${encodeURIComponent(id)}/windows?since=0`);
    const windows = Array.isArray(payload) ? payload : payload?.windows;
    if (!Array.isArray(windows)) return;
    for (const event of windows) store.apply(event && typeof event === 'object' && !event.kind ? { kind: 'window', agent: id, ...event } : { ...event, agent: id });
    state.historyLoads++;
    markDirty();
  } catch (error) {
    toast(`History of ${id}: ${error.message}`, true);
  }
}

async function act(id, action) {
  try {
    await api(`/api/agents/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: '{}' });
    toast(`${id}: ${action === 'reset' ? 'reset requested' : `${action} requested`}`);
    loadAgents();
  } catch (error) {
    toast(`${id}: ${action} failed: ${error.message}`, true);
  }
}

let toastTimer = null;
function toast(text, isError = false) {
  const node = $('toast');
  node.textContent = text;
  node.classList.toggle('error', isError);
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (node.hidden = true), 4000);
}

// ---- feed --------------------------------------------------------------------------------

const feedUrl = () => {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/feed${state.token ? `?token=${encodeURIComponent(state.token)}` : ''}`;
};

const onEvent = (event) => {
  const agent = store.apply(event);
  if (agent === null) return;
  markDirty(agent.id === state.selected);
};

const feed = new FeedClient({
  url: feedUrl,
  subscription: () => ({ agents: '*', kinds: ['window', 'reset', 'episode', 'shift', 'state'] }),
  onEvent,
  onStatus: ({ state: status, retryInMs }) => {
    state.feedStatus = status;
    const node = $('feed-status');
    node.dataset.state = status;
    $('feed-status-text').textContent = status === 'disconnected' ? `offline · retry in ${Math.ceil(retryInMs / 1000)} s` : status;
  },
  onGap: (gap) => {
    if (state.selected) loadHistory(state.selected);
    console.warn('plasticd: feed gap', gap);
  },
});

const unitsFeed = new FeedClient({
  url: feedUrl,
  subscription: () => (state.selected ? { agents: [state.selected], kinds: ['units'] } : null),
  onEvent,
});

// ---- agent list --------------------------------------------------------------------------

const STATE_CLASSES = ['running', 'paused', 'error', 'starting', 'stopped'];

function badge(node, agent) {
  node.textContent = agent.state;
  node.className = `badge ${STATE_CLASSES.includes(agent.state) ? agent.state : 'unknown'}`;
}

function agentItem(agent) {
  const item = el('li', 'agent');
  item.dataset.agentId = agent.id;
  item.tabIndex = 0;
  const head = el('div', 'agent-head');
  head.append(el('span', 'agent-name', agent.id), el('span', 'badge'));
  const buttons = el('div', 'agent-controls');
  for (const [action, label, title] of [['pause', 'Pause', 'pause training'], ['resume', 'Resume', 'resume training'], ['checkpoint', 'Checkpoint', 'write a checkpoint now'], ['reset', 'Reset now', 'run the reset policy now']]) {
    const button = el('button', `btn ${action}`, label);
    button.type = 'button';
    button.dataset.action = action;
    button.title = title;
    button.addEventListener('click', (clickEvent) => {
      clickEvent.stopPropagation();
      act(agent.id, action);
    });
    buttons.append(button);
  }
  item.append(head, el('div', 'agent-env muted'), el('div', 'agent-stats'), el('div', 'agent-reason'), buttons);
  item.addEventListener('click', () => select(agent.id));
  item.addEventListener('keydown', (keyEvent) => {
    if (keyEvent.key === 'Enter' || keyEvent.key === ' ') select(agent.id);
  });
  return item;
}

function renderAgentList() {
  const list = $('agent-list');
  const existing = new Map([...list.children].map((node) => [node.dataset.agentId, node]));
  const ids = [...store.agents.keys()].sort();
  ids.forEach((id, k) => {
    const agent = store.agents.get(id);
    let item = existing.get(id);
    if (!item) item = agentItem(agent);
    existing.delete(id);
    if (list.children[k] !== item) list.insertBefore(item, list.children[k] ?? null);
    item.classList.toggle('selected', id === state.selected);
    badge(item.querySelector('.badge'), agent);
    item.querySelector('.agent-env').textContent = agent.env || '—';
    const performance = agent.performanceName();
    const episodes = performance === 'return' ? ` · episodes ${formatCount(agent.episodes)}` : ''; // streams have none
    item.querySelector('.agent-stats').textContent = `steps ${formatCount(agent.steps)}${episodes} · ${performance} ${formatCount(agent.lastReturn)}`;
    const reason = item.querySelector('.agent-reason');
    reason.textContent = agent.state === 'error' || agent.reason ? agent.reason : '';
    reason.hidden = reason.textContent === '';
    item.querySelector('[data-action="pause"]').hidden = agent.state === 'paused';
    item.querySelector('[data-action="resume"]').hidden = agent.state !== 'paused' && agent.state !== 'error';
  });
  for (const stale of existing.values()) stale.remove();
  $('agent-count').textContent = ids.length ? String(ids.length) : '';
  $('agents-empty').hidden = ids.length > 0;
  if (state.selected && !store.agents.has(state.selected)) select(null);
}

function select(id) {
  if (state.selected === id) return;
  state.selected = id;
  state.network = null;
  history.replaceState(null, '', `${location.search}${id ? `#agent=${encodeURIComponent(id)}` : ''}`);
  unitsFeed.resubscribe(0); // the latest units snapshot of the new agent is replayed
  if (id) loadHistory(id);
  markDirty();
}

// ---- detail ------------------------------------------------------------------------------

let returnChart = null;
let metricChart = null;

function renderDetail() {
  const agent = state.selected ? store.agents.get(state.selected) : null;
  $('detail-empty').hidden = Boolean(agent);
  $('detail-body').hidden = !agent;
  if (!agent) return;
  $('detail-title').textContent = agent.id;
  badge($('detail-state'), agent);
  $('detail-env').textContent = agent.env;
  const episodeCount = agent.performanceName() === 'return' ? ` · ${formatCount(agent.episodes)} episodes` : ''; // streams have none
  $('detail-counters').textContent = `window ${formatCount(agent.windows.at(-1)?.window ?? null)} · step ${formatCount(agent.steps)}${episodeCount}`;
  $('detail-reason').textContent = agent.reason;
  $('detail-reason').hidden = !(agent.state === 'error' && agent.reason);

  returnChart ??= new StepChart($('return-chart'), { height: 210, yLabel: 'return' });
  metricChart ??= new StepChart($('metric-chart'), { height: 210 });
  const markers = { shifts: agent.shifts, resets: agent.resets };

  // RL agents report episode returns; supervised-stream learners report the online loss instead.
  let windowReturns = agent.windows.filter((w) => w.episodeReturn !== null).map((w) => ({ step: w.step, value: w.episodeReturn }));
  const episodes = agent.episodeReturns.map((e) => ({ step: e.step, value: e.value }));
  const showsLoss = windowReturns.length === 0 && episodes.length === 0 && agent.windows.some((w) => w.loss !== null);
  if (showsLoss) windowReturns = agent.windows.filter((w) => w.loss !== null).map((w) => ({ step: w.step, value: w.loss }));
  $('return-title').textContent = showsLoss ? 'Online loss' : 'Return';
  returnChart.yLabel = showsLoss ? 'loss' : 'return';
  $('return-key-line').textContent = showsLoss ? 'window loss' : 'window mean';
  $('return-key-episodes').hidden = showsLoss;
  const windowSeries = { key: 'window', label: showsLoss ? 'window loss' : 'window mean', color: cssVar('--accent', '#4e79a7'), width: 2 };
  const episodeSeries = { key: 'episodes', label: 'episode', color: cssVar('--episode', 'rgba(120,120,120,0.5)'), width: 0, paths: () => null, points: { show: true, size: 5, width: 0, fill: cssVar('--episode', 'rgba(120,120,120,0.5)') } };
  // Streams have no episodes: no empty "episode" series in the legend.
  if (showsLoss) returnChart.update([windowSeries], alignSeries([windowReturns]), markers);
  else returnChart.update([episodeSeries, windowSeries], alignSeries([episodes, windowReturns]), markers);

  const metric = LAYER_METRICS.find((m) => m.key === state.metric) ?? LAYER_METRICS[0];
  const layerKeys = [];
  for (const w of agent.windows) for (const l of w.layers) if (!layerKeys.some((k) => k.network === l.network && k.layer === l.layer)) layerKeys.push({ network: l.network, layer: l.layer });
  const networks = [...new Set(layerKeys.map((k) => k.network))];
  const lists = layerKeys.map(() => []);
  for (const w of agent.windows) {
    for (const l of w.layers) {
      const k = layerKeys.findIndex((key) => key.network === l.network && key.layer === l.layer);
      const value = num(l.metrics[metric.key]);
      if (value !== null) lists[k].push({ step: w.step, value });
    }
  }
  metricChart.yRange = metric.ratio ? [0, 0.05] : null;
  metricChart.yLabel = metric.label;
  metricChart.update(
    layerKeys.map((k, i) => ({ key: `${metric.key}/${k.network}/${k.layer}`, label: `${k.network}/${k.layer}`, color: seriesColor(i), dash: networks.indexOf(k.network) % 2 ? [6, 3] : undefined })),
    alignSeries(lists),
    markers,
  );

  renderResets(agent);
  renderHeatmaps(agent);
}

function renderResets(agent) {
  const body = $('reset-table').tBodies[0];
  const latest = agent.resets.slice(-40).reverse();
  body.replaceChildren(
    ...latest.map((r) => {
      const row = el('tr');
      row.append(el('td', 'num', formatCount(r.step)), el('td', '', `${r.network} / ${r.layer}`), el('td', 'num', String(r.units)), el('td', '', r.criterion), el('td', 'num', r.predictedCost === null ? '–' : r.predictedCost === 0 ? '0' : r.predictedCost.toPrecision(3)));
      return row;
    }),
  );
  if (latest.length === 0) {
    const row = el('tr');
    const cell = el('td', 'muted', 'No resets yet.');
    cell.colSpan = 5;
    row.append(cell);
    body.append(row);
  }
  $('reset-count').textContent = agent.resets.length ? `${agent.resets.length} shown of the latest ${LIMITS.resets}` : '';
}

function renderHeatmaps(agent) {
  const select = $('network-select');
  const networks = [...agent.units.keys()];
  if (!networks.includes(state.network)) state.network = networks[0] ?? null;
  if ([...select.options].map((o) => o.value).join('|') !== networks.join('|')) {
    select.replaceChildren(...networks.map((n) => el('option', '', n)));
  }
  select.value = state.network ?? '';
  const container = $('heatmaps');
  const layers = state.network ? [...agent.units.get(state.network).entries()].sort((a, b) => a[1].index - b[1].index) : [];
  if (layers.length === 0) {
    if (!container.querySelector('.empty-note')) container.replaceChildren(el('p', 'muted empty-note', 'Waiting for unit utilities…'));
    state.heatmapColumns = 0;
    return;
  }
  const key = `${state.network}:${layers.map(([name]) => name).join('|')}`;
  if (container.dataset.key !== key) {
    container.dataset.key = key;
    container.replaceChildren(
      ...layers.map(([name]) => {
        const figure = el('figure', 'heatmap');
        const canvas = el('canvas');
        canvas.dataset.layer = name;
        figure.append(el('figcaption', '', name), canvas);
        return figure;
      }),
    );
  }
  const background = cssVar('--panel', '#fff');
  const empty = cssVar('--bg', '#eee');
  let lo = Infinity;
  let hi = -Infinity;
  state.heatmapColumns = 0;
  for (const [name, series] of layers) {
    const canvas = container.querySelector(`canvas[data-layer="${CSS.escape(name)}"]`);
    const range = drawHeatmap(canvas, series.columns, background, empty);
    canvas.title = `${name}: ${series.columns.at(-1)?.values.length ?? 0} units × ${series.columns.length} snapshots`;
    if (range) [lo, hi] = [Math.min(lo, range[0]), Math.max(hi, range[1])];
    state.heatmapColumns += series.columns.length;
    $('heatmap-criterion').textContent = series.criterion ? `· ${series.criterion}, log₁₀` : '';
  }
  state.heatmapsDrawn++;
  $('ramp-low').textContent = Number.isFinite(lo) ? (10 ** lo).toExponential(1) : '';
  $('ramp-high').textContent = Number.isFinite(hi) ? (10 ** hi).toExponential(1) : '';
}

// ---- render loop -------------------------------------------------------------------------

let detailDirty = true;
function markDirty(detail = true) {
  state.dirty = true;
  if (detail) detailDirty = true;
}

function frame(now) {
  // At most ~5 redraws a second: events can arrive much faster than anyone reads a chart.
  if (state.dirty && now - state.lastRender > 200) {
    state.dirty = false;
    state.lastRender = now;
    try {
      renderAgentList();
      if (detailDirty) {
        detailDirty = false;
        renderDetail();
      }
      state.renders++;
    } catch (error) {
      console.warn('plasticd: render failed', error);
    }
  }
  requestAnimationFrame(frame);
}

function init() {
  const metricSelect = $('metric-select');
  metricSelect.replaceChildren(...LAYER_METRICS.map((m) => Object.assign(el('option', '', m.label), { value: m.key })));
  metricSelect.addEventListener('change', () => {
    state.metric = metricSelect.value;
    markDirty();
  });
  $('network-select').addEventListener('change', (changeEvent) => {
    state.network = changeEvent.target.value;
    $('heatmaps').dataset.key = '';
    markDirty();
  });
  const tokenInput = $('token');
  tokenInput.value = state.token;
  tokenInput.addEventListener('change', () => {
    state.token = tokenInput.value.trim();
    sessionStorage.setItem('plasticd-token', state.token);
    feed.stop();
    unitsFeed.stop();
    feed.start();
    unitsFeed.start();
    loadAgents();
  });
  window.addEventListener('resize', () => markDirty());
  $('toast').addEventListener('click', () => ($('toast').hidden = true));
  // Charts read their colours when built: rebuild them when the system theme flips.
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    for (const chart of [returnChart, metricChart]) {
      if (!chart) continue;
      chart.theme = chart.readTheme();
      chart.seriesKey = '';
    }
    markDirty();
  });

  window.__plasticd = {
    store,
    stats: () => {
      const agent = state.selected ? store.agents.get(state.selected) : null;
      return {
        agents: store.agents.size,
        selected: state.selected,
        feed: { status: state.feedStatus, lastSeq: feed.lastSeq, lastSince: feed.lastSince, connects: feed.connects, received: feed.received, unitsReceived: unitsFeed.received },
        events: store.events,
        badEvents: store.badEvents,
        renders: state.renders,
        historyLoads: state.historyLoads,
        windows: agent ? agent.windows.length : 0,
        returnPoints: returnChart ? returnChart.points : 0,
        returnAxisLabel: returnChart?.plot ? returnChart.plot.axes[1].label : null,
        metricSeries: metricChart?.plot ? metricChart.plot.series.length - 1 : 0,
        metricPoints: metricChart ? metricChart.points : 0,
        shifts: agent ? agent.shifts.length : 0,
        shiftMarkersDrawn: returnChart ? returnChart.drawnShiftMarkers : 0,
        resetMarkersDrawn: returnChart ? returnChart.drawnResetMarkers : 0,
        resets: agent ? agent.resets.length : 0,
        heatmapColumns: state.heatmapColumns,
        heatmapsDrawn: state.heatmapsDrawn,
      };
    },
  };

  loadInfo();
  loadAgents();
  setInterval(loadAgents, 15000);
  feed.start();
  unitsFeed.start();
  requestAnimationFrame(frame);
}

init();
