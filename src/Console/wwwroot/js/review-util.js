// Small helpers shared by the reviewer, investigator and admin pages (recordings, cases, verify, stats, admin).
import { el } from './api.js';
import { t, has, num, locale, className } from './i18n.js';
import { wall, wallTime, wallDay, dayStart, parts, parkZone, offsetName, instant } from './clock.js';

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** "2026-03-01 08:00:05Z": a UTC instant for people, to the second (or the millisecond with ms = true). */
export function utc(t, ms = false) {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return '—';
  const s = d.toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, ms ? 23 : 19)}Z`;
}

/** "2026-03-01 15:00:05": the same instant on the park's clock. */
export function local(t, ms = false) {
  return wall(t, ms);
}

/** "15:00:05" on the park's clock, for compact lists. */
export function localTime(t) {
  return wallTime(t);
}

/** The park's time zone in words: "Asia/Ho_Chi_Minh, UTC+07:00". */
export function zoneName(at = new Date()) {
  return `${parkZone()}, ${offsetName(at)}`;
}

/** The value of an <input type="date"> for the park's day of t: "2026-03-01". */
export function dateValue(t = Date.now()) {
  return wallDay(t);
}

/** Midnight at the park of an <input type="date"> value, as a Date (clock changes included: built from the wall clock, not by adding 24 h). */
export function localMidnight(value, addDays = 0) {
  return new Date(dayStart(value, addDays));
}

/** The value of an <input type="datetime-local" step="1"> for the instant t, on the park's clock. */
export function datetimeLocalValue(t) {
  const p = parts(t);
  return `${wallDay(t)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
}

/** A datetime-local value read as the park's wall time; null when empty or invalid. */
export function fromDatetimeLocal(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value || '');
  if (!m) return null;
  const t = instant(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] || 0));
  return Number.isNaN(t) ? null : new Date(t);
}

/** v with exactly one decimal, in the user's locale ("12.0" in English, "12,0" in Vietnamese), as toFixed(1) wrote it. */
const oneDecimal = (v) => new Intl.NumberFormat(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v);

/** "1 h 02 min 05 s", "12.4 s" ("1 giờ 02 phút 05 giây", "12,4 giây" in Vietnamese). */
export function duration(seconds) {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 60) return t('util.duration.s', { s: seconds < 10 ? oneDecimal(seconds) : num(seconds) });
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? t('util.duration.hms', { h, m: pad(m), s: pad(r) }) : t('util.duration.ms', { m, s: pad(r) });
}

/** "12.3 MB" ("12,3 MB" in Vietnamese). */
export function bytes(n) {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0, v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return t(`util.bytes.${units[i]}`, { v: i === 0 || v >= 100 ? num(v) : oneDecimal(v) });
}

/** A SHA-256 shortened for a table, the whole of it in the title and selectable. */
export function hash(hex) {
  if (!hex) return el('span', { class: 'muted' }, '—');
  return el('code', { class: 'hash', title: hex, translate: 'no' }, `${hex.slice(0, 12)}…${hex.slice(-4)}`);
}

/** A UTC instant with the park's time under it, for tables. */
export function timeCell(t) {
  return el('span', { class: 'when2' },
    el('time', { datetime: new Date(t).toISOString(), translate: 'no' }, utc(t)),
    el('span', { class: 'muted small' }, local(t)));
}

/** A table with a head row and body rows; rows are arrays of cells or <tr> elements. */
export function table(head, rows, attrs = {}) {
  return el('table', attrs,
    el('thead', {}, el('tr', {}, head.map((h) => (h instanceof Node ? h : el('th', {}, h))))),
    el('tbody', {}, rows));
}

/** The event types with a label in the string tables (key "event.<type>"). */
const EVENT_TYPES = ['crossing', 'crowd-start', 'crowd-end', 'camera-offline', 'camera-online', 'agent-unreachable', 'agent-reachable',
  'recording-stopped', 'recording-resumed', 'zone-peak', 'plate-denied', 'plate-unlisted'];

/** A human label for an event type, in the page's language (read when used: the language may change after load). */
export const EVENT_LABELS = Object.freeze(Object.defineProperties({}, Object.fromEntries(EVENT_TYPES.map((type) =>
  [type, { enumerable: true, get: () => t(`event.${type}`) }]))));

/** The label of an event type; a type no table knows is shown as sent. */
export function eventLabel(type) {
  return has(`event.${type}`) ? t(`event.${type}`) : type;
}

/** Parts of an event's detail as one line ("vào, xe máy, vạch main"); each part is already in the page's language or data. */
function detailLine(parts) {
  const shown = parts.filter(Boolean).map(String);
  return shown.length ? t('util.detail.list', { items: shown.join(t('util.detail.sep')) }) : '';
}

/** One line on what an event says: "in, person, line main", "zone yard, peak 7", "reason ..." (the agent's words, as sent). */
export function eventDetail(e) {
  const d = e.data || {};
  switch (e.type) {
    case 'crossing': return detailLine([
      d.direction && (has(`util.dir.${d.direction}`) ? t(`util.dir.${d.direction}`) : d.direction),
      d.class && className(d.class),
      d.line && t('util.detail.line', { line: d.line })]);
    case 'crowd-start':
    case 'crowd-end': return detailLine([d.zone && t('util.detail.zone', { zone: d.zone }),
      d.peak !== undefined && t(d.counting === 'density' ? 'util.detail.peakAbout' : 'util.detail.peak', { n: d.peak }),
      Number.isFinite(d.peakEstimate) && t('util.detail.estimate', { n: Math.round(d.peakEstimate) })]);
    case 'camera-offline': return detailLine([d.reason]);
    case 'agent-unreachable': return detailLine([d.problem]);
    case 'agent-reachable': return d.seconds !== undefined ? t('util.detail.after', { seconds: d.seconds }) : '';
    default: return '';
  }
}

/** The page is loaded and its data shown: the hook browser tests wait for. */
export function ready() {
  document.body.dataset.ready = '1';
}
