// Vehicles: the plate reads of every gate, searched by plate (partial, wildcards, one wrong character), time, gate,
// class and list status; each with its crop, and a link that plays the footage of that moment.
// Deep link: vehicles.html?plate=51G*&fuzzy=1 fills the form and searches.
import { api, start, el, say } from './api.js';
import { timeCell, table, datetimeLocalValue, fromDatetimeLocal, ready } from './review-util.js';
import { t, tn, className } from './i18n.js';

const $ = (id) => document.getElementById(id);
/** A read's list status in words; one the page does not know is shown as sent (data). */
function statusLabel(status) {
  switch (status) {
    case 'denied': return t('veh.status.denied');
    case 'allowed': return t('veh.status.allowed');
    case 'visitor': return t('veh.status.visitor');
    case 'unlisted': return t('veh.status.unlisted');
    default: return null;
  }
}
const STATUS_PILL = { denied: 'bad', allowed: 'ok', visitor: 'ok', unlisted: 'warn' };
const cameras = new Map(); // agent/camera -> {agentName, name}

/** The search as the API takes it, from the form. */
function query(csv = false) {
  const p = new URLSearchParams();
  const plate = $('plate').value.trim();
  if (plate) p.set('plate', plate);
  if (plate && $('fuzzy').checked) p.set('fuzzy', 'true');
  const from = fromDatetimeLocal($('from').value);
  const to = fromDatetimeLocal($('to').value);
  if (from) p.set('from', from.toISOString());
  if (to) p.set('to', to.toISOString());
  const [agent, camera] = ($('camera').value || '/').split('/');
  if (agent) p.set('agent', agent);
  if (camera) p.set('camera', camera);
  if ($('class').value) p.set('class', $('class').value);
  if ($('state').value) p.set('status', $('state').value);
  if ($('alerts').checked) p.set('alerts', 'true');
  if (csv) p.set('format', 'csv');
  return p;
}

function gateName(r) {
  const c = cameras.get(`${r.agent}/${r.camera}`);
  return c ? `${c.agentName} — ${c.name}` : `${r.agentName || r.agent} — ${r.camera}`;
}

function crop(r) {
  if (!r.crop) return el('span', { class: 'muted small' }, t('veh.noCrop'));
  const img = el('img', { class: 'plate-crop', src: r.crop, alt: t('veh.cropAlt', { plate: r.plate }), loading: 'lazy', 'data-testid': 'read-crop' });
  img.addEventListener('error', () => img.replaceWith(el('span', { class: 'muted small', title: t('veh.cropGoneTitle') }, t('veh.cropGone'))));
  return img;
}

function alertCell(r) {
  if (!r.alert) return el('span', { class: 'muted' }, '—');
  const a = el('div', {}, el('span', { class: `pill ${r.alert === 'plate-denied' ? 'bad' : 'warn'}` }, r.alert === 'plate-denied' ? t('veh.alert.denied') : t('veh.alert.unlisted')));
  // The note is data: its tooltip sits on it, inside translate="no".
  a.append(r.acknowledged
    ? el('div', { class: 'small' }, t('veh.ackBy', { by: r.acknowledged.by }), ' ', el('em', { translate: 'no', title: r.acknowledged.note }, r.acknowledged.note))
    : el('div', { class: 'small warn-text' }, t('veh.notAcked')));
  return a;
}

function row(r) {
  return el('tr', { 'data-testid': 'read-row', dataset: { eventId: r.eventId, status: r.status } },
    el('td', {}, crop(r)),
    el('td', {}, el('span', { class: 'plate-text', 'data-testid': 'read-plate', translate: 'no' }, r.plate),
      el('div', { class: 'muted small' }, t('veh.sure', { pct: Math.round(r.confidence * 100) }))),
    el('td', {}, timeCell(r.time)),
    el('td', { translate: 'no' }, gateName(r)),
    el('td', {}, r.direction === 'in' ? el('span', { class: 'in-text' }, t('veh.in'))
      : r.direction === 'out' ? el('span', { class: 'out-text' }, t('veh.out'))
        : el('span', { class: '', translate: 'no' }, r.direction)),
    el('td', {}, className(r.class)),
    el('td', {}, el('span', { class: `pill ${STATUS_PILL[r.status] || ''}`, translate: statusLabel(r.status) ? null : 'no' }, statusLabel(r.status) ?? r.status),
      r.matched ? el('div', { class: 'muted small', translate: 'no' }, r.matched) : null),
    el('td', {}, alertCell(r)),
    el('td', {}, el('a', { href: r.footage, class: 'play', 'data-testid': 'read-footage', title: t('veh.playTitle') }, t('veh.play'))));
}

async function search(ev) {
  ev?.preventDefault();
  const p = query();
  $('csv').href = `/api/plates/reads?${query(true)}`;
  history.replaceState(null, '', `${location.pathname}?${p}`);
  $('go').disabled = true;
  say(t('veh.searching'));
  try {
    const r = await api(`/api/plates/reads?${p}`);
    $('results').replaceChildren(r.reads.length
      ? table([t('veh.col.crop'), t('veh.plate'), t('veh.col.time'), t('common.gate'), t('veh.col.direction'), t('veh.class'), t('veh.listStatus'), t('veh.col.alert'),
        t('veh.col.footage')], r.reads.map(row), { class: 'compact reads' })
      : el('div', { class: 'empty' }, t('veh.noMatch')));
    $('count').textContent = r.more ? t('veh.newest', { n: r.reads.length }) : tn('veh.count', r.reads.length);
    say('');
  } catch (e) {
    say(e.message, 'error');
  } finally {
    $('go').disabled = false;
    ready();
  }
}

async function main() {
  await start('review');
  try {
    for (const c of await api('/api/cameras')) {
      cameras.set(`${c.agent}/${c.camera}`, { agentName: c.agentName || c.agent, name: c.name || c.camera });
      $('camera').append(el('option', { value: `${c.agent}/${c.camera}`, translate: 'no' }, `${c.agentName || c.agent} — ${c.name || c.camera}`));
    }
  } catch (e) {
    say(t('veh.gatesFailed', { why: e.message }), 'error');
  }
  const p = new URLSearchParams(location.search);
  $('plate').value = p.get('plate') || '';
  $('fuzzy').checked = p.get('fuzzy') === 'true' || p.get('fuzzy') === '1';
  if (p.get('from')) $('from').value = datetimeLocalValue(p.get('from'));
  if (p.get('to')) $('to').value = datetimeLocalValue(p.get('to'));
  if (p.get('agent') && p.get('camera')) $('camera').value = `${p.get('agent')}/${p.get('camera')}`;
  if (p.get('class')) $('class').value = p.get('class');
  if (p.get('status')) $('state').value = p.get('status');
  $('alerts').checked = p.get('alerts') === 'true';
  $('search').addEventListener('submit', search);
  $('search').addEventListener('input', () => { $('csv').href = `/api/plates/reads?${query(true)}`; });
  $('csv').href = `/api/plates/reads?${query(true)}`;
  // A search is audited, so the page does not search by itself unless a link asked it to.
  if ([...p.keys()].length) await search();
  else {
    $('results').replaceChildren(el('div', { class: 'empty' }, t('veh.start')));
    ready();
  }
}

main().catch((e) => { if (e?.status !== 401 && e?.status !== 403) say(e.message, 'error'); });
