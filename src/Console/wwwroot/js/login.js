import { api, ApiError, home, say } from './api.js';

const form = document.getElementById('login');
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const button = document.getElementById('signin');
  button.disabled = true;
  say('Signing in…');
  try {
    const me = await api('/api/login', { method: 'POST', body: { name: form.name.value, password: form.password.value } });
    const next = new URLSearchParams(location.search).get('next');
    // Only a path on this console: never follow a next= to another site.
    location.href = next && /^\/(?![/\\])/.test(next) ? next : home(me);
  } catch (e) {
    say(e instanceof ApiError ? e.message : `The console cannot be reached (${e.message})`, 'error');
    button.disabled = false;
    form.password.select();
  }
});
