// Admin: users, agents (the console key shown once) and the hash-chained audit log.
import { api, start, el, say } from './api.js';
import { utc, local, hash, table, ready } from './review-util.js';
import { t, has } from './i18n.js';

const $ = (id) => document.getElementById(id);
const PAGE = 50;
/** The API reads oldest first, at most 1000 at a time; the page reads it all and shows it newest first. */
const CHUNK = 1000;
const MAX_CHUNKS = 100;
const ACTIONS = ['login', 'login-failed', 'logout', 'live-view', 'recording-view', 'export', 'evidence-verify', 'case-created', 'clip-added',
  'acknowledge', 'config-change', 'user-created', 'user-changed', 'password-changed', 'console-initialised', 'agent-registered', 'agent-pinned',
  'enrolment-code-made', 'agent-enrolled', 'ingest-refused', 'access-denied', 'audit-read', 'audit-verify',
  'plate-list-change', 'plate-list-export', 'plate-search', 'plate-retention', 'shift-report-view', 'shift-note'];
const audit = { all: [], page: 0, truncated: false };

function ago(at) {
  const s = Math.round((Date.now() - Date.parse(at)) / 1000);
  if (s < 60) return t('admin.ago.s', { n: Math.max(0, s) });
  if (s < 3600) return t('admin.ago.min', { n: Math.round(s / 60) });
  if (s < 86400) return t('admin.ago.h', { n: Math.round(s / 3600) });
  return t('admin.ago.days', { n: Math.round(s / 86400) });
}

/** A role as people call it ("bảo vệ"); a role no table knows is shown as sent. */
function roleName(role) {
  return has(`role.${role}`) ? t(`role.${role}`) : null;
}

// ---------- users ----------

async function loadUsers() {
  const users = await api('/api/admin/users');
  $('users').replaceChildren(users.length
    ? table([t('admin.name'), t('admin.role'), t('admin.state')], users.map((u) => el('tr', { 'data-testid': 'user-row', dataset: { name: u.name } },
      el('td', { translate: 'no' }, u.name),
      el('td', {}, el('span', { class: 'pill role', translate: roleName(u.role) ? null : 'no' }, roleName(u.role) ?? u.role)),
      el('td', {}, u.disabled ? el('span', { class: 'pill bad' }, t('admin.user.disabled')) : el('span', { class: 'pill ok' }, t('admin.user.active'))))), { class: 'compact' })
    : el('div', { class: 'empty' }, t('admin.users.none')));
}

async function createUser(ev) {
  ev.preventDefault();
  const name = $('user-name').value.trim(), role = $('user-role').value, password = $('user-password').value;
  $('user-create').disabled = true;
  try {
    const u = await api('/api/admin/users', { method: 'POST', body: { name, role, password } });
    say(t('admin.user.created', { name: u.name, role: roleName(u.role) ?? u.role }), 'ok', $('user-status'));
    $('user-form').reset();
    await loadUsers();
    loadAudit();
  } catch (e) {
    say(t('admin.user.notCreated', { why: e.message }), 'error', $('user-status'));
  } finally {
    $('user-create').disabled = false;
  }
}

// ---------- agents ----------

async function loadAgents() {
  const agents = await api('/api/admin/agents');
  $('agents').replaceChildren(agents.length
    ? table([t('admin.id'), t('admin.name'), t('admin.agent.url'), t('admin.agent.cert'), t('admin.agent.lastSeen')], agents.map((a) => {
      const recent = a.lastSeen && Date.now() - Date.parse(a.lastSeen) < 120_000;
      return el('tr', { 'data-testid': 'agent-row', dataset: { id: a.id } },
        el('td', { class: 'mono', translate: 'no' }, a.id),
        el('td', { translate: 'no' }, a.name),
        el('td', { class: 'mono small', translate: 'no' }, a.url),
        el('td', { class: 'small', 'data-testid': 'agent-tls' }, a.tlsPin
          ? el('span', { class: 'mono', title: t('admin.agent.pinTitle', { pin: a.tlsPin }) }, t('admin.agent.pinned', { pin: a.tlsPin.slice(0, 11) }))
          : a.url.startsWith('https:') ? t('admin.agent.trustedCa') : el('span', { class: 'pill warn', title: t('admin.agent.noTlsTitle') }, t('admin.agent.noTls'))),
        el('td', {}, a.lastSeen
          ? el('span', { title: t('admin.agent.seenTitle', { utc: utc(a.lastSeen), local: local(a.lastSeen) }) }, el('span', { class: `pill ${recent ? 'ok' : 'warn'}` }, ago(a.lastSeen)))
          : el('span', { class: 'pill' }, t('admin.agent.never'))));
    }), { class: 'compact' })
    : el('div', { class: 'empty' }, t('admin.agents.none')));
}

async function registerAgent(ev) {
  ev.preventDefault();
  const body = { id: $('agent-id').value.trim(), name: $('agent-name').value.trim(), url: $('agent-url').value.trim(), apiKey: $('agent-key').value, fingerprint: $('agent-fingerprint').value.trim() || null };
  $('agent-register').disabled = true;
  $('agent-secret').replaceChildren();
  try {
    const r = await api('/api/admin/agents', { method: 'POST', body });
    say(t('admin.agent.registered', { id: r.id }), 'ok', $('agent-status'));
    const key = el('code', { class: 'mono', 'data-testid': 'console-key', translate: 'no' }, r.consoleKey);
    const copy = el('button', { type: 'button', class: 'secondary small', 'data-testid': 'console-key-copy' }, t('admin.copy'));
    copy.addEventListener('click', async () => {
      try { await navigator.clipboard.writeText(r.consoleKey); copy.textContent = t('admin.copied'); } catch {
        const range = document.createRange(); range.selectNodeContents(key);
        getSelection().removeAllRanges(); getSelection().addRange(range);
        copy.textContent = t('admin.copySelected');
      }
    });
    $('agent-secret').replaceChildren(el('div', { class: 'secret' },
      el('strong', {}, t('admin.agent.keyOnce', { id: r.id })),
      key,
      // The server's note is its own English text: shown as it comes.
      el('div', { class: 'row' }, copy, r.note
        ? el('span', { class: 'muted small', translate: 'no' }, r.note)
        : el('span', { class: 'muted small' }, t('admin.agent.keyNote'))),
    ));
    $('agent-form').reset();
    await loadAgents();
    loadAudit();
  } catch (e) {
    say(t('admin.agent.notRegistered', { why: e.message }), 'error', $('agent-status'));
  } finally {
    $('agent-register').disabled = false;
  }
}

// ---------- enrolment codes ----------

async function loadEnrolments() {
  const codes = await api('/api/admin/agents/enrolments');
  const now = Date.now();
  $('enrolments').replaceChildren(codes.length
    ? table([t('admin.enrol.agent'), t('admin.enrol.madeBy'), t('admin.enrol.until'), t('admin.state')], codes.map((c) => el('tr', { 'data-testid': 'enrolment-row', dataset: { id: c.agentId } },
      el('td', { class: 'mono', translate: 'no' }, c.agentId),
      el('td', { translate: 'no' }, c.madeBy),
      el('td', { class: 'small', title: utc(c.expires), translate: 'no' }, local(c.expires)),
      el('td', { 'data-testid': 'enrolment-state' }, c.used
        ? el('span', { class: 'pill ok', title: t('admin.enrol.usedTitle', { time: local(c.used), address: c.usedFrom }) }, t('admin.enrol.used'))
        : Date.parse(c.expires) <= now ? el('span', { class: 'pill' }, t('admin.enrol.expired')) : el('span', { class: 'pill warn' }, t('admin.enrol.waiting'))))),
    { class: 'compact' })
    : '');
}

async function makeEnrolment(ev) {
  ev.preventDefault();
  const body = { agentId: $('enrol-id').value.trim(), name: $('enrol-name').value.trim() || null, hours: Number($('enrol-hours').value) };
  $('enrol-make').disabled = true;
  $('enrol-secret').replaceChildren();
  try {
    const r = await api('/api/admin/agents/enrolments', { method: 'POST', body });
    say(t('admin.enrol.made', { id: r.agentId }), 'ok', $('enrol-status'));
    $('enrol-secret').replaceChildren(el('div', { class: 'secret' },
      el('strong', {}, t('admin.enrol.codeOnce', { id: r.agentId, until: local(r.expires) })),
      el('code', { class: 'mono', 'data-testid': 'enrol-code', translate: 'no' }, r.code),
      el('span', { class: 'muted small' }, t('admin.enrol.onBox')), ' ',
      el('code', { class: 'mono small', translate: 'no' }, `gatewatch-agent enrol --config /etc/gatewatch/agent.json --console ${location.origin}/ --code ${r.code}`),
    ));
    $('enrol-form').reset();
    await loadEnrolments();
    loadAudit();
  } catch (e) {
    say(t('admin.enrol.notMade', { why: e.message }), 'error', $('enrol-status'));
  } finally {
    $('enrol-make').disabled = false;
  }
}

// ---------- audit ----------

async function loadAudit() {
  const action = $('audit-action').value;
  const all = [];
  let after = 0;
  audit.truncated = false;
  try {
    for (let i = 0; i < MAX_CHUNKS; i++) {
      const q = new URLSearchParams({ after: String(after), limit: String(CHUNK) });
      if (action) q.set('action', action);
      const chunk = await api(`/api/admin/audit?${q}`);
      all.push(...chunk);
      if (chunk.length < CHUNK) break;
      after = chunk.at(-1).seq;
      if (i === MAX_CHUNKS - 1) audit.truncated = true;
    }
  } catch (e) {
    $('audit').replaceChildren(el('div', { class: 'error-box' }, el('strong', {}, t('admin.audit.readFail')), ' ', el('span', { translate: 'no' }, e.message)));
    return;
  }
  audit.all = all.reverse();
  audit.page = 0;
  renderAudit();
}

function filtered() {
  const find = $('audit-find').value.trim().toLowerCase();
  if (!find) return audit.all;
  return audit.all.filter((a) => `${a.actor} ${a.target} ${a.detail} ${a.action}`.toLowerCase().includes(find));
}

function renderAudit() {
  const list = filtered();
  const pages = Math.max(1, Math.ceil(list.length / PAGE));
  audit.page = Math.min(audit.page, pages - 1);
  const rows = list.slice(audit.page * PAGE, (audit.page + 1) * PAGE);
  $('audit').replaceChildren(rows.length
    ? table([el('th', { class: 'num' }, '#'), t('common.time'), t('admin.audit.user'), t('admin.audit.action'), t('admin.audit.target'), t('admin.audit.outcome'),
      t('admin.audit.detail'), t('admin.audit.hash')], rows.map((a) => el('tr', { 'data-testid': 'audit-row', dataset: { seq: String(a.seq) } },
      el('td', { class: 'num muted' }, String(a.seq)),
      el('td', { class: 'small', title: `${utc(a.time, true)}`, translate: 'no' }, el('span', { class: 'when2' }, el('span', {}, local(a.time)), el('span', { class: 'muted' }, utc(a.time)))),
      // Who, what, on what and the detail are the log's own data: the action names are codes, not wording.
      el('td', { translate: 'no' }, a.actor),
      el('td', { translate: 'no' }, a.action),
      el('td', { class: 'small', translate: 'no' }, a.target),
      el('td', { class: `outcome-${a.outcome}`, translate: has(`admin.outcome.${a.outcome}`) ? null : 'no' },
        has(`admin.outcome.${a.outcome}`) ? t(`admin.outcome.${a.outcome}`) : a.outcome),
      el('td', { class: 'small detail', translate: 'no' }, a.detail),
      el('td', { translate: 'no' }, hash(a.hash)))), { class: 'compact audit' })
    : el('div', { class: 'empty' }, t('admin.audit.none')));
  const range = { from: audit.page * PAGE + 1, to: Math.min(list.length, (audit.page + 1) * PAGE), total: list.length, page: audit.page + 1, pages };
  $('audit-page').textContent = !list.length ? '' : audit.truncated ? t('admin.audit.pagerCut', range) : t('admin.audit.pager', range);
  $('audit-newer').disabled = audit.page === 0;
  $('audit-older').disabled = audit.page >= pages - 1;
}

async function verifyChain() {
  const box = $('chain');
  $('audit-verify').disabled = true;
  box.replaceChildren(el('div', { class: 'muted' }, t('admin.chain.walking')));
  try {
    const r = await api('/api/admin/audit/verify');
    box.dataset.ok = String(!!r.ok);
    box.replaceChildren(r.ok
      ? el('div', { class: 'chain ok', 'data-testid': 'chain-result' },
        el('strong', { class: 'ok-text' }, t('admin.chain.intact', { count: r.count })),
        // One sentence with the hash in it: the string table keeps it whole.
        el('div', { class: 'small muted' }, t('admin.chain.newest', { seq: String(r.lastSeq), hash: r.lastHash })))
      : el('div', { class: 'chain bad', 'data-testid': 'chain-result' },
        el('strong', { class: 'bad-text' }, r.firstBadSeq
          ? t('admin.chain.brokenAt', { seq: String(r.firstBadSeq), count: r.count })
          : t('admin.chain.broken', { count: r.count })),
        el('ul', { translate: 'no' }, (r.problems || []).map((p) => el('li', {}, p)))));
    loadAudit();
  } catch (e) {
    box.replaceChildren(el('div', { class: 'error-box' }, el('strong', {}, t('admin.chain.fail')), ' ', el('span', { translate: 'no' }, e.message)));
  } finally {
    $('audit-verify').disabled = false;
  }
}

/** One editable row of the shift plan. */
function shiftRow(s = { name: '', start: '', end: '' }) {
  const n = document.querySelectorAll('#shift-rows tr').length + 1;
  return el('tr', { 'data-testid': 'shift-row' },
    el('td', {}, el('input', { class: 'shift-name', value: s.name, maxlength: 40, required: true, 'aria-label': t('admin.shift.nameLabel', { n }) })),
    el('td', {}, el('input', { class: 'shift-start', type: 'time', step: 900, value: s.start, required: true, 'aria-label': t('admin.shift.startsLabel', { n }) })),
    el('td', {}, el('input', { class: 'shift-end', type: 'time', step: 900, value: s.end, required: true, 'aria-label': t('admin.shift.endsLabel', { n }) })),
    el('td', {}, el('button', { type: 'button', class: 'secondary small', onclick: (ev) => ev.target.closest('tr').remove() }, t('common.remove'))));
}

async function loadShifts() {
  const clock = await api('/api/clock');
  $('shift-zone').textContent = t('admin.shift.zone', { zone: clock.zone, offset: clock.offset });
  $('shift-rows').replaceChildren(...clock.shifts.map((s) => shiftRow(s)));
}

async function saveShifts(ev) {
  ev.preventDefault();
  const shifts = [...document.querySelectorAll('#shift-rows tr')].map((tr) => ({
    name: tr.querySelector('.shift-name').value.trim(), start: tr.querySelector('.shift-start').value, end: tr.querySelector('.shift-end').value,
  }));
  try {
    await api('/api/admin/shifts', { method: 'PUT', body: { shifts } });
    say(t('admin.shift.saved'), 'ok', $('shift-status'));
    await loadShifts();
  } catch (e) {
    say(e.message, 'error', $('shift-status'));
  }
}

async function main() {
  await start('administer');
  $('shift-form').addEventListener('submit', saveShifts);
  $('shift-add').addEventListener('click', () => $('shift-rows').append(shiftRow()));
  $('audit-action').append(...ACTIONS.map((a) => el('option', { value: a, translate: 'no' }, a)));
  $('user-form').addEventListener('submit', createUser);
  $('agent-form').addEventListener('submit', registerAgent);
  $('enrol-form').addEventListener('submit', makeEnrolment);
  $('audit-verify').addEventListener('click', verifyChain);
  $('audit-reload').addEventListener('click', loadAudit);
  $('audit-action').addEventListener('change', loadAudit);
  $('audit-find').addEventListener('input', () => { audit.page = 0; renderAudit(); });
  $('audit-filter').addEventListener('submit', (ev) => ev.preventDefault());
  $('audit-newer').addEventListener('click', () => { audit.page--; renderAudit(); });
  $('audit-older').addEventListener('click', () => { audit.page++; renderAudit(); });
  const results = await Promise.allSettled([loadUsers(), loadAgents(), loadEnrolments(), loadShifts(), loadAudit()]);
  const bad = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
  if (bad.length) say(t('admin.loadFail', { why: bad.join('; ') }), 'error');
  ready();
}

main().catch((e) => { if (e?.status !== 401 && e?.status !== 403) say(e.message, 'error'); });
