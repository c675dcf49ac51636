// Plate lists: allowed vehicles, the watchlist of denied ones, expected visitors. Admins add, edit, delete and
// import them (a CSV file is all or nothing: its bad lines are listed and nothing is stored), set each gate's
// policy and the matching settings; reviewers and investigators see the lists read-only.
import { api, ApiError, start, el, say, may } from './api.js';
import { timeCell, table, ready } from './review-util.js';
import { t, tn } from './i18n.js';

const $ = (id) => document.getElementById(id);

/**
 * The lists' fields, as the API names them (GET /api/plates/lists gives the CSV columns). Their words are asked for
 * when shown: the language is the user's only once /api/me has answered.
 */
const LISTS = {
  denied: {
    title: () => t('plates.denied.title'),
    note: () => t('plates.denied.note'),
    confirm: (plate) => t('plates.denied.confirm', { plate }),
    fields: [{ key: 'reason', label: () => t('plates.field.reason'), required: true, wide: true }],
  },
  allowed: {
    title: () => t('plates.allowed.title'),
    note: () => t('plates.allowed.note'),
    confirm: (plate) => t('plates.allowed.confirm', { plate }),
    fields: [
      { key: 'owner', label: () => t('plates.field.owner'), required: true },
      { key: 'company', label: () => t('plates.field.company') },
      { key: 'validFrom', label: () => t('plates.field.validFrom'), type: 'date' },
      { key: 'validTo', label: () => t('plates.field.validTo'), type: 'date' },
    ],
  },
  visitors: {
    title: () => t('plates.visitors.title'),
    note: () => t('plates.visitors.note'),
    confirm: (plate) => t('plates.visitors.confirm', { plate }),
    fields: [
      { key: 'host', label: () => t('plates.field.host'), required: true },
      { key: 'day', label: () => t('plates.field.day'), type: 'date', required: true },
    ],
  },
};

/** A gate policy as people read it; one the page does not know is null (shown as sent, as data). */
function policyLabel(policy) {
  switch (policy) {
    case 'log': return t('plates.policy.log');
    case 'alert-denied': return t('plates.policy.alertDenied');
    case 'alert-unlisted': return t('plates.policy.alertUnlisted');
    default: return null;
  }
}

const state = { me: null, list: 'denied', entries: [], editing: null, columns: {} };
const admin = () => may(state.me, 'administer');

// ---------- lists ----------

function tabs() {
  $('tabs').replaceChildren(...Object.entries(LISTS).map(([name, l]) => el('button', {
    type: 'button', role: 'tab', class: name === state.list ? '' : 'secondary', 'aria-selected': String(name === state.list),
    'data-testid': `list-tab-${name}`, onclick: () => { state.list = name; showList(); },
  }, l.title())));
}

async function showList() {
  const l = LISTS[state.list];
  tabs();
  cancelEdit();
  $('list-note').textContent = l.note();
  $('export').href = `/api/plates/lists/${state.list}/export`;
  $('entry-fields').replaceChildren(...l.fields.map((f) => el('label', { class: f.wide ? 'wide' : '' }, f.label(),
    el('input', { id: `field-${f.key}`, 'data-testid': `entry-${f.key}`, type: f.type || 'text', required: f.required, maxlength: f.type ? undefined : 200 }))));
  $('import-note').textContent = t('plates.importNote', { columns: state.columns[state.list] || '' });
  $('import-report').replaceChildren();
  await loadEntries();
}

async function loadEntries() {
  const l = LISTS[state.list];
  state.entries = await api(`/api/plates/lists/${state.list}`);
  const head = [t('plates.plate'), ...l.fields.map((f) => f.label()), t('plates.col.added'), ...(admin() ? [''] : [])];
  $('entries').replaceChildren(state.entries.length
    ? table(head, state.entries.map((e) => el('tr', { 'data-testid': 'entry-row', dataset: { id: String(e.id), plate: e.normalized } },
      el('td', {}, el('span', { class: 'plate-text', translate: 'no' }, e.plate)),
      ...l.fields.map((f) => el('td', { class: f.wide ? 'detail' : '', translate: 'no' }, e[f.key] ?? el('span', { class: 'muted' }, '—'))),
      el('td', { class: 'small' }, el('span', { translate: 'no' }, e.addedBy), timeCell(e.added)),
      admin() ? el('td', { class: 'nowrap' },
        el('button', { type: 'button', class: 'secondary small', 'data-testid': 'entry-edit', onclick: () => edit(e) }, t('plates.edit')), ' ',
        el('button', { type: 'button', class: 'danger small', 'data-testid': 'entry-delete', onclick: () => remove(e) }, t('plates.delete'))) : null)),
    { class: 'compact' })
    : el('div', { class: 'empty' }, t('plates.empty')));
}

function edit(e) {
  state.editing = e;
  $('form-title').textContent = t('plates.editTitle', { plate: e.plate });
  $('entry-plate').value = e.plate;
  for (const f of LISTS[state.list].fields) $(`field-${f.key}`).value = e[f.key] ?? '';
  $('entry-save').textContent = t('plates.saveChanges');
  $('entry-cancel').hidden = false;
  $('entry-plate').focus();
}

function cancelEdit() {
  state.editing = null;
  $('entry-form').reset();
  $('form-title').textContent = t('plates.add');
  $('entry-save').textContent = t('plates.add');
  $('entry-cancel').hidden = true;
  say('', '', $('entry-status'));
}

async function save(ev) {
  ev.preventDefault();
  const body = { plate: $('entry-plate').value.trim() };
  for (const f of LISTS[state.list].fields) body[f.key] = $(`field-${f.key}`).value.trim() || null;
  const editing = state.editing;
  $('entry-save').disabled = true;
  try {
    const saved = editing
      ? await api(`/api/plates/lists/${state.list}/${editing.id}`, { method: 'PUT', body })
      : await api(`/api/plates/lists/${state.list}`, { method: 'POST', body });
    cancelEdit();
    say(editing ? t('plates.saved', { plate: saved.plate }) : t('plates.added', { plate: saved.plate }), 'ok', $('entry-status'));
    await loadEntries();
  } catch (e) {
    say(editing ? t('plates.notSaved', { why: e.message }) : t('plates.notAdded', { why: e.message }), 'error', $('entry-status'));
  } finally {
    $('entry-save').disabled = false;
  }
}

async function remove(e) {
  if (!confirm(LISTS[state.list].confirm(e.plate))) return;
  try {
    await api(`/api/plates/lists/${state.list}/${e.id}`, { method: 'DELETE' });
    say(t('plates.deleted', { plate: e.plate }), 'ok', $('entry-status'));
    await loadEntries();
  } catch (err) {
    say(t('plates.notDeleted', { why: err.message }), 'error', $('entry-status'));
  }
}

async function importFile(dryRun) {
  const file = $('import-file').files[0];
  if (!file) { say(t('plates.chooseFile'), 'error', $('entry-status')); return; }
  const q = new URLSearchParams();
  if ($('import-replace').checked) q.set('replace', 'true');
  if (dryRun) q.set('dryRun', 'true');
  const report = $('import-report');
  report.replaceChildren(el('div', { class: 'muted' }, dryRun ? t('plates.checking') : t('plates.importing')));
  try {
    const r = await api(`/api/plates/lists/${state.list}/import?${q}`, { method: 'POST', form: new Blob([await file.text()], { type: 'text/csv' }) });
    report.replaceChildren(el('div', { class: r.stored ? 'package-box' : 'chain ok', 'data-testid': 'import-ok' }, r.stored
      ? (r.replace ? t('plates.imported.replacing', { n: r.entries, replaced: r.replaced }) : t('plates.imported', { n: r.entries }))
      : (r.replace ? t('plates.fine.replacing', { n: r.entries, replaced: r.replaced }) : t('plates.fine', { n: r.entries }))));
    if (r.stored) { $('import-form').reset(); await loadEntries(); }
  } catch (e) {
    const problems = e instanceof ApiError ? e.body?.problems : null;
    report.replaceChildren(el('div', { class: 'error-box', 'data-testid': 'import-problems' },
      el('strong', {}, problems ? tn('plates.problems', problems.length) : t('plates.notImported')),
      ' ', problems ? t('plates.correctLines') : e.message,
      problems ? table([t('plates.col.line'), t('plates.col.problem')], problems.map((p) => el('tr', { 'data-testid': 'import-problem', dataset: { line: String(p.line) } },
        el('td', { class: 'num' }, p.line ? String(p.line) : '—'), el('td', {}, p.problem))), { class: 'compact' }) : null));
  }
}

// ---------- policies and settings ----------

async function loadPolicies() {
  const [cameras, set] = await Promise.all([api('/api/admin/cameras'), api('/api/plates/policies')]);
  const policy = new Map(set.cameras.map((p) => [`${p.agent}/${p.camera}`, p]));
  const rows = cameras.filter((c) => c.camera).map((c) => ({ agent: c.agent, camera: c.camera, name: c.name }));
  // A policy set for a camera its agent does not list now (it is offline) still shows.
  for (const p of set.cameras) if (!rows.some((r) => r.agent === p.agent && r.camera === p.camera)) rows.push({ agent: p.agent, camera: p.camera, name: p.camera });
  $('policies').replaceChildren(rows.length
    ? table([t('common.camera'), t('plates.col.policy'), t('plates.col.set')], rows.map((r) => {
      const p = policy.get(`${r.agent}/${r.camera}`);
      const select = el('select', { 'data-testid': 'policy', dataset: { agent: r.agent, camera: r.camera }, 'aria-label': t('plates.policyFor', { camera: r.name }) },
        set.policies.map((v) => el('option', { value: v, selected: (p?.policy || set.default) === v, translate: policyLabel(v) ? null : 'no' }, policyLabel(v) ?? v)));
      select.addEventListener('change', () => setPolicy(r, select));
      return el('tr', { 'data-testid': 'policy-row', dataset: { agent: r.agent, camera: r.camera } },
        el('td', { translate: 'no' }, r.name, el('div', { class: 'muted small mono' }, `${r.agent}/${r.camera}`)),
        el('td', {}, select),
        p ? el('td', { class: 'small muted' }, el('span', { translate: 'no' }, p.setBy), ', ', timeCell(p.set)) : el('td', { class: 'small muted' }, t('plates.default')));
    }), { class: 'compact' })
    : el('div', { class: 'empty' }, t('plates.noCameras')));
}

async function setPolicy(r, select) {
  select.disabled = true;
  try {
    await api(`/api/plates/policies/${encodeURIComponent(r.agent)}/${encodeURIComponent(r.camera)}`, { method: 'PUT', body: { policy: select.value } });
    say(t('plates.policySet', { camera: r.name, policy: policyLabel(select.value) ?? select.value }), 'ok');
    await loadPolicies();
  } catch (e) {
    say(t('plates.policyFailed', { why: e.message }), 'error');
    await loadPolicies();
  } finally {
    select.disabled = false;
  }
}

async function loadSettings() {
  const s = await api('/api/plates/settings');
  $('max-distance').value = String(s.maxDistance);
  $('time-zone').value = s.timeZone;
  $('retention').textContent = t('plates.retention', { days: s.retentionDays });
}

async function saveSettings(ev) {
  ev.preventDefault();
  try {
    await api('/api/plates/settings', { method: 'PUT', body: { maxDistance: Number($('max-distance').value), timeZone: $('time-zone').value.trim() } });
    say(t('plates.settingsSaved'), 'ok', $('settings-status'));
  } catch (e) {
    say(t('plates.notSaved', { why: e.message }), 'error', $('settings-status'));
  }
}

async function main() {
  state.me = await start(['administer', 'review']);
  for (const e of document.querySelectorAll('.admin-only')) e.hidden = !admin();
  try {
    for (const l of await api('/api/plates/lists')) state.columns[l.list] = l.columns;
  } catch { /* the import note goes without the columns */ }
  $('entry-form').addEventListener('submit', save);
  $('entry-cancel').addEventListener('click', cancelEdit);
  $('import-form').addEventListener('submit', (ev) => { ev.preventDefault(); importFile(false); });
  $('import-check').addEventListener('click', () => importFile(true));
  $('settings-form').addEventListener('submit', saveSettings);
  const jobs = [showList()];
  if (admin()) jobs.push(loadPolicies(), loadSettings());
  const results = await Promise.allSettled(jobs);
  const bad = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
  if (bad.length) say(t('plates.partlyLoaded', { why: bad.join('; ') }), 'error');
  ready();
}

main().catch((e) => { if (e?.status !== 401 && e?.status !== 403) say(e.message, 'error'); });
