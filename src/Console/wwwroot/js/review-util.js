// Small helpers shared by the reviewer, investigator and admin pages (recordings, cases, verify, stats, admin).
import { el } from './api.js';

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** "2026-03-01 08:00:05Z": a UTC instant for people, to the second (or the millisecond with ms = true). */
export function utc(t, ms = false) {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return '—';
  const s = d.toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, ms ? 23 : 19)}Z`;
}

/** "2026-03-01 09:00:05": the same instant in the browser's time zone. */
export function local(t, ms = false) {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return '—';
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return ms ? `${base}.${pad(d.getMilliseconds(), 3)}` : base;
}

/** "09:00:05" local, for compact lists. */
export function localTime(t) {
  const d = new Date(t);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The browser's time zone in words: "Europe/Berlin, UTC+01:00". */
export function zoneName(at = new Date()) {
  const off = -at.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  let name = '';
  try { name = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch { /* no Intl */ }
  return `${name ? name + ', ' : ''}UTC${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** The value of an <input type="date"> for the local day of t: "2026-03-01". */
export function dateValue(t = Date.now()) {
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local midnight of an <input type="date"> value, as a Date (DST-safe: built from parts, not by adding 24 h). */
export function localMidnight(value, addDays = 0) {
  const [y, m, d] = value.split('-').map(Number);
  return new Date(y, m - 1, d + addDays, 0, 0, 0, 0);
}

/** The value of an <input type="datetime-local" step="1"> for the instant t, in local time. */
export function datetimeLocalValue(t) {
  const d = new Date(t);
  return `${dateValue(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A datetime-local value read as local time; null when empty or invalid. */
export function fromDatetimeLocal(value) {
  if (!value) return null;
  const d = new Date(value); // a datetime-local string without an offset is local time by the spec
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "1 h 02 min 05 s", "12.4 s". */
export function duration(seconds) {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h} h ${pad(m)} min ${pad(r)} s` : `${m} min ${pad(r)} s`;
}

/** "12.3 MB". */
export function bytes(n) {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0, v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i === 0 || v >= 100 ? 0 : 1)} ${units[i]}`;
}

/** A SHA-256 shortened for a table, the whole of it in the title and selectable. */
export function hash(hex) {
  if (!hex) return el('span', { class: 'muted' }, '—');
  return el('code', { class: 'hash', title: hex }, `${hex.slice(0, 12)}…${hex.slice(-4)}`);
}

/** A UTC instant with the local time under it, for tables. */
export function timeCell(t) {
  return el('span', { class: 'when2' },
    el('time', { datetime: new Date(t).toISOString() }, utc(t)),
    el('span', { class: 'muted small' }, local(t)));
}

/** A table with a head row and body rows; rows are arrays of cells or <tr> elements. */
export function table(head, rows, attrs = {}) {
  return el('table', attrs,
    el('thead', {}, el('tr', {}, head.map((h) => (h instanceof Node ? h : el('th', {}, h))))),
    el('tbody', {}, rows));
}

/** A human label for an event type. */
export const EVENT_LABELS = {
  'crossing': 'Crossing',
  'crowd-start': 'Crowd gathering',
  'crowd-end': 'Crowd cleared',
  'camera-offline': 'Camera offline',
  'camera-online': 'Camera back online',
  'agent-unreachable': 'Gate agent unreachable',
  'agent-reachable': 'Gate agent back',
};

export function eventLabel(type) {
  return EVENT_LABELS[type] || type;
}

/** One line on what an event says: "in, person, line main", "zone yard, peak 7", "reason ...". */
export function eventDetail(e) {
  const d = e.data || {};
  switch (e.type) {
    case 'crossing': return [d.direction, d.class, d.line && `line ${d.line}`].filter(Boolean).join(', ');
    case 'crowd-start':
    case 'crowd-end': return [d.zone && `zone ${d.zone}`,
      d.peak !== undefined && `peak ${d.counting === 'density' ? 'about ' : ''}${d.peak} people`,
      Number.isFinite(d.peakEstimate) && `density estimate up to ${Math.round(d.peakEstimate)}`].filter(Boolean).join(', ');
    case 'camera-offline': return d.reason || '';
    case 'agent-unreachable': return d.problem || '';
    case 'agent-reachable': return d.seconds !== undefined ? `after ${d.seconds} s` : '';
    default: return '';
  }
}

/** The page is loaded and its data shown: the hook browser tests wait for. */
export function ready() {
  document.body.dataset.ready = '1';
}
