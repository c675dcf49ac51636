// The park's clock: every time a page shows is on it and named, whatever zone the browser or phone is in.
// The console says which zone (GET /api/me); until it has, the browser's own zone stands in.

// How a date is written for people: 'dmy' (01/12/2026, Vietnamese) or 'ymd' (2026-12-01); i18n.js sets it.
let order = 'ymd';

export function setDateOrder(o) { order = o === 'dmy' ? 'dmy' : 'ymd'; }

let zone = (() => { try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; } })();
const formats = new Map();

export function setZone(z) { if (z) zone = z; }

export function parkZone() { return zone; }

const pad = (n, w = 2) => String(n).padStart(w, '0');

function format() {
  if (!formats.has(zone)) {
    formats.set(zone, new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }));
  }
  return formats.get(zone);
}

/** The park's wall clock at instant t: {y, m (1-12), d, h, mi, s, ms}. */
export function parts(t) {
  const ms = new Date(t).getTime();
  const o = {};
  for (const p of format().formatToParts(new Date(ms))) o[p.type] = p.value;
  return { y: Number(o.year), m: Number(o.month), d: Number(o.day), h: Number(o.hour) % 24, mi: Number(o.minute), s: Number(o.second), ms: ((ms % 1000) + 1000) % 1000 };
}

/** How far the park's clock is ahead of UTC at instant t, in ms. */
export function offsetMs(t) {
  const ms = Math.floor(new Date(t).getTime() / 1000) * 1000;
  const p = parts(ms);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - ms;
}

/**
 * The instant the park's clock shows this wall time (month 1-12; days past the month's end roll over). Taken at the
 * offset in force then: asked twice, so a clock change between the guess and the answer is seen.
 */
export function instant(y, m, d, h = 0, mi = 0, s = 0) {
  const wall = Date.UTC(y, m - 1, d, h, mi, s);
  const first = wall - offsetMs(wall);
  return wall - offsetMs(first);
}

/** "UTC+07:00" at instant t. */
export function offsetName(t = Date.now()) {
  const off = Math.round(offsetMs(t) / 60000);
  const a = Math.abs(off);
  return `UTC${off >= 0 ? '+' : '-'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** "01/12/2026" or "2026-12-01": the park's day of t, as the user's language writes a date. */
export function wallDate(t) {
  const p = parts(t);
  return order === 'dmy' ? `${pad(p.d)}/${pad(p.m)}/${p.y}` : `${p.y}-${pad(p.m)}-${pad(p.d)}`;
}

/** "01/12/2026 21:16:05" (or "2026-12-01 21:16:05") on the park's clock (".123" with ms). */
export function wall(t, ms = false) {
  if (Number.isNaN(new Date(t).getTime())) return '—';
  const p = parts(t);
  const base = `${wallDate(t)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
  return ms ? `${base}.${pad(p.ms, 3)}` : base;
}

/** "21:16:05" on the park's clock. */
export function wallTime(t) {
  const p = parts(t);
  return `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
}

/** "21:16" on the park's clock. */
export function wallHm(t) {
  const p = parts(t);
  return `${pad(p.h)}:${pad(p.mi)}`;
}

/** The park's day of instant t as "2026-12-01". */
export function wallDay(t = Date.now()) {
  const p = parts(t);
  return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
}

/** Midnight at the park of a "2026-12-01" day (plus addDays), as ms since the epoch. */
export function dayStart(value, addDays = 0) {
  const [y, m, d] = value.split('-').map(Number);
  return instant(y, m, d + addDays);
}
