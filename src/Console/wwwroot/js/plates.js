// Plate lists: allowed vehicles, the watchlist of denied ones, expected visitors. Admins add, edit, delete and
// import them (a CSV file is all or nothing: its bad lines are listed and nothing is stored), set each gate's
// policy and the matching settings; reviewers and investigators see the lists read-only.
import { api, ApiError, start, el, say, may } from './api.js';
import { timeCell, table, ready } from './review-util.js';

const $ = (id) => document.getElementById(id);

/** The lists' fields, as the API names them (GET /api/plates/lists gives the CSV columns). */
const LISTS = {
  denied: {
    title: 'Denied (watchlist)',
    note: 'Vehicles the guards must be told about. A read within the matching distance of one of these is "denied".',
    fields: [{ key: 'reason', label: 'Reason', required: true, wide: true }],
  },
  allowed: {
    title: 'Allowed',
    note: 'Staff and suppliers. Validity dates are optional and both included; outside them the vehicle counts as on no list.',
    fields: [
      { key: 'owner', label: 'Owner', required: true },
      { key: 'company', label: 'Company' },
      { key: 'validFrom', label: 'Valid from', type: 'date' },
      { key: 'validTo', label: 'Valid to', type: 'date' },
    ],
  },
  visitors: {
    title: 'Expected visitors',
    note: 'Visitors announced for one day (in the gates\' time zone). Entries for days past the retention period are deleted.',
    fields: [
      { key: 'host', label: 'Host', required: true },
      { key: 'day', label: 'Day', type: 'date', required: true },
    ],
  },
};

const state = { me: null, list: 'denied', entries: [], editing: null, columns: {} };
const admin = () => may(state.me, 'administer');

// ---------- lists ----------

function tabs() {
  $('tabs').replaceChildren(...Object.entries(LISTS).map(([name, l]) => el('button', {
    type: 'button', role: 'tab', class: name === state.list ? '' : 'secondary', 'aria-selected': String(name === state.list),
    'data-testid': `list-tab-${name}`, onclick: () => { state.list = name; showList(); },
  }, l.title)));
}

async function showList() {
  const l = LISTS[state.list];
  tabs();
  cancelEdit();
  $('list-note').textContent = l.note;
  $('export').href = `/api/plates/lists/${state.list}/export`;
  $('entry-fields').replaceChildren(...l.fields.map((f) => el('label', { class: f.wide ? 'wide' : '' }, f.label,
    el('input', { id: `field-${f.key}`, 'data-testid': `entry-${f.key}`, type: f.type || 'text', required: f.required, maxlength: f.type ? undefined : 200 }))));
  $('import-note').textContent = `The first line names the columns: ${state.columns[state.list] || ''}. added_by and added, which an export writes, are read past.`;
  $('import-report').replaceChildren();
  await loadEntries();
}

async function loadEntries() {
  const l = LISTS[state.list];
  state.entries = await api(`/api/plates/lists/${state.list}`);
  const head = ['Plate', ...l.fields.map((f) => f.label), 'Added', ...(admin() ? [''] : [])];
  $('entries').replaceChildren(state.entries.length
    ? table(head, state.entries.map((e) => el('tr', { 'data-testid': 'entry-row', dataset: { id: String(e.id), plate: e.normalized } },
      el('td', {}, el('span', { class: 'plate-text' }, e.plate)),
      ...l.fields.map((f) => el('td', { class: f.wide ? 'detail' : '' }, e[f.key] ?? el('span', { class: 'muted' }, '—'))),
      el('td', { class: 'small' }, e.addedBy, timeCell(e.added)),
      admin() ? el('td', { class: 'nowrap' },
        el('button', { type: 'button', class: 'secondary small', 'data-testid': 'entry-edit', onclick: () => edit(e) }, 'Edit'), ' ',
        el('button', { type: 'button', class: 'danger small', 'data-testid': 'entry-delete', onclick: () => remove(e) }, 'Delete')) : null)),
    { class: 'compact' })
    : el('div', { class: 'empty' }, 'This list is empty.'));
}

function edit(e) {
  state.editing = e;
  $('form-title').textContent = `Edit ${e.plate}`;
  $('entry-plate').value = e.plate;
  for (const f of LISTS[state.list].fields) $(`field-${f.key}`).value = e[f.key] ?? '';
  $('entry-save').textContent = 'Save changes';
  $('entry-cancel').hidden = false;
  $('entry-plate').focus();
}

function cancelEdit() {
  state.editing = null;
  $('entry-form').reset();
  $('form-title').textContent = 'Add';
  $('entry-save').textContent = 'Add';
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
    say(`${editing ? 'Saved' : 'Added'}: ${saved.plate}`, 'ok', $('entry-status'));
    await loadEntries();
  } catch (e) {
    say(`${editing ? 'Not saved' : 'Not added'}: ${e.message}`, 'error', $('entry-status'));
  } finally {
    $('entry-save').disabled = false;
  }
}

async function remove(e) {
  if (!confirm(`Delete ${e.plate} from the ${LISTS[state.list].title} list?`)) return;
  try {
    await api(`/api/plates/lists/${state.list}/${e.id}`, { method: 'DELETE' });
    say(`Deleted: ${e.plate}`, 'ok', $('entry-status'));
    await loadEntries();
  } catch (err) {
    say(`Not deleted: ${err.message}`, 'error', $('entry-status'));
  }
}

async function importFile(dryRun) {
  const file = $('import-file').files[0];
  if (!file) { say('Choose a CSV file first.', 'error', $('entry-status')); return; }
  const q = new URLSearchParams();
  if ($('import-replace').checked) q.set('replace', 'true');
  if (dryRun) q.set('dryRun', 'true');
  const report = $('import-report');
  report.replaceChildren(el('div', { class: 'muted' }, dryRun ? 'Checking…' : 'Importing…'));
  try {
    const r = await api(`/api/plates/lists/${state.list}/import?${q}`, { method: 'POST', form: new Blob([await file.text()], { type: 'text/csv' }) });
    report.replaceChildren(el('div', { class: r.stored ? 'package-box' : 'chain ok', 'data-testid': 'import-ok' }, r.stored
      ? `Imported ${r.entries} entries${r.replace ? `, replacing the ${r.replaced} there were` : ''}.`
      : `The file is fine: ${r.entries} entries would be imported${r.replace ? `, replacing the ${r.replaced} there are now` : ''}. Nothing was stored.`));
    if (r.stored) { $('import-form').reset(); await loadEntries(); }
  } catch (e) {
    const problems = e instanceof ApiError ? e.body?.problems : null;
    report.replaceChildren(el('div', { class: 'error-box', 'data-testid': 'import-problems' },
      el('strong', {}, problems ? `Nothing was stored: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the file.` : 'The file was not imported.'),
      problems ? ' Correct these lines and import the whole file again.' : ` ${e.message}`,
      problems ? table(['Line', 'Problem'], problems.map((p) => el('tr', { 'data-testid': 'import-problem', dataset: { line: String(p.line) } },
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
    ? table(['Camera', 'Policy', 'Set'], rows.map((r) => {
      const p = policy.get(`${r.agent}/${r.camera}`);
      const select = el('select', { 'data-testid': 'policy', dataset: { agent: r.agent, camera: r.camera } },
        set.policies.map((v) => el('option', { value: v, selected: (p?.policy || set.default) === v }, v)));
      select.addEventListener('change', () => setPolicy(r, select));
      return el('tr', { 'data-testid': 'policy-row', dataset: { agent: r.agent, camera: r.camera } },
        el('td', {}, r.name, el('div', { class: 'muted small mono' }, `${r.agent}/${r.camera}`)),
        el('td', {}, select),
        el('td', { class: 'small muted' }, p ? `${p.setBy}, ` : 'default', p ? timeCell(p.set) : ''));
    }), { class: 'compact' })
    : el('div', { class: 'empty' }, 'No cameras: no agent answers yet.'));
}

async function setPolicy(r, select) {
  select.disabled = true;
  try {
    await api(`/api/plates/policies/${encodeURIComponent(r.agent)}/${encodeURIComponent(r.camera)}`, { method: 'PUT', body: { policy: select.value } });
    say(`${r.name}: plate policy now ${select.value}`, 'ok');
    await loadPolicies();
  } catch (e) {
    say(`The policy was not changed: ${e.message}`, 'error');
    await loadPolicies();
  } finally {
    select.disabled = false;
  }
}

async function loadSettings() {
  const s = await api('/api/plates/settings');
  $('max-distance').value = String(s.maxDistance);
  $('time-zone').value = s.timeZone;
  $('retention').textContent = `Plate reads are personal data: they are deleted ${s.retentionDays} days after they were read (the console's --plate-retention-days), `
    + 'except those a case\'s clip covers.';
}

async function saveSettings(ev) {
  ev.preventDefault();
  try {
    await api('/api/plates/settings', { method: 'PUT', body: { maxDistance: Number($('max-distance').value), timeZone: $('time-zone').value.trim() } });
    say('Saved. Reads from now on are matched with these settings.', 'ok', $('settings-status'));
  } catch (e) {
    say(`Not saved: ${e.message}`, 'error', $('settings-status'));
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
  if (bad.length) say(`Some of this page could not be loaded: ${bad.join('; ')}`, 'error');
  ready();
}

main().catch((e) => { if (e?.status !== 401 && e?.status !== 403) say(e.message, 'error'); });
