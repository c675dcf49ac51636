// Shared by every page: calls to the console's API, the signed-in user, the top bar.
// The API is the authority on rights; the pages only hide what a role cannot use.

export class ApiError extends Error {
  /** body: the server's problem+json, with what more it says (an import's bad lines). */
  constructor(status, detail, body = null) {
    super(detail);
    this.status = status;
    this.body = body;
  }
}

import { setZone, wall, parkZone } from './clock.js';
import { t, translate, setLanguage, language, LANGUAGES } from './i18n.js';

let csrf = null;

/** Calls the API. Returns parsed JSON (null for 204), or the Response itself with {raw: true}. Throws ApiError with the server's detail. */
export async function api(path, { method = 'GET', body, form, raw = false, signal } = {}) {
  // The console writes its problem details in the language the page shows.
  const headers = { 'Accept-Language': language() };
  if (method !== 'GET' && method !== 'HEAD') {
    if (!csrf) csrf = (await (await fetch('/api/login', { credentials: 'same-origin' })).json()).csrf;
    headers['X-CSRF-TOKEN'] = csrf;
  }
  let payload;
  if (form) payload = form;
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  const r = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', signal });
  if (r.status === 401 && !path.startsWith('/api/login')) {
    location.href = '/login.html?next=' + encodeURIComponent(location.pathname + location.search);
    throw new ApiError(401, t('api.signedOut'));
  }
  if (!r.ok) {
    let detail = `HTTP ${r.status}`;
    let problem = null;
    try { problem = await r.json(); detail = problem.detail || problem.title || detail; } catch { /* not JSON */ }
    throw new ApiError(r.status, detail, problem);
  }
  if (raw) return r;
  if (r.status === 204) return null;
  const type = r.headers.get('Content-Type') || '';
  return type.includes('json') ? r.json() : r.text();
}

/** The antiforgery token belongs to who is signed in: fetched again after signing in on the same page. */
export async function renewCsrf() {
  const me = await api('/api/me');
  csrf = me.csrf;
  return me;
}

/** The signed-in user {name, role, rights, csrf}; sends to the login page when there is none. */
export async function session() {
  const me = await api('/api/me');
  csrf = me.csrf;
  setZone(me.zone);
  if (me.language && me.language !== language()) {
    setLanguage(me.language);
    translate();
  }
  if (me.mustChangePassword) {
    // The server refuses everything else until then; the page would only show errors.
    location.replace('/login.html?change=1&next=' + encodeURIComponent(location.pathname + location.search));
    throw new ApiError(403, 'a one-time password must be replaced first');
  }
  return me;
}

/** Pages in the order of the top bar, each with the right it needs (or a list of rights, any of which will do). */
export const PAGES = [
  { href: '/live.html', key: 'nav.live', right: 'watch' },
  { href: '/recordings.html', key: 'nav.recordings', right: 'review' },
  { href: '/vehicles.html', key: 'nav.vehicles', right: 'review' },
  { href: '/cases.html', key: 'nav.cases', right: 'export' },
  { href: '/verify.html', key: 'nav.verify', right: 'export' },
  { href: '/stats.html', key: 'nav.stats', right: 'statistics' },
  // Guards write their shift's notes and hand over with it; reviewers read the reports later.
  { href: '/report.html', key: 'nav.report', right: ['watch', 'statistics'] },
  { href: '/admin.html', key: 'nav.admin', right: 'administer' },
  { href: '/cameras.html', key: 'nav.cameras', right: 'administer' },
  // Admins keep the plate lists; reviewers and investigators may read them.
  { href: '/plates.html', key: 'nav.plates', right: ['administer', 'review'] },
];

/** Whether the user holds the right (or one of the rights) given. */
export function may(me, right) {
  return [right].flat().some((r) => me.rights.includes(r));
}

/** The first page a user may use: where they land after signing in. */
export function home(me) {
  return (PAGES.find((p) => may(me, p.right)) || { href: '/login.html' }).href;
}

/**
 * Fills <header id="top"> with the pages the user may open, their name and role, and sign-out.
 * A page the user's role may not use sends them to their own first page.
 */
export async function start(right) {
  const me = await session();
  if (right && !may(me, right)) {
    location.replace(home(me));
    throw new ApiError(403, 'not for this role');
  }
  const top = document.getElementById('top');
  const choose = el('select', { id: 'language', 'data-testid': 'language', 'aria-label': t('top.language') },
    LANGUAGES.map((l) => el('option', { value: l.code, lang: l.code, translate: 'no', selected: l.code === language() }, l.name)));
  choose.addEventListener('change', () => chooseLanguage(choose.value));
  top.replaceChildren(
    el('a', { class: 'brand', href: home(me), translate: 'no' }, 'GateWatch'),
    el('nav', { 'aria-label': t('nav.label') }, ...PAGES.filter((p) => may(me, p.right)).map((p) =>
      el('a', { href: p.href, class: location.pathname === p.href ? 'active' : '', 'aria-current': location.pathname === p.href ? 'page' : null }, t(p.key)))),
    el('span', { class: 'who', 'data-testid': 'who' }, el('span', { translate: 'no' }, me.name), ' · ', t(`role.${me.role}`)),
    choose,
    el('a', { class: 'link', id: 'password', href: '/login.html?change=1' }, t('top.password')),
    el('button', { class: 'link', id: 'signout', onclick: signOut }, t('top.signout')),
  );
  return me;
}

/** The user's choice of language: kept by the console for every device they sign in on, then the page is drawn again in it. */
async function chooseLanguage(code) {
  await api('/api/me/language', { method: 'PUT', body: { language: code } });
  setLanguage(code);
  location.reload();
}

async function signOut() {
  try { await api('/api/logout', { method: 'POST' }); } finally { location.href = '/login.html'; }
}

/** Builds an element: el('a', {href, onclick}, 'text', child...). Text is always set as text, never parsed as HTML. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** A time for people: the park's date and time to the second, with the zone and the UTC instant in its title. */
export function when(iso) {
  const d = new Date(iso);
  return el('time', { datetime: d.toISOString(), title: `${parkZone()} · ${d.toISOString()}`, translate: 'no' }, wall(d));
}

/** Shows a message in <div id="status"> (or the given element); kind is 'error', 'ok' or ''. */
export function say(text, kind = '', target = document.getElementById('status')) {
  if (!target) return;
  target.textContent = text;
  target.className = `status ${kind}`;
}
