// A gate's shift handover report: what crossed, which alerts and who acknowledged them, what was dark, the guards'
// notes. Guards add notes and print it at handover; reviewers read it later. Times are the park's.
import { api, start, el, say, may } from './api.js';
import { table, ready, eventLabel } from './review-util.js';
import { wall, wallDay, wallDate, wallHm, parkZone } from './clock.js';
import { t, num, className } from './i18n.js';

const $ = (id) => document.getElementById(id);
let me = null;

// Times from the report's UTC instants, on the park's clock: "21:16", and "2026-12-01 21:16" (01/12/2026 in Vietnamese).
const hm = (at) => at ? wallHm(at) : '';
const dayHm = (at) => at ? `${wallDate(at)} ${wallHm(at)}` : '';
/** Data (a user's name, a note, a zone, a plate) inside a line of wording. */
const data = (text) => el('span', { translate: 'no' }, text);
/** An alert's or outage's kind, with what it says of itself (zone, plate, reason) after it. */
const what = (kind, detail) => (detail ? [eventLabel(kind), ' (', data(detail), ')'] : [eventLabel(kind)]);

function params() {
  return new URLSearchParams({ agent: $('agent').value, day: $('day').value, shift: $('shift').value });
}

async function show(ev, current = false) {
  ev?.preventDefault();
  if (!$('agent').value) { say(t('report.noAgent'), 'error'); ready(); return; }
  const q = current ? new URLSearchParams({ agent: $('agent').value }) : params();
  delete document.body.dataset.ready;
  say(t('common.loading'));
  try {
    const r = await api(`/api/reports/shift?${q}`);
    $('day').value = r.shift.day;
    $('shift').value = r.shift.name;
    history.replaceState(null, '', `/report.html?${params()}`);
    $('csv').href = `/api/reports/shift?${params()}&format=csv`;
    render(r);
    say('');
  } catch (e) {
    $('report').hidden = true;
    say(e.message, 'error');
  }
  ready();
}

function render(r) {
  $('report').hidden = false;
  // The shift's day is the park's day its start falls on: written from that instant in the user's order.
  $('report-title').textContent = t('report.title', { gate: r.agentName, shift: r.shift.name, day: wallDate(r.shift.start) });
  $('report-hours').textContent = t('report.hours', { from: dayHm(r.shift.start), to: dayHm(r.shift.end), hours: r.shift.hoursLong, zone: r.zone });
  $('report-incomplete').hidden = r.complete;
  $('report-incomplete').textContent = r.complete ? '' : t('report.incomplete', { end: hm(r.shift.end), asOf: hm(r.asOf) });

  const byCamera = new Map();
  for (const c of r.crossings) {
    if (!byCamera.has(c.camera)) byCamera.set(c.camera, []);
    byCamera.get(c.camera).push(c);
  }
  const rows = [];
  for (const [camera, list] of byCamera) {
    list.forEach((c, i) => rows.push(el('tr', { 'data-testid': 'count-row' },
      el('td', { translate: 'no' }, i === 0 ? camera : ''), el('td', {}, className(c.class)),
      el('td', { class: 'num' }, num(c.in)), el('td', { class: 'num' }, num(c.out)))));
  }
  const counts = table([t('common.camera'), t('report.col.class'), el('th', { class: 'num' }, t('report.col.entries')), el('th', { class: 'num' }, t('report.col.exits'))],
    rows, { class: 'compact', 'data-testid': 'counts' });
  counts.append(el('tfoot', {}, el('tr', {}, el('td', {}, t('report.wholeGate')), el('td', {}, ''),
    el('td', { class: 'num', 'data-testid': 'total-in' }, num(r.totals.in)), el('td', { class: 'num', 'data-testid': 'total-out' }, num(r.totals.out)))));
  $('counts').replaceChildren(r.crossings.length ? counts : el('div', { class: 'empty' }, t('report.noCrossings')));

  const cameraCell = (c) => c ? el('td', { translate: 'no' }, c) : el('td', {}, t('common.wholeGate'));
  $('alerts').replaceChildren(r.alerts.length
    ? table([t('common.time'), t('common.camera'), t('report.col.alert'), t('report.col.ackBy'), t('common.note')], r.alerts.map((a) => el('tr', { 'data-testid': 'alert-row' },
      el('td', {}, hm(a.time)), cameraCell(a.camera),
      el('td', {}, what(a.type, a.detail)),
      a.acknowledged ? el('td', {}, data(a.acknowledged.by), `, ${hm(a.acknowledged.time)}`) : el('td', { class: 'unacked' }, t('report.notAcked')),
      el('td', { translate: 'no' }, a.acknowledged?.note || ''))), { class: 'compact' })
    : el('div', { class: 'empty' }, t('report.noAlerts')));

  $('outages').replaceChildren(r.outages.length
    ? table([t('common.camera'), t('report.col.what'), t('report.col.from'), t('report.col.until'), el('th', { class: 'num' }, t('report.col.minutes'))],
      r.outages.map((o) => el('tr', { 'data-testid': 'outage-row' },
        cameraCell(o.camera), el('td', {}, what(o.kind, o.reason)),
        el('td', {}, dayHm(o.from)), el('td', {}, o.to ? dayHm(o.to) : t('report.stillDark')),
        el('td', { class: 'num' }, num(Math.round(o.minutesInShift))))), { class: 'compact' })
    : el('div', { class: 'empty' }, t('report.noOutages')));

  $('notes').replaceChildren(r.notes.length
    ? el('ul', { class: 'notes-list' }, r.notes.map((n) => el('li', { 'data-testid': 'note' }, el('b', {}, data(n.by), `, ${dayHm(n.time)}: `), data(n.text))))
    : el('div', { class: 'empty' }, t('report.noNotes')));
  $('note-form').hidden = !may(me, 'watch');
  $('report-foot').textContent = r.complete ? t('report.foot.ended', { at: wall(Date.now()), zone: parkZone() }) : t('report.foot.running', { at: wall(Date.now()), zone: parkZone() });
}

async function addNote(ev) {
  ev.preventDefault();
  try {
    await api('/api/reports/shift/notes', { method: 'POST', body: { agent: $('agent').value, day: $('day').value, shift: $('shift').value, text: $('note-text').value } });
    $('note-text').value = '';
    await show();
  } catch (e) {
    say(e.message, 'error');
  }
}

async function main() {
  me = await start(['watch', 'statistics']);
  const [cameras, clock] = await Promise.all([api('/api/cameras'), api('/api/clock')]);
  const agents = new Map();
  for (const c of cameras) agents.set(c.agent, c.agentName || c.agent);
  // Gate and shift names are the admin's: data (their selects are translate="no").
  $('agent').replaceChildren(...[...agents].map(([id, name]) => el('option', { value: id }, name)));
  $('shift').replaceChildren(...clock.shifts.map((s) => el('option', { value: s.name }, `${s.name} (${s.start}-${s.end})`)));
  const p = new URLSearchParams(location.search);
  if (p.get('agent')) $('agent').value = p.get('agent');
  $('day').value = p.get('day') || clock.current.day || wallDay();
  $('shift').value = p.get('shift') || clock.current.name;
  $('query').addEventListener('submit', (e) => show(e));
  $('current').addEventListener('click', () => show(null, true));
  $('print').addEventListener('click', () => window.print());
  $('note-form').addEventListener('submit', addNote);
  await show(null, !p.get('day'));
}

main().catch((e) => { if (e?.status !== 401 && e?.status !== 403) { say(e.message, 'error'); ready(); } });
