// Cases: investigators collect clips of footage under a case number and export signed evidence packages.
import { api, start, el, say } from './api.js';
import { utc, local, duration, bytes, hash, timeCell, table, datetimeLocalValue, fromDatetimeLocal, zoneName, ready } from './review-util.js';
import { wallDate, wallTime, wallHm } from './clock.js';
import { t, tn } from './i18n.js';

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
  if (!state.cases.length) { box.replaceChildren(el('div', { class: 'empty' }, t('cases.none'))); return; }
  const rows = [...state.cases].sort((a, b) => Date.parse(b.created) - Date.parse(a.created)).map((c) => {
    const tr = el('tr', { 'data-testid': 'case-row', dataset: { number: c.number, id: String(c.id) }, class: state.current?.id === c.id ? 'selected' : '', tabindex: '0' },
      el('td', { translate: 'no' }, el('div', { class: 'num-label' }, c.number), el('div', { class: 'muted small' }, c.description.length > 70 ? c.description.slice(0, 70) + '…' : c.description)),
      el('td', { class: 'num' }, String(c.clips)),
      el('td', { class: 'num' }, String(c.packages)),
      el('td', { class: 'small nowrap', title: t('cases.createdTitle', { local: local(c.created), utc: utc(c.created) }) }, dayHm(c.created)));
    tr.addEventListener('click', () => openCase(c.id));
    tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') openCase(c.id); });
    return tr;
  });
  box.replaceChildren(table([t('cases.col.case'), el('th', { class: 'num' }, t('cases.clips')), el('th', { class: 'num' }, t('cases.col.packages')), t('cases.col.created')], rows, { class: 'case-list compact' }));
}

/** "01/12/2026 21:16" (or "2026-12-01 21:16"): the park's date and time to the minute. */
function dayHm(at) {
  return `${wallDate(at)} ${wallHm(at)}`;
}

async function createCase(ev) {
  ev.preventDefault();
  const number = $('case-number').value.trim();
  const description = $('case-description').value.trim();
  const status = $('case-form-status');
  if (!number) { say(t('cases.needsNumber'), 'error', status); return; }
  $('case-create').disabled = true;
  try {
    const c = await api('/api/cases', { method: 'POST', body: { number, description } });
    say(t('cases.createdOk', { number: c.number }), 'ok', status);
    $('case-form').reset();
    await loadCases();
    await openCase(c.id);
  } catch (e) {
    say(e.status === 409 ? t('cases.notCreated409', { why: e.message }) : t('cases.notCreated', { why: e.message }), 'error', status);
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
    say(t('cases.openFail', { id, why: e.message }), 'error');
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
      el('h2', { 'data-testid': 'case-title' }, t('cases.caseTitle', { number: c.number })),
      el('span', { class: 'pill' }, tn('cases.clipCount', c.clips.length)),
      el('span', { class: 'pill' }, tn('cases.packageCount', c.packages.length))),
    el('div', { class: 'case-meta muted small' }, t('cases.openedBy', { name: c.createdBy, local: local(c.created), utc: utc(c.created) })),
    c.description ? el('p', { class: 'case-desc', translate: 'no' }, c.description) : el('p', { class: 'case-desc muted' }, t('cases.noDescription')),
    el('h3', {}, t('cases.clips')),
    clipsTable(c),
    clipForm(),
    el('h3', { class: 'spaced' }, t('cases.packagesTitle')),
    packagesSection(c),
  );
}

function clipsTable(c) {
  if (!c.clips.length) return el('div', { class: 'empty', 'data-testid': 'no-clips' }, t('cases.noClips'));
  const rows = [];
  for (const k of c.clips) {
    rows.push(el('tr', { 'data-testid': 'clip-row', dataset: { id: String(k.id) } },
      el('td', { translate: 'no' }, camLabel(k.agent, k.camera)),
      el('td', {}, rangeCell(k.from, k.to)),
      el('td', { class: 'num' }, duration(k.durationSeconds), el('div', { class: 'muted small' }, bytes(k.bytes))),
      el('td', { translate: 'no' }, k.reason),
      el('td', { translate: 'no' }, hash(k.sha256)),
      el('td', { class: 'small', translate: 'no' }, k.addedBy, el('div', { class: 'muted', title: utc(k.added) }, dayHm(k.added)))));
    if (k.gaps?.length) {
      const total = k.gaps.reduce((a, g) => a + (Date.parse(g.to) - Date.parse(g.from)), 0) / 1000;
      rows.push(el('tr', { class: 'gap-row' }, el('td', { colspan: '6' }, el('div', { class: 'gap-warning', 'data-testid': 'clip-gaps' },
        tn('cases.gaps', k.gaps.length, { missing: duration(total), list: k.gaps.map((g) => t('cases.gapRange', { from: utc(g.from), to: utc(g.to) })).join('; ') })))));
    }
  }
  return el('div', { class: 'table-scroll' }, table([t('common.camera'), t('cases.col.range'), el('th', { class: 'num' }, t('cases.col.duration')), t('cases.col.reason'),
    t('cases.col.sha'), t('cases.col.added')], rows, { class: 'compact clips' }));
}

/** "2026-11-23 03:09:11–03:09:23Z" (the date once when both ends share it), local time under it. */
function rangeCell(from, to) {
  // utc() is always "2026-11-23 03:09:11Z", whatever the language: its parts may be taken by position.
  const f = utc(from), u = utc(to), lf = local(from), lt = local(to);
  const sameDay = f.slice(0, 10) === u.slice(0, 10), sameLocal = wallDate(from) === wallDate(to);
  return el('span', { class: 'when2 range' },
    el('span', { class: 'mono', translate: 'no' }, sameDay ? `${f.slice(0, 19)}–${u.slice(11)}` : `${f} – ${u}`),
    el('span', { class: 'muted small' }, t('cases.localRange', { range: sameLocal ? `${lf}–${wallTime(to)}` : `${lf} – ${lt}` })));
}

function clipForm() {
  const now = Date.now();
  const fromIn = el('input', { type: 'datetime-local', step: '1', id: 'clip-from', 'data-testid': 'clip-from', required: true, value: datetimeLocalValue(now - 120_000) });
  const toIn = el('input', { type: 'datetime-local', step: '1', id: 'clip-to', 'data-testid': 'clip-to', required: true, value: datetimeLocalValue(now - 60_000) });
  const fromNote = el('div', { class: 'utc-note', id: 'clip-from-utc' });
  const toNote = el('div', { class: 'utc-note', id: 'clip-to-utc' });
  const update = () => {
    const f = fromDatetimeLocal(fromIn.value), u = fromDatetimeLocal(toIn.value);
    fromNote.textContent = f ? t('cases.utcNote', { time: utc(f) }) : t('cases.notTime');
    toNote.textContent = !u ? t('cases.notTime')
      : f && u > f ? t('cases.utcNoteDuration', { time: utc(u), duration: duration((u - f) / 1000) })
        : f ? t('cases.utcNoteAfter', { time: utc(u) }) : t('cases.utcNote', { time: utc(u) });
  };
  fromIn.addEventListener('input', update);
  toIn.addEventListener('input', update);
  update();
  const cam = el('select', { id: 'clip-camera', 'data-testid': 'clip-camera', required: true },
    state.cameras.length
      ? state.cameras.map((c, i) => {
        const name = `${c.agentName || c.agent} — ${c.name || c.camera}`;
        return c.reachable === false
          ? el('option', { value: String(i) }, t('cases.camDown', { camera: name }))
          : el('option', { value: String(i), translate: 'no' }, name);
      })
      : el('option', { value: '' }, t('cases.noCameras')));
  const reason = el('input', { id: 'clip-reason', 'data-testid': 'clip-reason', required: true, maxlength: '1000', placeholder: t('cases.reasonHint') });
  const button = el('button', { type: 'submit', id: 'clip-add', 'data-testid': 'clip-add' }, t('cases.addClip'));
  const result = el('div', { id: 'clip-result' });
  const form = el('form', { class: 'clip-form card inset', id: 'clip-form' },
    el('h3', {}, t('cases.addClipTitle')),
    el('div', { class: 'clip-grid' },
      el('label', { class: 'cam' }, t('common.camera'), cam),
      el('label', {}, t('cases.from'), fromIn, fromNote),
      el('label', {}, t('cases.to'), toIn, toNote),
      el('label', { class: 'reason' }, t('cases.reason'), reason),
      el('div', { class: 'submit' }, button)),
    el('div', { class: 'muted small' }, t('cases.zoneNote', { zone: zoneName() })),
    result);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); addClip(cam, fromIn, toIn, reason, button, result); });
  return form;
}

async function addClip(cam, fromIn, toIn, reason, button, result) {
  const c = state.cameras[Number(cam.value)];
  const f = fromDatetimeLocal(fromIn.value), u = fromDatetimeLocal(toIn.value);
  const why = reason.value.trim();
  const fail = (title, text) => result.replaceChildren(el('div', { class: 'error-box', 'data-testid': 'clip-error' }, el('strong', {}, title), ' ', text));
  if (!c) return fail(t('cases.err.noCamera'), t('cases.err.noCameraHelp'));
  if (!f || !u) return fail(t('cases.err.noTimes'), t('cases.err.noTimesHelp'));
  if (u <= f) return fail(t('cases.err.empty'), t('cases.err.emptyHelp', { from: utc(f), to: utc(u) }));
  if (!why) return fail(t('cases.err.noReason'), t('cases.err.noReasonHelp'));
  button.disabled = true;
  result.replaceChildren(el('div', { class: 'muted' }, t('cases.cutting', { duration: duration((u - f) / 1000), camera: c.name || c.camera, agent: c.agentName || c.agent })));
  try {
    const clip = await api(`/api/cases/${state.current.id}/clips`, { method: 'POST', body: { agent: c.agent, camera: c.camera, from: f.toISOString(), to: u.toISOString(), reason: why } });
    await openCase(state.current.id);
    await loadCases();
    const added = { duration: duration(clip.durationSeconds), from: utc(clip.from), sha: clip.sha256.slice(0, 12), n: clip.gaps?.length || 0 };
    say(clip.gaps?.length ? t('cases.clipAddedGaps', added) : t('cases.clipAdded', added), clip.gaps?.length ? '' : 'ok');
  } catch (e) {
    const title = e.status === 404 ? t('cases.err.noFootage') : e.status === 502 ? t('cases.err.agent') : e.status === 400 ? t('cases.err.refused') : t('cases.err.notAdded');
    // The server's own words: shown as it sends them.
    fail(title, el('span', { translate: 'no' }, e.message));
    say(t('cases.failWhy', { title, why: e.message }), 'error');
  } finally {
    button.disabled = false;
  }
}

function packagesSection(c) {
  const button = el('button', { type: 'button', id: 'package-create', 'data-testid': 'package-create', disabled: c.clips.length === 0,
    title: c.clips.length ? t('cases.package.createTitle') : t('cases.package.needClip') }, t('cases.package.create'));
  const out = el('div', { id: 'package-result' });
  if (state.lastPackage) out.append(packageBox(state.lastPackage));
  button.addEventListener('click', async () => {
    button.disabled = true;
    out.replaceChildren(el('div', { class: 'muted' }, t('cases.package.making')));
    try {
      const p = await api(`/api/cases/${state.current.id}/packages`, { method: 'POST' });
      state.lastPackage = p;
      await openCase(state.current.id, { keepPackage: true });
      await loadCases();
      say(t('cases.package.made', { file: p.file }), 'ok');
    } catch (e) {
      out.replaceChildren(el('div', { class: 'error-box' }, el('strong', {}, t('cases.package.fail')), ' ', el('span', { translate: 'no' }, e.message)));
      say(t('cases.package.failWhy', { why: e.message }), 'error');
      button.disabled = false;
    }
  });
  const earlier = c.packages.filter((p) => p.id !== state.lastPackage?.id);
  const list = earlier.length
    ? el('div', { class: 'table-scroll' }, table([t('cases.col.file'), t('cases.col.sha'), el('th', { class: 'num' }, t('cases.col.size')), t('cases.col.made'), ''],
      [...earlier].sort((a, b) => Date.parse(b.created) - Date.parse(a.created)).map((p) => el('tr', { 'data-testid': 'package-row' },
        el('td', { class: 'mono', translate: 'no' }, p.file),
        el('td', { translate: 'no' }, hash(p.sha256)),
        el('td', { class: 'num' }, bytes(p.bytes)),
        el('td', { class: 'small', translate: 'no' }, p.createdBy, el('div', { class: 'muted', title: utc(p.created) }, dayHm(p.created))),
        el('td', {}, el('a', { href: p.download, download: p.file, 'data-testid': 'package-link' }, t('common.download'))))), { class: 'compact' }))
    : el('div', { class: 'empty' }, state.lastPackage ? t('cases.package.noEarlier') : t('cases.package.none'));
  return el('div', {}, el('div', { class: 'row' }, button, el('span', { class: 'muted small' }, t('cases.package.help'))), out,
    el('h3', { class: 'spaced' }, state.lastPackage ? t('cases.package.earlier') : t('cases.packagesHead')), list);
}

function packageBox(p) {
  return el('div', { class: 'package-box', 'data-testid': 'package-result' },
    el('div', {}, el('strong', { class: 'ok-text' }, t('cases.package.ready')), ' ', el('span', { class: 'mono', translate: 'no' }, p.file)),
    el('div', { class: 'small muted' }, t('cases.package.shaNote')),
    el('code', { class: 'mono', 'data-testid': 'package-sha256', translate: 'no' }, p.sha256),
    el('div', { class: 'row' },
      el('a', { class: 'button', href: p.download, download: p.file, 'data-testid': 'package-download' }, t('cases.package.download', { size: bytes(p.bytes) })),
      el('span', { class: 'muted small' }, t('cases.package.madeBy', { name: p.createdBy, local: local(p.created), utc: utc(p.created) }))));
}

// ---------- start ----------

async function main() {
  await start('export');
  $('case-form').addEventListener('submit', createCase);
  const [cams] = await Promise.all([
    api('/api/cameras').catch((e) => { say(t('cases.camerasFail', { why: e.message }), 'error'); return []; }),
    loadCases().catch((e) => say(t('cases.casesFail', { why: e.message }), 'error')),
  ]);
  state.cameras = cams || [];
  const id = new URLSearchParams(location.search).get('case');
  if (id) await openCase(id);
  ready();
}

main().catch((e) => { if (e?.status !== 401 && e?.status !== 403) say(e.message, 'error'); });
