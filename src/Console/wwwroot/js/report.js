// A gate's shift handover report: what crossed, which alerts and who acknowledged them, what was dark, the guards'
// notes. Guards add notes and print it at handover; reviewers read it later. Times are the park's.
import { api, start, el, say, may } from './api.js';
import { table, ready, eventLabel } from './review-util.js';
import { wall, wallDay, parkZone } from './clock.js';

const $ = (id) => document.getElementById(id);
let me = null;

const hm = (local) => local ? local.slice(11, 16) : '';
const dayHm = (local) => local ? `${local.slice(0, 10)} ${local.slice(11, 16)}` : '';

function params() {
  return new URLSearchParams({ agent: $('agent').value, day: $('day').value, shift: $('shift').value });
}

async function show(ev, current = false) {
  ev?.preventDefault();
  if (!$('agent').value) { say('No gate agent is registered yet.', 'error'); ready(); return; }
  const q = current ? new URLSearchParams({ agent: $('agent').value }) : params();
  delete document.body.dataset.ready;
  say('Loading…');
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
  $('report-title').textContent = `${r.agentName} — ${r.shift.name}, ${r.shift.day}`;
  $('report-hours').textContent = `${dayHm(r.shift.startLocal)} to ${dayHm(r.shift.endLocal)} (${r.shift.hoursLong} h), ${r.zone}`;
  $('report-incomplete').hidden = r.complete;
  $('report-incomplete').textContent = r.complete ? '' : `This shift has not ended (it ends at ${hm(r.shift.endLocal)}): the report shows what there is until ${hm(r.asOfLocal)}.`;

  const byCamera = new Map();
  for (const c of r.crossings) {
    if (!byCamera.has(c.camera)) byCamera.set(c.camera, []);
    byCamera.get(c.camera).push(c);
  }
  const rows = [];
  for (const [camera, list] of byCamera) {
    list.forEach((c, i) => rows.push(el('tr', { 'data-testid': 'count-row' },
      el('td', {}, i === 0 ? camera : ''), el('td', {}, c.class),
      el('td', { class: 'num' }, String(c.in)), el('td', { class: 'num' }, String(c.out)))));
  }
  const counts = table(['Camera', 'Class', el('th', { class: 'num' }, 'Entries'), el('th', { class: 'num' }, 'Exits')], rows, { class: 'compact', 'data-testid': 'counts' });
  counts.append(el('tfoot', {}, el('tr', {}, el('td', {}, 'Whole gate'), el('td', {}, ''),
    el('td', { class: 'num', 'data-testid': 'total-in' }, String(r.totals.in)), el('td', { class: 'num', 'data-testid': 'total-out' }, String(r.totals.out)))));
  $('counts').replaceChildren(r.crossings.length ? counts : el('div', { class: 'empty' }, 'Nothing crossed in this shift.'));

  $('alerts').replaceChildren(r.alerts.length
    ? table(['Time', 'Camera', 'Alert', 'Acknowledged by', 'Note'], r.alerts.map((a) => el('tr', { 'data-testid': 'alert-row' },
      el('td', {}, hm(a.local)), el('td', {}, a.camera || 'whole gate'),
      el('td', {}, `${eventLabel(a.type)}${a.detail ? ` (${a.detail})` : ''}`),
      a.acknowledged ? el('td', {}, `${a.acknowledged.by}, ${hm(a.acknowledged.local)}`) : el('td', { class: 'unacked' }, 'not acknowledged'),
      el('td', {}, a.acknowledged?.note || ''))), { class: 'compact' })
    : el('div', { class: 'empty' }, 'No alerts in this shift.'));

  $('outages').replaceChildren(r.outages.length
    ? table(['Camera', 'What', 'From', 'Until', el('th', { class: 'num' }, 'Minutes in this shift')], r.outages.map((o) => el('tr', { 'data-testid': 'outage-row' },
      el('td', {}, o.camera || 'whole gate'), el('td', {}, `${eventLabel(o.kind)}${o.reason ? ` (${o.reason})` : ''}`),
      el('td', {}, dayHm(o.fromLocal)), el('td', {}, o.toLocal ? dayHm(o.toLocal) : 'still dark'),
      el('td', { class: 'num' }, String(Math.round(o.minutesInShift))))), { class: 'compact' })
    : el('div', { class: 'empty' }, 'Every camera was up the whole shift.'));

  $('notes').replaceChildren(r.notes.length
    ? el('ul', { class: 'notes-list' }, r.notes.map((n) => el('li', { 'data-testid': 'note' }, el('b', {}, `${n.by}, ${dayHm(n.local)}: `), n.text)))
    : el('div', { class: 'empty' }, 'No notes.'));
  $('note-form').hidden = !may(me, 'watch');
  $('report-foot').textContent = `Printed from GateWatch at ${wall(Date.now())} (${parkZone()}); ${r.complete ? 'the shift has ended' : 'shift still running'}.`;
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
