// Admin: users, agents (the console key shown once) and the hash-chained audit log.
import { api, start, el, say } from './api.js';
import { utc, local, hash, table, ready } from './review-util.js';

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

function ago(t) {
  const s = Math.round((Date.now() - Date.parse(t)) / 1000);
  if (s < 60) return `${Math.max(0, s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

// ---------- users ----------

async function loadUsers() {
  const users = await api('/api/admin/users');
  $('users').replaceChildren(users.length
    ? table(['Name', 'Role', 'State'], users.map((u) => el('tr', { 'data-testid': 'user-row', dataset: { name: u.name } },
      el('td', {}, u.name),
      el('td', {}, el('span', { class: 'pill role' }, u.role)),
      el('td', {}, u.disabled ? el('span', { class: 'pill bad' }, 'disabled') : el('span', { class: 'pill ok' }, 'active')))), { class: 'compact' })
    : el('div', { class: 'empty' }, 'No users.'));
}

async function createUser(ev) {
  ev.preventDefault();
  const name = $('user-name').value.trim(), role = $('user-role').value, password = $('user-password').value;
  $('user-create').disabled = true;
  try {
    const u = await api('/api/admin/users', { method: 'POST', body: { name, role, password } });
    say(`User ${u.name} created with the role ${u.role}. Give them the password by a safe way; it is not shown again.`, 'ok', $('user-status'));
    $('user-form').reset();
    await loadUsers();
    loadAudit();
  } catch (e) {
    say(`The user was not created: ${e.message}`, 'error', $('user-status'));
  } finally {
    $('user-create').disabled = false;
  }
}

// ---------- agents ----------

async function loadAgents() {
  const agents = await api('/api/admin/agents');
  $('agents').replaceChildren(agents.length
    ? table(['Id', 'Name', 'API address', 'Certificate', 'Last seen'], agents.map((a) => {
      const recent = a.lastSeen && Date.now() - Date.parse(a.lastSeen) < 120_000;
      return el('tr', { 'data-testid': 'agent-row', dataset: { id: a.id } },
        el('td', { class: 'mono' }, a.id),
        el('td', {}, a.name),
        el('td', { class: 'mono small' }, a.url),
        el('td', { class: 'small', 'data-testid': 'agent-tls' }, a.tlsPin
          ? el('span', { class: 'mono', title: `SHA-256 ${a.tlsPin}` }, `pinned ${a.tlsPin.slice(0, 11)}…`)
          : a.url.startsWith('https:') ? 'trusted CA' : el('span', { class: 'pill warn', title: 'plain http: only for an agent on this machine' }, 'no TLS')),
        el('td', {}, a.lastSeen
          ? el('span', { title: `${utc(a.lastSeen)} · ${local(a.lastSeen)} local` }, el('span', { class: `pill ${recent ? 'ok' : 'warn'}` }, ago(a.lastSeen)))
          : el('span', { class: 'pill' }, 'never')));
    }), { class: 'compact' })
    : el('div', { class: 'empty' }, 'No agents registered yet.'));
}

async function registerAgent(ev) {
  ev.preventDefault();
  const body = { id: $('agent-id').value.trim(), name: $('agent-name').value.trim(), url: $('agent-url').value.trim(), apiKey: $('agent-key').value, fingerprint: $('agent-fingerprint').value.trim() || null };
  $('agent-register').disabled = true;
  $('agent-secret').replaceChildren();
  try {
    const r = await api('/api/admin/agents', { method: 'POST', body });
    say(`Agent ${r.id} registered.`, 'ok', $('agent-status'));
    const key = el('code', { class: 'mono', 'data-testid': 'console-key' }, r.consoleKey);
    const copy = el('button', { type: 'button', class: 'secondary small', 'data-testid': 'console-key-copy' }, 'Copy');
    copy.addEventListener('click', async () => {
      try { await navigator.clipboard.writeText(r.consoleKey); copy.textContent = 'Copied'; } catch {
        const range = document.createRange(); range.selectNodeContents(key);
        getSelection().removeAllRanges(); getSelection().addRange(range);
        copy.textContent = 'Selected: press Ctrl+C';
      }
    });
    $('agent-secret').replaceChildren(el('div', { class: 'secret' },
      el('strong', {}, `Console key for ${r.id}: copy it now, it is shown only once`),
      key,
      el('div', { class: 'row' }, copy, el('span', { class: 'muted small' }, r.note || "Put it in the agent's console.key (agent.json: console.key).")),
    ));
    $('agent-form').reset();
    await loadAgents();
    loadAudit();
  } catch (e) {
    say(`The agent was not registered: ${e.message}`, 'error', $('agent-status'));
  } finally {
    $('agent-register').disabled = false;
  }
}

// ---------- enrolment codes ----------

async function loadEnrolments() {
  const codes = await api('/api/admin/agents/enrolments');
  const now = Date.now();
  $('enrolments').replaceChildren(codes.length
    ? table(['Agent', 'Made by', 'Valid until', 'State'], codes.map((c) => el('tr', { 'data-testid': 'enrolment-row', dataset: { id: c.agentId } },
      el('td', { class: 'mono' }, c.agentId),
      el('td', {}, c.madeBy),
      el('td', { class: 'small', title: utc(c.expires) }, local(c.expires)),
      el('td', { 'data-testid': 'enrolment-state' }, c.used
        ? el('span', { class: 'pill ok', title: `${local(c.used)} from ${c.usedFrom}` }, 'used')
        : Date.parse(c.expires) <= now ? el('span', { class: 'pill' }, 'expired') : el('span', { class: 'pill warn' }, 'waiting')))),
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
    say(`Code made for ${r.agentId}.`, 'ok', $('enrol-status'));
    $('enrol-secret').replaceChildren(el('div', { class: 'secret' },
      el('strong', {}, `Enrolment code for ${r.agentId}: it works once, until ${local(r.expires)}, and is shown only now`),
      el('code', { class: 'mono', 'data-testid': 'enrol-code' }, r.code),
      el('span', { class: 'muted small' }, 'On the gate box: '),
      el('code', { class: 'mono small' }, `gatewatch-agent enrol --config /etc/gatewatch/agent.json --console ${location.origin}/ --code ${r.code}`),
    ));
    $('enrol-form').reset();
    await loadEnrolments();
    loadAudit();
  } catch (e) {
    say(`No code was made: ${e.message}`, 'error', $('enrol-status'));
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
    $('audit').replaceChildren(el('div', { class: 'error-box' }, el('strong', {}, 'The audit log could not be read.'), ' ', e.message));
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
    ? table([el('th', { class: 'num' }, '#'), 'Time', 'User', 'Action', 'Target', 'Outcome', 'Detail', 'Hash'], rows.map((a) => el('tr', { 'data-testid': 'audit-row', dataset: { seq: String(a.seq) } },
      el('td', { class: 'num muted' }, String(a.seq)),
      el('td', { class: 'small', title: `${utc(a.time, true)}` }, el('span', { class: 'when2' }, el('span', {}, local(a.time)), el('span', { class: 'muted' }, utc(a.time)))),
      el('td', {}, a.actor),
      el('td', {}, a.action),
      el('td', { class: 'small' }, a.target),
      el('td', { class: `outcome-${a.outcome}` }, a.outcome),
      el('td', { class: 'small detail' }, a.detail),
      el('td', {}, hash(a.hash)))), { class: 'compact audit' })
    : el('div', { class: 'empty' }, 'No entries.'));
  $('audit-page').textContent = list.length
    ? `newest first · ${audit.page * PAGE + 1}–${Math.min(list.length, (audit.page + 1) * PAGE)} of ${list.length}${audit.truncated ? ` (the newest ${list.length} shown)` : ''} · page ${audit.page + 1} of ${pages}`
    : '';
  $('audit-newer').disabled = audit.page === 0;
  $('audit-older').disabled = audit.page >= pages - 1;
}

async function verifyChain() {
  const box = $('chain');
  $('audit-verify').disabled = true;
  box.replaceChildren(el('div', { class: 'muted' }, 'Walking the whole chain…'));
  try {
    const r = await api('/api/admin/audit/verify');
    box.dataset.ok = String(!!r.ok);
    box.replaceChildren(r.ok
      ? el('div', { class: 'chain ok', 'data-testid': 'chain-result' },
        el('strong', { class: 'ok-text' }, `✔ Audit chain intact: ${r.count} entries checked.`),
        el('div', { class: 'small muted' }, `Newest entry #${r.lastSeq}, hash `, el('code', {}, r.lastHash), '. Note these: a later check can then show that no newest entries were cut off.'))
      : el('div', { class: 'chain bad', 'data-testid': 'chain-result' },
        el('strong', { class: 'bad-text' }, `✖ Audit chain BROKEN${r.firstBadSeq ? ` at entry #${r.firstBadSeq}` : ''}: ${r.count} entries read.`),
        el('ul', {}, (r.problems || []).map((p) => el('li', {}, p)))));
    loadAudit();
  } catch (e) {
    box.replaceChildren(el('div', { class: 'error-box' }, el('strong', {}, 'The chain could not be verified.'), ' ', e.message));
  } finally {
    $('audit-verify').disabled = false;
  }
}

/** One editable row of the shift plan. */
function shiftRow(s = { name: '', start: '', end: '' }) {
  const n = document.querySelectorAll('#shift-rows tr').length + 1;
  return el('tr', { 'data-testid': 'shift-row' },
    el('td', {}, el('input', { class: 'shift-name', value: s.name, maxlength: 40, required: true, 'aria-label': `Shift ${n} name` })),
    el('td', {}, el('input', { class: 'shift-start', type: 'time', step: 900, value: s.start, required: true, 'aria-label': `Shift ${n} starts` })),
    el('td', {}, el('input', { class: 'shift-end', type: 'time', step: 900, value: s.end, required: true, 'aria-label': `Shift ${n} ends` })),
    el('td', {}, el('button', { type: 'button', class: 'secondary small', onclick: (ev) => ev.target.closest('tr').remove() }, 'Remove')));
}

async function loadShifts() {
  const clock = await api('/api/clock');
  $('shift-zone').textContent = `Times on the park's clock: ${clock.zone} (${clock.offset}). Together the shifts cover the day exactly once, on the quarter hour; a shift that ends before it starts runs past midnight.`;
  $('shift-rows').replaceChildren(...clock.shifts.map((s) => shiftRow(s)));
}

async function saveShifts(ev) {
  ev.preventDefault();
  const shifts = [...document.querySelectorAll('#shift-rows tr')].map((tr) => ({
    name: tr.querySelector('.shift-name').value.trim(), start: tr.querySelector('.shift-start').value, end: tr.querySelector('.shift-end').value,
  }));
  try {
    await api('/api/admin/shifts', { method: 'PUT', body: { shifts } });
    say('Shifts saved.', 'ok', $('shift-status'));
    await loadShifts();
  } catch (e) {
    say(e.message, 'error', $('shift-status'));
  }
}

async function main() {
  await start('administer');
  $('shift-form').addEventListener('submit', saveShifts);
  $('shift-add').addEventListener('click', () => $('shift-rows').append(shiftRow()));
  $('audit-action').append(...ACTIONS.map((a) => el('option', { value: a }, a)));
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
  if (bad.length) say(`Some of this page could not be loaded: ${bad.join('; ')}`, 'error');
  ready();
}

main().catch((e) => { if (e?.status !== 401 && e?.status !== 403) say(e.message, 'error'); });
