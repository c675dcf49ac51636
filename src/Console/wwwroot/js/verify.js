// Verify: an investigator (or anyone they hand a package to, with the CLI) checks that a package is intact.
import { api, start, el, say } from './api.js';
import { bytes, ready } from './review-util.js';
import { t, tn } from './i18n.js';

const $ = (id) => document.getElementById(id);

async function verify(ev) {
  ev?.preventDefault();
  const file = $('verify-file').files[0];
  const out = $('result');
  if (!file) { say(t('verify.chooseFirst'), 'error'); return; }
  $('verify-submit').disabled = true;
  say(t('verify.checking', { file: file.name, size: bytes(file.size) }));
  out.hidden = true;
  const form = new FormData();
  form.append('package', file, file.name);
  try {
    const r = await api('/api/evidence/verify', { method: 'POST', form });
    show(r, file);
    say(r.ok ? t('verify.intactSay', { file: file.name }) : tn('verify.notIntactSay', r.problems.length, { file: file.name }), r.ok ? 'ok' : 'error');
  } catch (e) {
    out.replaceChildren(
      el('div', { class: 'verdict bad', 'data-testid': 'verdict', dataset: { ok: 'false' } }, el('span', { class: 'icon' }, '✖'), t('verify.notVerified'), el('small', {}, t('verify.notChecked'))),
      el('ul', { class: 'problems', translate: 'no' }, el('li', { 'data-testid': 'problem' }, e.message)));
    out.hidden = false;
    say(t('verify.checkFail', { file: file.name, why: e.message }), 'error');
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
      r.ok ? t('verify.intact') : t('verify.notIntact'),
      el('small', {}, r.ok ? t('verify.intactWhy') : t('verify.notIntactWhy'))),
    el('dl', { class: 'facts' },
      el('dt', {}, t('verify.fileLabel')), el('dd', { class: 'mono', translate: 'no' }, `${file.name} (${bytes(file.size)})`),
      el('dt', {}, t('verify.case')), el('dd', { 'data-testid': 'verify-case', translate: r.case ? 'no' : null },
        r.case ? `${r.case.number}${r.case.description ? ' — ' + r.case.description : ''}` : el('span', { class: 'muted' }, t('verify.noCase'))),
      el('dt', {}, t('verify.clips')), el('dd', { 'data-testid': 'verify-clips' }, String(r.clips ?? 0)),
      el('dt', {}, t('verify.signer')), el('dd', { class: 'mono', 'data-testid': 'verify-signer', translate: r.signer ? 'no' : null },
        r.signer || el('span', { class: 'muted' }, t('verify.noSigner')))),
    // What the server found and checked: its own words, shown as they come.
    problems.length ? el('h3', {}, t('verify.problems', { n: problems.length })) : null,
    problems.length ? el('ul', { class: 'problems', 'data-testid': 'problems', translate: 'no' }, problems.map((p) => el('li', { 'data-testid': 'problem' }, p))) : null,
    notes.length ? el('h3', {}, t('verify.notes')) : null,
    notes.length ? el('ul', { class: 'notes', translate: 'no' }, notes.map((n) => el('li', { 'data-testid': 'note' }, n))) : null,
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
