// Vehicles: the plate reads of every gate, searched by plate (partial, wildcards, one wrong character), time, gate,
// class and list status; each with its crop, and a link that plays the footage of that moment.
// Deep link: vehicles.html?plate=51G*&fuzzy=1 fills the form and searches.
import { api, start, el, say } from './api.js';
import { timeCell, table, datetimeLocalValue, fromDatetimeLocal, ready } from './review-util.js';

const $ = (id) => document.getElementById(id);
const STATUS = { denied: 'denied', allowed: 'allowed', visitor: 'visitor', unlisted: 'on no list' };
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
  if (!r.crop) return el('span', { class: 'muted small' }, 'no crop');
  const img = el('img', { class: 'plate-crop', src: r.crop, alt: `Plate ${r.plate}`, loading: 'lazy', 'data-testid': 'read-crop' });
  img.addEventListener('error', () => img.replaceWith(el('span', { class: 'muted small', title: 'The agent no longer has this picture' }, 'crop gone')));
  return img;
}

function alertCell(r) {
  if (!r.alert) return el('span', { class: 'muted' }, '—');
  const a = el('div', {}, el('span', { class: `pill ${r.alert === 'plate-denied' ? 'bad' : 'warn'}` }, r.alert === 'plate-denied' ? 'denied-plate alert' : 'unlisted-plate alert'));
  a.append(r.acknowledged
    ? el('div', { class: 'small', title: r.acknowledged.note }, `acknowledged by ${r.acknowledged.by}: `, el('em', {}, r.acknowledged.note))
    : el('div', { class: 'small warn-text' }, 'not acknowledged'));
  return a;
}

function row(r) {
  return el('tr', { 'data-testid': 'read-row', dataset: { eventId: r.eventId, status: r.status } },
    el('td', {}, crop(r)),
    el('td', {}, el('span', { class: 'plate-text', 'data-testid': 'read-plate' }, r.plate),
      el('div', { class: 'muted small' }, `read ${Math.round(r.confidence * 100)}% sure`)),
    el('td', {}, timeCell(r.time)),
    el('td', {}, gateName(r)),
    el('td', {}, el('span', { class: r.direction === 'in' ? 'in-text' : r.direction === 'out' ? 'out-text' : '' }, r.direction === 'in' ? '↑ in' : r.direction === 'out' ? '↓ out' : r.direction)),
    el('td', {}, r.class),
    el('td', {}, el('span', { class: `pill ${STATUS_PILL[r.status] || ''}` }, STATUS[r.status] || r.status),
      r.matched ? el('div', { class: 'muted small' }, r.matched) : null),
    el('td', {}, alertCell(r)),
    el('td', {}, el('a', { href: r.footage, class: 'play', 'data-testid': 'read-footage', title: 'Play the recording at this moment' }, 'Play ▶')));
}

async function search(ev) {
  ev?.preventDefault();
  const p = query();
  $('csv').href = `/api/plates/reads?${query(true)}`;
  history.replaceState(null, '', `${location.pathname}?${p}`);
  $('go').disabled = true;
  say('Searching…');
  try {
    const r = await api(`/api/plates/reads?${p}`);
    $('results').replaceChildren(r.reads.length
      ? table(['Crop', 'Plate', 'Time (UTC, local)', 'Gate', 'Direction', 'Class', 'List status', 'Alert', 'Footage'], r.reads.map(row), { class: 'compact reads' })
      : el('div', { class: 'empty' }, 'No reads match.'));
    $('count').textContent = r.more ? `the newest ${r.reads.length} reads; narrow the search for older ones` : `${r.reads.length} read${r.reads.length === 1 ? '' : 's'}`;
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
      $('camera').append(el('option', { value: `${c.agent}/${c.camera}` }, `${c.agentName || c.agent} — ${c.name || c.camera}`));
    }
  } catch (e) {
    say(`The gates could not be listed (${e.message}); searching all of them still works.`, 'error');
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
    $('results').replaceChildren(el('div', { class: 'empty' }, 'Search for a plate, a gate or a time.'));
    ready();
  }
}

main().catch((e) => { if (e?.status !== 401 && e?.status !== 403) say(e.message, 'error'); });
