// Statistics: entries and exits per gate and alerts over time, drawn as SVG bar charts, with CSV downloads.
// The API counts by the park's hours, days or shifts (GET /api/stats/buckets gives the axis, empty periods
// included), so this page speaks the park's clock throughout; tooltips add UTC.
import { api, start, el, say } from './api.js';
import { table, ready, utc, zoneName, eventLabel } from './review-util.js';
import { wallDay, dayStart, wallDate, wallHm, parts as wallParts } from './clock.js';
import { t, tn, num, className } from './i18n.js';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const BUCKETS = ['hour', 'day', 'shift'];
// Labels (the event types' own) and tooltips are asked for when drawn: the language is the user's only once /api/me has answered.
const ALERT_TYPES = [
  { type: 'crowd-start', label: () => eventLabel('crowd-start'), tip: (p) => t('stats.tip.crowd', p), cls: 'bar-crowd' },
  { type: 'camera-offline', label: () => eventLabel('camera-offline'), tip: (p) => t('stats.tip.offline', p), cls: 'bar-offline' },
  { type: 'agent-unreachable', label: () => eventLabel('agent-unreachable'), tip: (p) => t('stats.tip.unreachable', p), cls: 'bar-unreachable' },
  { type: 'plate-denied', label: () => eventLabel('plate-denied'), tip: (p) => t('stats.tip.denied', p), cls: 'bar-plate-denied' },
  { type: 'plate-unlisted', label: () => eventLabel('plate-unlisted'), tip: (p) => t('stats.tip.unlisted', p), cls: 'bar-plate-unlisted' },
];

/** An SVG element: s('rect', {x, y}, children...). */
function s(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

/** The range asked for: park days from..to, to included; sent as days, which the API reads as the park's midnights. */
function range() {
  const from = $('from').value, to = $('to').value;
  return { from, to, next: to ? wallDay(dayStart(to, 1)) : '', bucket: $('bucket').value };
}

function query(r, csv = false) {
  const p = new URLSearchParams({ from: r.from, to: r.next, bucket: r.bucket });
  if (csv) p.set('format', 'csv');
  return p.toString();
}

const pad = (n) => String(n).padStart(2, '0');

/** A day without its year, in the order the user's language writes dates: "12-01" or "01/12". */
function shortDay(at) {
  const p = wallParts(at);
  return t('stats.shortDay', { d: pad(p.d), m: pad(p.m) });
}

/**
 * A bucket's name on the axis (short) or in a tooltip: "12-01", "21:00", "Ca đêm 12-01" (English order; Vietnamese
 * writes the day first). Written from the bucket's instant on the park's clock, which is the API's b.local.
 */
function bucketLabel(b, bucket, short = false) {
  const at = b.bucket;
  if (bucket === 'day') return short ? shortDay(at) : wallDate(at);
  if (bucket === 'shift') return short ? t('stats.axis.shiftDay', { shift: b.shift, day: shortDay(at) }) : `${b.shift}, ${wallDate(at)} ${wallHm(at)}`;
  return short ? wallHm(at) : `${wallDate(at)} ${wallHm(at)}`;
}

/** Round numbers for an axis up to max: 0, step, 2·step, ... */
function ticks(max) {
  if (max <= 0) return { top: 1, step: 1 };
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((x) => x >= raw && (x >= 1)) || Math.max(1, Math.ceil(raw));
  return { top: Math.ceil(max / step) * step, step };
}

/**
 * A bar chart: buckets along x, one bar per series side by side (or stacked), y from 0.
 * series: [{label, cls, values: number[]}]
 */
function barChart({ buckets, bucket, series, stacked = false, testid, title, W = 640 }) {
  const H = 250, L = 44, R = 12, T = 12, B = 40;
  const pw = W - L - R, ph = H - T - B;
  const n = buckets.length;
  const totals = buckets.map((_, i) => series.reduce((a, sr) => a + sr.values[i], 0));
  const max = stacked ? Math.max(0, ...totals) : Math.max(0, ...series.flatMap((sr) => sr.values));
  const { top, step } = ticks(max);
  const y = (v) => T + ph - (v / top) * ph;
  const slot = pw / Math.max(1, n);
  const parts = [];
  parts.push(s('title', {}, title));
  for (let v = 0; v <= top + 1e-9; v += step) {
    parts.push(s('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
    parts.push(s('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, num(v, 1)));
  }
  // Bars no wider than they need be: a week of days should not look like a wall.
  const inner = Math.min(slot > 6 ? slot - Math.min(slot * 0.2, 8) : slot, stacked ? 56 : 28 * series.length);
  const gap = slot - inner;
  buckets.forEach((b, i) => {
    let acc = 0;
    series.forEach((sr, j) => {
      const v = sr.values[i];
      if (!v) return;
      const x = stacked ? L + i * slot + gap / 2 : L + i * slot + gap / 2 + (inner / series.length) * j;
      const w = Math.max(0.8, stacked ? inner : inner / series.length - (series.length > 1 && inner > 8 ? 1 : 0));
      const y0 = stacked ? y(acc + v) : y(v);
      const h = stacked ? y(acc) - y(acc + v) : T + ph - y(v);
      acc += v;
      parts.push(s('rect', { class: `bar ${sr.cls}`, x: x.toFixed(2), y: y0.toFixed(2), width: w.toFixed(2), height: Math.max(0.5, h).toFixed(2) },
        s('title', {}, sr.tip({ when: bucketLabel(b, bucket), utc: utc(b.bucket).slice(0, 16), n: v }))));
    });
  });
  // x labels: as many as fit, 56 px apart at least
  const every = Math.max(1, Math.ceil(56 / slot));
  const dayBoundaries = bucket === 'hour' && n > 24;
  buckets.forEach((b, i) => {
    const x = L + i * slot + slot / 2;
    if (dayBoundaries) {
      if (b.local.slice(11, 13) === '00') {
        parts.push(s('line', { class: 'axis', x1: L + i * slot, x2: L + i * slot, y1: T + ph, y2: T + ph + 5 }));
        if (i % every === 0 || slot * 24 >= 56) parts.push(s('text', { x: L + i * slot + 3, y: T + ph + 16 }, bucketLabel(b, 'day', true)));
      }
    } else if (i % every === 0) {
      parts.push(s('text', { x, y: T + ph + 16, 'text-anchor': 'middle' }, bucketLabel(b, bucket, true)));
    }
  });
  parts.push(s('line', { class: 'axis', x1: L, x2: W - R, y1: T + ph + 0.5, y2: T + ph + 0.5 }));
  parts.push(s('line', { class: 'axis', x1: L - 0.5, x2: L - 0.5, y1: T, y2: T + ph }));
  parts.push(s('text', { x: L + pw / 2, y: H - 6, 'text-anchor': 'middle' },
    bucket === 'day' ? t('stats.axis.day') : bucket === 'shift' ? t('stats.axis.shift') : dayBoundaries ? t('stats.axis.hourDays') : t('stats.axis.hour')));
  return s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, 'data-testid': testid }, parts);
}

function legend(series) {
  return el('div', { class: 'chart-legend' }, series.map((sr) => el('span', {}, el('i', { class: `sw ${sr.sw}` }), t('stats.legend', { what: sr.label, n: sr.values.reduce((a, b) => a + b, 0) }))));
}

async function show(ev) {
  ev?.preventDefault();
  const r = range();
  if (!r.from || !r.to || r.to < r.from) { say(t('stats.toBeforeFrom'), 'error'); return; }
  const days = Math.round((dayStart(r.next) - dayStart(r.from)) / 86_400_000);
  if (days > 62 && r.bucket === 'hour') { say(t('stats.hourTooLong'), 'error'); return; }
  $('csv-crossings').href = `/api/stats/crossings?${query(r, true)}`;
  $('csv-alerts').href = `/api/stats/alerts?${query(r, true)}`;
  $('csv-crowd').href = `/api/stats/crowd?${query(r, true)}`;
  history.replaceState(null, '', `/stats.html?${new URLSearchParams({ from: r.from, to: r.to, bucket: r.bucket })}`);
  say(t('common.loading'));
  delete document.body.dataset.ready;
  try {
    const [axis, crossings, alerts, crowd] = await Promise.all([
      api(`/api/stats/buckets?${query(r)}`),
      api(`/api/stats/crossings?${query(r)}`),
      api(`/api/stats/alerts?${query(r)}`),
      api(`/api/stats/crowd?${query(r)}`),
    ]);
    const n = axis.length;
    const from = Date.parse(axis[0].bucket), to = Date.parse(axis.at(-1).end);
    const note = { from: `${wallDate(from)} ${wallHm(from)}`, to: `${wallDate(to)} ${wallHm(to)}`, zone: zoneName(from), utcFrom: utc(from).slice(0, 16), utcTo: utc(to).slice(0, 16) };
    $('range-note').textContent = r.bucket === 'hour' ? tn('stats.range.hour', n, note) : r.bucket === 'shift' ? tn('stats.range.shift', n, note) : tn('stats.range.day', n, note);
    const index = new Map(axis.map((b, i) => [Date.parse(b.bucket), i]));
    renderCrossings(crossings, axis, index, r.bucket);
    renderAlerts(alerts, axis, index, r.bucket);
    renderCrowd(crowd, axis, index, r.bucket);
    const ins = crossings.reduce((a, x) => a + x.in, 0), outs = crossings.reduce((a, x) => a + x.out, 0);
    say(t('stats.summary', { ins, outs, alerts: alerts.reduce((a, x) => a + x.count, 0) }), 'ok');
  } catch (e) {
    say(t('stats.loadFailed', { why: e.message }), 'error');
  }
  ready();
}

function renderCrossings(rows, buckets, index, bucket) {
  const gates = new Map();
  for (const x of rows) {
    const key = `${x.agent}/${x.camera}`;
    if (!gates.has(key)) gates.set(key, { agent: x.agent, agentName: x.agentName || x.agent, camera: x.camera, ins: new Array(buckets.length).fill(0), outs: new Array(buckets.length).fill(0), classes: new Map() });
    const g = gates.get(key);
    const i = index.get(Date.parse(x.bucket));
    if (i !== undefined) { g.ins[i] += x.in; g.outs[i] += x.out; }
    const c = g.classes.get(x.class) || { in: 0, out: 0 };
    c.in += x.in; c.out += x.out;
    g.classes.set(x.class, c);
  }
  const box = $('chart-crossings');
  if (!gates.size) {
    box.replaceChildren(el('section', { class: 'card chart-card' }, el('div', { class: 'empty' }, t('stats.noCrossings'))));
    $('totals').replaceChildren(el('div', { class: 'empty' }, t('stats.nothingCounted')));
    return;
  }
  box.replaceChildren(...[...gates.values()].map((g) => {
    const series = [
      { label: t('stats.entries'), tip: (p) => t('stats.tip.in', p), cls: 'bar-in', sw: 'in-sw', values: g.ins },
      { label: t('stats.exits'), tip: (p) => t('stats.tip.out', p), cls: 'bar-out', sw: 'out-sw', values: g.outs },
    ];
    return el('section', { class: 'card chart-card', dataset: { agent: g.agent, camera: g.camera } },
      el('h3', {}, el('span', { translate: 'no' }, `${g.agentName} — ${g.camera}`), el('span', { class: 'muted small', translate: 'no' }, `${g.agent}/${g.camera}`)),
      barChart({ buckets, bucket, series, testid: 'chart-gate', title: t('stats.crossingsTitle', { gate: g.agentName, camera: g.camera }) }),
      legend(series));
  }));
  const body = [];
  let ti = 0, to = 0;
  for (const g of gates.values()) {
    const classes = [...g.classes.entries()].sort((a, b) => (b[1].in + b[1].out) - (a[1].in + a[1].out));
    classes.forEach(([cls, c], k) => {
      body.push(el('tr', { 'data-testid': 'totals-row' },
        el('td', { translate: 'no' }, k === 0 ? `${g.agentName} — ${g.camera}` : ''),
        el('td', {}, className(cls)),
        el('td', { class: 'num in-text' }, num(c.in)),
        el('td', { class: 'num out-text' }, num(c.out)),
        el('td', { class: 'num' }, num(c.in - c.out))));
      ti += c.in; to += c.out;
    });
  }
  const totals = table([t('common.gate'), t('stats.col.class'), el('th', { class: 'num' }, t('stats.entries')), el('th', { class: 'num' }, t('stats.exits')),
    el('th', { class: 'num', title: t('stats.col.netTitle') }, t('stats.col.net'))], body, { class: 'totals compact' });
  totals.append(el('tfoot', {}, el('tr', {}, el('td', {}, t('stats.allGates')), el('td', {}, ''), el('td', { class: 'num' }, num(ti)), el('td', { class: 'num' }, num(to)), el('td', { class: 'num' }, num(ti - to)))));
  $('totals').replaceChildren(totals);
}

/** Per gate, the most people any of its zones held in each bucket; the tooltip's detail and the CSV keep the zones apart. */
function renderCrowd(rows, buckets, index, bucket) {
  const gates = new Map();
  for (const x of rows) {
    const key = `${x.agent}/${x.camera}`;
    if (!gates.has(key)) gates.set(key, { agent: x.agent, agentName: x.agentName || x.agent, camera: x.camera, peaks: new Array(buckets.length).fill(0), zones: new Set(), top: 0 });
    const g = gates.get(key);
    const i = index.get(Date.parse(x.bucket));
    if (i !== undefined) g.peaks[i] = Math.max(g.peaks[i], x.peak);
    g.zones.add(x.zone);
    g.top = Math.max(g.top, x.peak);
  }
  const box = $('chart-crowd');
  if (!gates.size) {
    box.replaceChildren(el('section', { class: 'card chart-card' }, el('div', { class: 'empty' }, t('stats.nobody'))));
    return;
  }
  box.replaceChildren(...[...gates.values()].map((g) => {
    const series = [{ label: t('stats.peopleAtMost'), tip: (p) => t('stats.tip.peak', p), cls: 'bar-crowd', sw: 'crowd', values: g.peaks }];
    return el('section', { class: 'card chart-card', dataset: { agent: g.agent, camera: g.camera, peak: String(g.top) } },
      el('h3', {}, el('span', { translate: 'no' }, `${g.agentName} — ${g.camera}`), el('span', { class: 'muted small' }, t('stats.zones', { zones: [...g.zones].join(', ') }))),
      barChart({ buckets, bucket, series, testid: 'chart-crowd-gate', title: t('stats.crowdTitle', { gate: g.agentName, camera: g.camera }) }),
      el('div', { class: 'chart-legend' }, el('span', {}, el('i', { class: 'sw crowd' }), t('stats.crowdLegend', { n: g.top }))));
  }));
}

function renderAlerts(rows, buckets, index, bucket) {
  const series = ALERT_TYPES.map((a) => ({ label: a.label(), tip: a.tip, cls: a.cls, sw: a.cls.slice(4), values: new Array(buckets.length).fill(0) }));
  for (const x of rows) {
    const j = ALERT_TYPES.findIndex((a) => a.type === x.type);
    const i = index.get(Date.parse(x.bucket));
    if (j >= 0 && i !== undefined) series[j].values[i] += x.count;
  }
  const gates = [...new Set(rows.map((x) => `${x.agent}/${x.camera}`))];
  $('chart-alerts').replaceChildren(
    barChart({ buckets, bucket, series, stacked: true, testid: 'chart-alerts-svg', title: t('stats.alertsTitle'), W: 1300 }),
    legend(series),
    el('div', { class: 'muted small' }, gates.length ? t('stats.alertsFrom', { gates: gates.join(', ') }) : t('stats.noAlerts')));
}

async function main() {
  await start('statistics');
  const p = new URLSearchParams(location.search);
  const today = wallDay(Date.now());
  const daysBack = (n) => wallDay(dayStart(today, -n) + 3_600_000);
  $('to').value = p.get('to') || today;
  $('from').value = p.get('from') || daysBack(6);
  if (BUCKETS.includes(p.get('bucket'))) $('bucket').value = p.get('bucket');
  $('query').addEventListener('submit', show);
  $('bucket').addEventListener('change', show);
  for (const b of document.querySelectorAll('[data-range]')) {
    b.addEventListener('click', () => {
      const days = Number(b.dataset.range);
      $('to').value = today;
      $('from').value = daysBack(days - 1);
      $('bucket').value = days === 1 ? 'hour' : 'day';
      show();
    });
  }
  await show();
}

main().catch((e) => { if (e?.status !== 401 && e?.status !== 403) say(e.message, 'error'); });
