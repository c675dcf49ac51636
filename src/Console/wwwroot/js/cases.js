// Cases: investigators collect clips of footage under a case number and export signed evidence packages.
import { api, start, el, say } from './api.js';
import { utc, local, duration, bytes, hash, timeCell, table, datetimeLocalValue, fromDatetimeLocal, zoneName, ready } from './review-util.js';

const $ = (id) => document.getElementById(id);
const state = { cases: [], cameras: [], current: null, lastPackage: null };

function camLabel(agent, camera) {
  const c = state.cameras.find((x) => x.agent === agent && x.camera === camera);
  return c ? `${c.agentName || agent} — ${c.name || camera}` : `${agent} — ${camera}`;
}

// ---------- list ----------

async function loadCases() {
  state.cases = await api('/api/cases');
  renderList();
}

function renderList() {
  const box = $('case-list');
  if (!state.cases.length) { box.replaceChildren(el('div', { class: 'empty' }, 'No cases yet.')); return; }
  const rows = [...state.cases].sort((a, b) => Date.parse(b.created) - Date.parse(a.created)).map((c) => {
    const tr = el('tr', { 'data-testid': 'case-row', dataset: { number: c.number, id: String(c.id) }, class: state.current?.id === c.id ? 'selected' : '', tabindex: '0' },
      el('td', {}, el('div', { class: 'num-label' }, c.number), el('div', { class: 'muted small' }, c.description.length > 70 ? c.description.slice(0, 70) + '…' : c.description)),
      el('td', { class: 'num' }, String(c.clips)),
      el('td', { class: 'num' }, String(c.packages)),
      el('td', { class: 'small nowrap', title: `${local(c.created)} local · ${utc(c.created)}` }, local(c.created).slice(5, 16)));
    tr.addEventListener('click', () => openCase(c.id));
    tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') openCase(c.id); });
    return tr;
  });
  box.replaceChildren(table(['Case', el('th', { class: 'num' }, 'Clips'), el('th', { class: 'num' }, 'Packages'), 'Created'], rows, { class: 'case-list compact' }));
}

async function createCase(ev) {
  ev.preventDefault();
  const number = $('case-number').value.trim();
  const description = $('case-description').value.trim();
  const status = $('case-form-status');
  if (!number) { say('A case needs a number.', 'error', status); return; }
  $('case-create').disabled = true;
  try {
    const c = await api('/api/cases', { method: 'POST', body: { number, description } });
    say(`Case ${c.number} created.`, 'ok', status);
    $('case-form').reset();
    await loadCases();
    await openCase(c.id);
  } catch (e) {
    say(e.status === 409 ? `Not created: ${e.message}.` : `The case was not created: ${e.message}`, 'error', status);
  } finally {
    $('case-create').disabled = false;
  }
}

// ---------- detail ----------

async function openCase(id, { keepPackage = false } = {}) {
  if (!keepPackage) state.lastPackage = null;
  try {
    state.current = await api(`/api/cases/${encodeURIComponent(id)}`);
  } catch (e) {
    say(`Case ${id} could not be opened: ${e.message}`, 'error');
    return;
  }
  history.replaceState(null, '', `/cases.html?case=${encodeURIComponent(id)}`);
  renderList();
  renderDetail();
}

function renderDetail() {
  const c = state.current;
  const detail = $('detail');
  detail.dataset.case = c.number;
  detail.replaceChildren(
    el('div', { class: 'case-title' },
      el('h2', { 'data-testid': 'case-title' }, `Case ${c.number}`),
      el('span', { class: 'pill' }, `${c.clips.length} clip${c.clips.length === 1 ? '' : 's'}`),
      el('span', { class: 'pill' }, `${c.packages.length} package${c.packages.length === 1 ? '' : 's'}`)),
    el('div', { class: 'case-meta muted small' }, `Opened by ${c.createdBy} on ${local(c.created)} local (${utc(c.created)})`),
    c.description ? el('p', { class: 'case-desc' }, c.description) : el('p', { class: 'case-desc muted' }, 'No description.'),
    el('h3', {}, 'Clips'),
    clipsTable(c),
    clipForm(),
    el('h3', { class: 'spaced' }, 'Evidence packages'),
    packagesSection(c),
  );
}

function clipsTable(c) {
  if (!c.clips.length) return el('div', { class: 'empty', 'data-testid': 'no-clips' }, 'No clips yet: add footage below.');
  const rows = [];
  for (const k of c.clips) {
    rows.push(el('tr', { 'data-testid': 'clip-row', dataset: { id: String(k.id) } },
      el('td', {}, camLabel(k.agent, k.camera)),
      el('td', {}, rangeCell(k.from, k.to)),
      el('td', { class: 'num' }, duration(k.durationSeconds), el('div', { class: 'muted small' }, bytes(k.bytes))),
      el('td', {}, k.reason),
      el('td', {}, hash(k.sha256)),
      el('td', { class: 'small' }, k.addedBy, el('div', { class: 'muted', title: utc(k.added) }, local(k.added).slice(0, 16)))));
    if (k.gaps?.length) {
      const total = k.gaps.reduce((a, g) => a + (Date.parse(g.to) - Date.parse(g.from)), 0) / 1000;
      rows.push(el('tr', { class: 'gap-row' }, el('td', { colspan: '6' }, el('div', { class: 'gap-warning', 'data-testid': 'clip-gaps' },
        `This clip has ${k.gaps.length} gap${k.gaps.length === 1 ? '' : 's'} without recording (${duration(total)} missing): `,
        k.gaps.map((g) => `${utc(g.from)} to ${utc(g.to)}`).join('; ')))));
    }
  }
  return el('div', { class: 'table-scroll' }, table(['Camera', 'UTC from – to', el('th', { class: 'num' }, 'Duration'), 'Reason', 'SHA-256', 'Added'], rows, { class: 'compact clips' }));
}

/** "2026-11-23 03:09:11–03:09:23Z" (the date once when both ends share it), local time under it. */
function rangeCell(from, to) {
  const f = utc(from), t = utc(to), lf = local(from), lt = local(to);
  const sameDay = f.slice(0, 10) === t.slice(0, 10), sameLocal = lf.slice(0, 10) === lt.slice(0, 10);
  return el('span', { class: 'when2 range' },
    el('span', { class: 'mono' }, sameDay ? `${f.slice(0, 19)}–${t.slice(11)}` : `${f} – ${t}`),
    el('span', { class: 'muted small' }, `local ${sameLocal ? `${lf}–${lt.slice(11)}` : `${lf} – ${lt}`}`));
}

function clipForm() {
  const now = Date.now();
  const fromIn = el('input', { type: 'datetime-local', step: '1', id: 'clip-from', 'data-testid': 'clip-from', required: true, value: datetimeLocalValue(now - 120_000) });
  const toIn = el('input', { type: 'datetime-local', step: '1', id: 'clip-to', 'data-testid': 'clip-to', required: true, value: datetimeLocalValue(now - 60_000) });
  const fromNote = el('div', { class: 'utc-note', id: 'clip-from-utc' });
  const toNote = el('div', { class: 'utc-note', id: 'clip-to-utc' });
  const update = () => {
    const f = fromDatetimeLocal(fromIn.value), t = fromDatetimeLocal(toIn.value);
    fromNote.textContent = f ? `UTC ${utc(f)}` : 'not a time';
    toNote.textContent = t ? `UTC ${utc(t)}${f && t > f ? ` · ${duration((t - f) / 1000)}` : f && t <= f ? ' · must be after From' : ''}` : 'not a time';
  };
  fromIn.addEventListener('input', update);
  toIn.addEventListener('input', update);
  update();
  const cam = el('select', { id: 'clip-camera', 'data-testid': 'clip-camera', required: true },
    state.cameras.length
      ? state.cameras.map((c, i) => el('option', { value: String(i) }, `${c.agentName || c.agent} — ${c.name || c.camera}${c.reachable === false ? ' (agent not answering)' : ''}`))
      : el('option', { value: '' }, 'No cameras'));
  const reason = el('input', { id: 'clip-reason', 'data-testid': 'clip-reason', required: true, maxlength: '1000', placeholder: 'Why this footage belongs to the case' });
  const button = el('button', { type: 'submit', id: 'clip-add', 'data-testid': 'clip-add' }, 'Add clip');
  const result = el('div', { id: 'clip-result' });
  const form = el('form', { class: 'clip-form card inset', id: 'clip-form' },
    el('h3', {}, 'Add a clip'),
    el('div', { class: 'clip-grid' },
      el('label', { class: 'cam' }, 'Camera', cam),
      el('label', {}, 'From (local time)', fromIn, fromNote),
      el('label', {}, 'To (local time)', toIn, toNote),
      el('label', { class: 'reason' }, 'Reason (required)', reason),
      el('div', { class: 'submit' }, button)),
    el('div', { class: 'muted small' }, `Times are in your time zone (${zoneName()}) and are sent as UTC.`),
    result);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); addClip(cam, fromIn, toIn, reason, button, result); });
  return form;
}

async function addClip(cam, fromIn, toIn, reason, button, result) {
  const c = state.cameras[Number(cam.value)];
  const f = fromDatetimeLocal(fromIn.value), t = fromDatetimeLocal(toIn.value);
  const why = reason.value.trim();
  const fail = (title, text) => result.replaceChildren(el('div', { class: 'error-box', 'data-testid': 'clip-error' }, el('strong', {}, title), ' ', text));
  if (!c) return fail('No camera.', 'Choose the camera the footage comes from.');
  if (!f || !t) return fail('Times missing.', 'Give both From and To.');
  if (t <= f) return fail('Empty range.', `To (${utc(t)}) must be after From (${utc(f)}).`);
  if (!why) return fail('Reason missing.', 'Say why this footage belongs to the case.');
  button.disabled = true;
  result.replaceChildren(el('div', { class: 'muted' }, `Cutting ${duration((t - f) / 1000)} of ${c.name || c.camera} on agent ${c.agentName || c.agent} and copying it here…`));
  try {
    const clip = await api(`/api/cases/${state.current.id}/clips`, { method: 'POST', body: { agent: c.agent, camera: c.camera, from: f.toISOString(), to: t.toISOString(), reason: why } });
    await openCase(state.current.id);
    await loadCases();
    say(`Clip added: ${duration(clip.durationSeconds)} from ${utc(clip.from)}, SHA-256 ${clip.sha256.slice(0, 12)}…${clip.gaps?.length ? ` (with ${clip.gaps.length} gap(s) without recording)` : ''}.`, clip.gaps?.length ? '' : 'ok');
  } catch (e) {
    const title = e.status === 404 ? 'No footage there.' : e.status === 502 ? 'The agent could not deliver the clip.' : e.status === 400 ? 'The clip was refused.' : 'The clip was not added.';
    fail(title, e.message);
    say(`${title} ${e.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

function packagesSection(c) {
  const button = el('button', { type: 'button', id: 'package-create', 'data-testid': 'package-create', disabled: c.clips.length === 0, title: c.clips.length ? 'Signs the case, its clips and their hashes into one zip' : 'Add a clip first' }, 'Create evidence package');
  const out = el('div', { id: 'package-result' });
  if (state.lastPackage) out.append(packageBox(state.lastPackage));
  button.addEventListener('click', async () => {
    button.disabled = true;
    out.replaceChildren(el('div', { class: 'muted' }, 'Packaging and signing…'));
    try {
      const p = await api(`/api/cases/${state.current.id}/packages`, { method: 'POST' });
      state.lastPackage = p;
      await openCase(state.current.id, { keepPackage: true });
      await loadCases();
      say(`Evidence package ${p.file} created.`, 'ok');
    } catch (e) {
      out.replaceChildren(el('div', { class: 'error-box' }, el('strong', {}, 'No package was made.'), ' ', e.message));
      say(`No package was made: ${e.message}`, 'error');
      button.disabled = false;
    }
  });
  const earlier = c.packages.filter((p) => p.id !== state.lastPackage?.id);
  const list = earlier.length
    ? el('div', { class: 'table-scroll' }, table(['File', 'SHA-256', el('th', { class: 'num' }, 'Size'), 'Made', ''],
      [...earlier].sort((a, b) => Date.parse(b.created) - Date.parse(a.created)).map((p) => el('tr', { 'data-testid': 'package-row' },
        el('td', { class: 'mono' }, p.file),
        el('td', {}, hash(p.sha256)),
        el('td', { class: 'num' }, bytes(p.bytes)),
        el('td', { class: 'small' }, p.createdBy, el('div', { class: 'muted', title: utc(p.created) }, local(p.created).slice(0, 16))),
        el('td', {}, el('a', { href: p.download, download: p.file, 'data-testid': 'package-link' }, 'Download')))), { class: 'compact' }))
    : el('div', { class: 'empty' }, state.lastPackage ? 'No earlier packages.' : 'No packages yet.');
  return el('div', {}, el('div', { class: 'row' }, button, el('span', { class: 'muted small' }, 'The package holds the clips, their SHA-256 hashes and a signed manifest; anyone can check it on the Verify page.')), out,
    el('h3', { class: 'spaced' }, state.lastPackage ? 'Earlier packages' : 'Packages'), list);
}

function packageBox(p) {
  return el('div', { class: 'package-box', 'data-testid': 'package-result' },
    el('div', {}, el('strong', { class: 'ok-text' }, 'Evidence package ready: '), el('span', { class: 'mono' }, p.file)),
    el('div', { class: 'small muted' }, `SHA-256 of the zip (note it with the case):`),
    el('code', { class: 'mono', 'data-testid': 'package-sha256' }, p.sha256),
    el('div', { class: 'row' },
      el('a', { class: 'button', href: p.download, download: p.file, 'data-testid': 'package-download' }, `Download (${bytes(p.bytes)})`),
      el('span', { class: 'muted small' }, `made by ${p.createdBy} at ${local(p.created)} local (${utc(p.created)})`)));
}

// ---------- start ----------

async function main() {
  await start('export');
  $('case-form').addEventListener('submit', createCase);
  const [cams] = await Promise.all([
    api('/api/cameras').catch((e) => { say(`The camera list could not be loaded: ${e.message}`, 'error'); return []; }),
    loadCases().catch((e) => say(`The cases could not be loaded: ${e.message}`, 'error')),
  ]);
  state.cameras = cams || [];
  const id = new URLSearchParams(location.search).get('case');
  if (id) await openCase(id);
  ready();
}

main().catch((e) => { if (e?.status !== 401 && e?.status !== 403) say(e.message, 'error'); });
