import { api, ApiError, home, say } from './api.js';

/** A console page: one '/', a page name, then printable ASCII but the backslash (WebPages.SafeNext is the same). */
const SAFE_NEXT = /^\/[a-z]+\.html(?:[?#][\x21-\x5b\x5d-\x7e]*)?$/;

const form = document.getElementById('login');
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const button = document.getElementById('signin');
  button.disabled = true;
  say('Signing in…');
  try {
    const next = new URLSearchParams(location.search).get('next');
    const me = await api('/api/login', { method: 'POST', body: { name: form.name.value, password: form.password.value, next } });
    // The server gives back next only if it is one of the console's pages; checked here too, in the same
    // shape, so that neither decides alone. Anything else (another site, a script) goes to the user's own page.
    location.href = me.next && SAFE_NEXT.test(me.next) ? me.next : home(me);
  } catch (e) {
    say(e instanceof ApiError ? e.message : `The console cannot be reached (${e.message})`, 'error');
    button.disabled = false;
    form.password.select();
  }
});
