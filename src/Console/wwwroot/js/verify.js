// Verify: an investigator (or anyone they hand a package to, with the CLI) checks that a package is intact.
import { api, start, el, say } from './api.js';
import { bytes, ready } from './review-util.js';

const $ = (id) => document.getElementById(id);

async function verify(ev) {
  ev?.preventDefault();
  const file = $('verify-file').files[0];
  const out = $('result');
  if (!file) { say('Choose the package (.zip) first.', 'error'); return; }
  $('verify-submit').disabled = true;
  say(`Checking ${file.name} (${bytes(file.size)})…`);
  out.hidden = true;
  const form = new FormData();
  form.append('package', file, file.name);
  try {
    const r = await api('/api/evidence/verify', { method: 'POST', form });
    show(r, file);
    say(r.ok ? `${file.name}: intact.` : `${file.name}: NOT intact, ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}.`, r.ok ? 'ok' : 'error');
  } catch (e) {
    out.replaceChildren(
      el('div', { class: 'verdict bad', 'data-testid': 'verdict', dataset: { ok: 'false' } }, el('span', { class: 'icon' }, '✖'), 'NOT VERIFIED', el('small', {}, 'the file could not be checked')),
      el('ul', { class: 'problems' }, el('li', { 'data-testid': 'problem' }, e.message)));
    out.hidden = false;
    say(`${file.name} could not be checked: ${e.message}`, 'error');
  } finally {
    $('verify-submit').disabled = false;
  }
}

function show(r, file) {
  const out = $('result');
  const problems = r.problems || [];
  const notes = r.notes || [];
  out.replaceChildren(...[
    el('div', { class: `verdict ${r.ok ? 'ok' : 'bad'}`, 'data-testid': 'verdict', dataset: { ok: String(!!r.ok) } },
      el('span', { class: 'icon' }, r.ok ? '✔' : '✖'),
      r.ok ? 'INTACT' : 'NOT INTACT',
      el('small', {}, r.ok ? 'signature valid, every file matches what was signed' : 'this package was changed or damaged after it was made')),
    el('dl', { class: 'facts' },
      el('dt', {}, 'File'), el('dd', { class: 'mono' }, `${file.name} (${bytes(file.size)})`),
      el('dt', {}, 'Case'), el('dd', { 'data-testid': 'verify-case' }, r.case ? `${r.case.number}${r.case.description ? ' — ' + r.case.description : ''}` : el('span', { class: 'muted' }, 'unknown (no readable manifest)')),
      el('dt', {}, 'Clips'), el('dd', { 'data-testid': 'verify-clips' }, String(r.clips ?? 0)),
      el('dt', {}, 'Signer'), el('dd', { class: 'mono', 'data-testid': 'verify-signer' }, r.signer || el('span', { class: 'muted' }, 'no valid signature'))),
    problems.length ? el('h3', {}, `Problems (${problems.length})`) : null,
    problems.length ? el('ul', { class: 'problems', 'data-testid': 'problems' }, problems.map((p) => el('li', { 'data-testid': 'problem' }, p))) : null,
    notes.length ? el('h3', {}, 'Notes') : null,
    notes.length ? el('ul', { class: 'notes' }, notes.map((n) => el('li', { 'data-testid': 'note' }, n))) : null,
  ].filter(Boolean));
  out.hidden = false;
}

async function main() {
  await start('export');
  $('verify-form').addEventListener('submit', verify);
  const drop = $('drop');
  drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('over');
    if (ev.dataTransfer.files.length) { $('verify-file').files = ev.dataTransfer.files; verify(); }
  });
  ready();
}

main().catch((e) => { if (e?.status !== 401 && e?.status !== 403) say(e.message, 'error'); });
