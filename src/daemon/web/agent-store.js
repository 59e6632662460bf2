// What the live page knows about each agent, built from HTTP answers and feed events. Every input
// is untrusted: unexpected shapes are skipped (counted), never thrown. Memory is bounded: each
// series keeps its newest LIMITS points.

// Shifts are markers on the charts, so they are kept for as long as the charts reach back: every
// shift at or after the oldest window kept (older ones are dropped once the window list is full),
// and at most `shifts` of them (two per window kept, for streams that switch tasks every window).
export const LIMITS = { windows: 1500, episodes: 3000, shifts: 3000, resets: 500, unitColumns: 160 };

export const LAYER_METRICS = [
  { key: 'dormantRatio', label: 'dormant ratio (τ=0.025)', ratio: true },
  { key: 'deadRatio', label: 'dead ratio', ratio: true },
  { key: 'duplicateRatio', label: 'duplicate ratio', ratio: true },
  { key: 'effectiveRank', label: 'effective rank', ratio: false },
  { key: 'srank', label: 'srank (δ=0.01)', ratio: false },
  { key: 'stableRank', label: 'stable rank', ratio: false },
  { key: 'saturatedRatio', label: 'saturated ratio', ratio: true },
];

const KINDS = new Set(['window', 'episode', 'shift', 'reset', 'state', 'units']);

export const num = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const str = (value, fallback = '') => (typeof value === 'string' ? value : fallback);
const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Inserts `item` into `list` sorted by `key`, replacing an item with the same key; trims the oldest. */
function insertSorted(list, item, key, limit) {
  const k = item[key];
  let at = list.length;
  while (at > 0 && list[at - 1][key] > k) at--;
  if (at > 0 && list[at - 1][key] === k) list[at - 1] = item;
  else list.splice(at, 0, item);
  if (list.length > limit) list.splice(0, list.length - limit);
}

function pushBounded(list, item, limit) {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}

export class AgentRecord {
  constructor(id) {
    this.id = id;
    this.state = 'unknown';
    this.reason = '';
    this.env = '';
    this.steps = null;
    this.episodes = null;
    this.lastReturn = null;
    this.windows = []; // { window, step, time, episodeReturn, loss, accuracy, layers: [{ network, layer, metrics }] }
    this.episodeReturns = []; // { episode, step, value }
    this.shifts = []; // { shift, step, time, shiftKind, params }
    this.resets = []; // { step, time, network, layer, units, criterion, predictedCost, policy }
    this.units = new Map(); // network -> Map(layer -> { index, criterion, columns: [{ step, values: Float32Array }] })
    this.version = 0; // bumped on every change the detail view draws
  }

  applySummary(summary) {
    this.state = str(summary.state, this.state);
    this.reason = str(summary.reason, summary.state === 'error' ? this.reason : '');
    const env = isObject(summary.env) ? summary.env.id : summary.env ?? summary.envId ?? (isObject(summary.spec) && isObject(summary.spec.env) ? summary.spec.env.id : undefined);
    this.env = str(env, this.env);
    this.steps = num(summary.steps) ?? num(summary.step) ?? this.steps;
    this.episodes = num(summary.episodes) ?? this.episodes;
    this.lastReturn = num(summary.lastReturn) ?? this.lastReturn;
  }

  addWindow(event) {
    const report = event.report;
    if (!isObject(report) || num(report.window) === null) return false;
    const performance = isObject(report.performance) ? report.performance : {};
    const layers = [];
    for (const layer of Array.isArray(report.layers) ? report.layers : []) {
      if (!isObject(layer) || typeof layer.network !== 'string' || typeof layer.layer !== 'string') continue;
      const metrics = {};
      for (const { key } of LAYER_METRICS) metrics[key] = num(layer[key]);
      layers.push({ network: layer.network, layer: layer.layer, metrics });
    }
    const step = num(report.step) ?? num(event.step) ?? 0;
    const episodeReturn = num(performance.episodeReturn);
    insertSorted(this.windows, { window: report.window, step, time: num(event.time), episodeReturn, loss: num(performance.loss), accuracy: num(performance.accuracy), layers }, 'window', LIMITS.windows);
    if (this.windows[this.windows.length - 1].window === report.window) {
      if (episodeReturn !== null) this.lastReturn = episodeReturn;
      this.steps = Math.max(this.steps ?? 0, step);
    }
    this.dropShiftsBeforeCharts();
    return true;
  }

  /** What `lastReturn` measures: an env's episode return, or a supervised stream's online accuracy or loss (the run's tally). */
  performanceName() {
    if (!this.env.startsWith('stream:')) return 'return';
    return this.windows.some((w) => w.accuracy !== null) ? 'accuracy' : 'loss';
  }

  /** Once the window list is full, shifts before its oldest window are off every chart: forget them. */
  dropShiftsBeforeCharts() {
    if (this.windows.length < LIMITS.windows) return;
    const oldest = this.windows[0].step;
    let drop = 0;
    while (drop < this.shifts.length && this.shifts[drop].step < oldest) drop++;
    if (drop > 0) this.shifts.splice(0, drop);
  }

  addEpisode(event) {
    const value = num(event.return);
    if (value === null) return false;
    const episode = num(event.episode) ?? 0;
    insertSorted(this.episodeReturns, { episode, step: num(event.step) ?? 0, value }, 'episode', LIMITS.episodes);
    this.episodes = Math.max(this.episodes ?? 0, episode);
    return true;
  }

  addShift(event) {
    const step = num(event.step);
    if (step === null) return false;
    const shift = num(event.shift) ?? this.shifts.length + 1;
    insertSorted(this.shifts, { shift, step, time: num(event.time), shiftKind: str(event.shiftKind, 'shift'), params: isObject(event.params) ? event.params : {} }, 'shift', LIMITS.shifts);
    this.dropShiftsBeforeCharts();
    return true;
  }

  addReset(event) {
    const reset = event.reset;
    if (!isObject(reset) || typeof reset.network !== 'string' || !Array.isArray(reset.units)) return false;
    const units = reset.units.length;
    const seq = num(event.seq) ?? 0;
    if (this.resets.some((known) => known.seq === seq && seq !== 0)) return true;
    pushBounded(this.resets, {
      seq,
      step: num(event.step) ?? 0,
      time: num(event.time),
      network: str(reset.network, '?'),
      layer: str(reset.layerName, String(reset.layer ?? '?')),
      units,
      criterion: str(reset.criterion, '?'),
      policy: str(reset.policy, ''),
      predictedCost: num(reset.predictedCost),
    }, LIMITS.resets);
    return true;
  }

  addState(event) {
    if (typeof event.state !== 'string') return false;
    this.state = event.state;
    this.reason = str(event.reason, '');
    return true;
  }

  addUnits(event) {
    if (typeof event.network !== 'string' || !Array.isArray(event.layers)) return false;
    const step = num(event.step) ?? 0;
    let network = this.units.get(event.network);
    if (!network) this.units.set(event.network, (network = new Map()));
    for (const layer of event.layers) {
      if (!isObject(layer) || typeof layer.layer !== 'string' || !Array.isArray(layer.utilities)) continue;
      let series = network.get(layer.layer);
      if (!series) network.set(layer.layer, (series = { index: num(layer.index) ?? 0, criterion: '', columns: [] }));
      series.criterion = str(layer.criterion, series.criterion);
      const last = series.columns[series.columns.length - 1];
      if (last && last.step >= step) continue; // a replayed snapshot we already have
      const values = new Float32Array(layer.utilities.length);
      layer.utilities.forEach((u, k) => (values[k] = typeof u === 'number' ? u : NaN));
      pushBounded(series.columns, { step, values }, LIMITS.unitColumns);
    }
    return true;
  }

  /** Applies one run event; false when its shape is not understood. */
  apply(event) {
    const step = num(event.step);
    if (step !== null && event.kind !== 'units') this.steps = Math.max(this.steps ?? 0, step);
    let ok;
    switch (event.kind) {
      case 'window': ok = this.addWindow(event); break;
      case 'episode': ok = this.addEpisode(event); break;
      case 'shift': ok = this.addShift(event); break;
      case 'reset': ok = this.addReset(event); break;
      case 'state': ok = this.addState(event); break;
      case 'units': ok = this.addUnits(event); break;
      default: ok = false;
    }
    if (ok) this.version++;
    return ok;
  }
}

export class AgentStore {
  constructor() {
    this.agents = new Map();
    this.badEvents = 0;
    this.events = 0;
  }

  get(id) {
    let agent = this.agents.get(id);
    if (!agent) this.agents.set(id, (agent = new AgentRecord(id)));
    return agent;
  }

  /** Replaces the list from GET /api/agents: unknown ids are added, missing ones removed. */
  setSummaries(payload) {
    const list = Array.isArray(payload) ? payload : isObject(payload) && Array.isArray(payload.agents) ? payload.agents : null;
    if (!list) return false;
    const seen = new Set();
    for (const summary of list) {
      if (!isObject(summary) || typeof summary.id !== 'string') continue;
      seen.add(summary.id);
      this.get(summary.id).applySummary(summary);
    }
    for (const id of [...this.agents.keys()]) if (!seen.has(id)) this.agents.delete(id);
    return true;
  }

  /** Applies a feed event; returns the agent it touched, or null (counted as bad). */
  apply(event) {
    try {
      if (!isObject(event) || typeof event.agent !== 'string' || event.agent === '') throw new Error('no agent');
      if (!KINDS.has(event.kind)) throw new Error('unknown kind');
      const agent = this.get(event.agent);
      if (!agent.apply(event)) throw new Error('unknown shape');
      this.events++;
      return agent;
    } catch {
      this.badEvents++;
      return null;
    }
  }
}
