import { api, ApiError, home, renewCsrf, say } from './api.js';
import { t } from './i18n.js';

/** A console page: one '/', a page name, then printable ASCII but the backslash (WebPages.SafeNext is the same). */
const SAFE_NEXT = /^\/[a-z]+\.html(?:[?#][\x21-\x5b\x5d-\x7e]*)?$/;

const form = document.getElementById('login');
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const button = document.getElementById('signin');
  button.disabled = true;
  say(t('login.signingIn'));
  try {
    const next = new URLSearchParams(location.search).get('next');
    const me = await api('/api/login', { method: 'POST', body: { name: form.name.value, password: form.password.value, next } });
    if (me.mustChangePassword) {
      await renewCsrf();
      showChange(form.password.value, me);
      return;
    }
    go(me);
  } catch (e) {
    say(e instanceof ApiError ? e.message : t('api.unreachable', { why: e.message }), 'error');
    button.disabled = false;
    form.password.select();
  }
});

/** The server gives back next only if it is one of the console's pages; checked here too, in the same
 *  shape, so that neither decides alone. Anything else (another site, a script) goes to the user's own page. */
function go(me) {
  location.href = me.next && SAFE_NEXT.test(me.next) ? me.next : home(me);
}

const change = document.getElementById('change');
let signedIn = null;

/** The password change form; current is the password just typed (a one-time one), else asked for. */
function showChange(current, me) {
  signedIn = me;
  form.hidden = true;
  change.hidden = false;
  change.current.value = current || '';
  document.getElementById('current-label').hidden = Boolean(current);
  if (!me.mustChangePassword) document.getElementById('change-why').textContent = t('login.changeYours');
  (current ? change.fresh : change.current).focus();
}

change.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const target = document.getElementById('change-status');
  if (change.fresh.value !== change.again.value) {
    say(t('login.differ'), 'error', target);
    return;
  }
  const button = document.getElementById('change-save');
  button.disabled = true;
  try {
    await api('/api/password', { method: 'POST', body: { current: change.current.value, password: change.fresh.value } });
    say(t('login.saved'), 'ok', target);
    go({ ...signedIn, next: new URLSearchParams(location.search).get('next') });
  } catch (e) {
    say(e instanceof ApiError ? e.message : t('api.unreachable', { why: e.message }), 'error', target);
    button.disabled = false;
  }
});

// login.html?change=1: a signed-in user (sent here by a page while their password is still a one-time one, or
// from the top bar) changes it; without a session the sign-in form stays.
if (new URLSearchParams(location.search).has('change')) {
  renewCsrf().then((me) => showChange('', me)).catch(() => {});
}
