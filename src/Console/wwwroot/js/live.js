import { api, ApiError, start, el, when, say } from './api.js';
import { LivePlayer } from './mse.js';
import { Overlay } from './overlay.js';
import { wall, wallTime, offsetName, parkZone } from './clock.js';

// The guards' live wall: a tile per camera (video, overlay, state, today's counts) and the open alerts on top.

const WALL_EVERY = 5000;
const TODAY_EVERY = 5000;
const ALERTS_EVERY = 2000;
const ACKED_EVERY = 15000;
const SNAPSHOT_EVERY = 1000;

const tiles = new Map(); // key agent/camera -> Tile
const seenAlerts = new Set();
let openAlerts = [];
let todayMissing = false;

const key = (agent, camera) => `${agent}/${camera ?? ''}`;
const cameraPath = (agent, camera) => `/api/live/${encodeURIComponent(agent)}/${encodeURIComponent(camera)}`;

// ---------------------------------------------------------------- tiles

class Tile {
  constructor(w) {
    this.agent = w.agent;
    this.camera = w.camera;
    this.video = el('video', { muted: true, autoplay: true, playsinline: true, 'data-testid': 'video', 'aria-label': `Live video of ${w.name}` });
    this.video.muted = true;
    this.still = el('img', { class: 'still', alt: '', hidden: true });
    this.canvas = el('canvas', { class: 'overlay', 'data-testid': 'overlay', 'aria-hidden': 'true' });
    this.notice = el('div', { class: 'notice', hidden: true });
    this.latency = el('span', { class: 'latency', 'data-testid': 'latency', title: 'How far the picture is behind the newest video received' });
    this.live = el('span', { class: 'live-dot', hidden: true }, 'LIVE');
    // The newest open plate alert of this camera, on the picture: the guard looks for that vehicle.
    this.plateTag = el('span', { class: 'plate-tag', 'data-testid': 'plate-tag', hidden: true });
    this.pill = el('span', { class: 'pill', 'data-testid': 'state' });
    // The crowd density over the picture, remembered per camera on this browser.
    this.heatKey = `gatewatch.heat.${key(w.agent, w.camera)}`;
    this.heatButton = el('button', {
      type: 'button', class: 'secondary heat-toggle', 'data-testid': 'heat', 'aria-pressed': 'false',
      title: 'Lay the crowd density estimate over the picture', onclick: () => this.setHeat(!this.overlay.heat),
    }, 'Heat');
    this.name = el('h2', { class: 'cam-name' });
    this.agentName = el('span', { class: 'agent-name' });
    this.todayIn = el('b', { 'data-testid': 'today-in' }, '–');
    this.todayOut = el('b', { 'data-testid': 'today-out' }, '–');
    this.today = el('span', { class: 'today', title: 'Entries and exits at this camera since midnight at the park' },
      el('span', { class: 'in' }, '↑ ', this.todayIn, ' in'), el('span', { class: 'out' }, '↓ ', this.todayOut, ' out'));
    this.today.hidden = todayMissing;
    this.counts = el('span', { class: 'counts' });
    this.root = el('article', {
      class: 'tile', 'data-testid': 'tile', 'data-agent': w.agent, 'data-camera': w.camera ?? '',
    },
    el('header', { class: 'tile-head' },
      el('div', { class: 'titles' }, this.name, this.agentName),
      this.heatButton,
      this.pill),
    this.stage = el('div', { class: 'stage' }, this.video, this.still, this.canvas, this.notice, this.live, this.plateTag, this.latency),
    el('footer', { class: 'tile-foot' }, this.today, this.counts));
    this.overlay = new Overlay(this.canvas, () => this.mediaSize(), () => (this.player?.playing ? this.player.latency() : 0));
    this.setHeat(localStorage.getItem(this.heatKey) === '1');
    new ResizeObserver(() => this.overlay.draw()).observe(this.canvas);
    this.video.addEventListener('loadedmetadata', () => {
      // The tile takes the camera's shape (4:3, 16:9...) so the picture fills it without bars.
      if (this.video.videoWidth) this.stage.style.aspectRatio = `${this.video.videoWidth} / ${this.video.videoHeight}`;
      this.overlay.draw();
    });
    this.still.addEventListener('load', () => {
      this.still.hidden = false;
      if (!this.video.videoWidth) this.stage.style.aspectRatio = `${this.still.naturalWidth} / ${this.still.naturalHeight}`;
      this.overlay.draw();
    });
    this.still.addEventListener('error', () => { this.still.hidden = true; });
    this.update(w);
  }

  setHeat(on) {
    this.overlay.heat = on;
    this.heatButton.setAttribute('aria-pressed', String(on));
    if (on) localStorage.setItem(this.heatKey, '1'); else localStorage.removeItem(this.heatKey);
    this.overlay.draw();
  }

  /** The picture shown now and its intrinsic size, for the overlay's letterbox maths. */
  mediaSize() {
    if (!this.video.hidden && this.video.videoWidth) return { w: this.video.videoWidth, h: this.video.videoHeight };
    if (!this.still.hidden && this.still.naturalWidth) return { w: this.still.naturalWidth, h: this.still.naturalHeight };
    return null;
  }

  update(w) {
    this.w = w;
    this.name.textContent = w.name || w.camera || w.agent;
    const agentName = w.agentName || w.agent;
    this.agentName.textContent = agentName === this.name.textContent ? '' : agentName;
    const state = w.state || 'unknown';
    this.pill.className = `pill ${state}`;
    this.pill.textContent = state;
    this.pill.title = w.since ? `${state} since ${wall(w.since)} (${parkZone()})` : state;
    this.root.dataset.state = state;
    const lines = Object.entries(w.lineCounts || {}).map(([id, c]) => `${id} ↑${c.in ?? c.In ?? 0} ↓${c.out ?? c.Out ?? 0}`);
    const zones = Object.entries(w.zoneCounts || {}).map(([id, n]) => `${id}: ${n}`);
    this.counts.textContent = [...lines, ...zones].join(' · ');
    this.counts.title = 'Since the agent started: line crossings, and people in each zone now';

    // An agent that did not answer in time: its tiles stay where they were, marked, until it answers again.
    const unreachable = w.reachable === false || state === 'unreachable' || !w.camera;
    this.root.classList.toggle('unreachable', unreachable);
    if (unreachable) {
      this.stopVideo();
      this.stopMeta();
      this.stopStill();
      this.still.hidden = true;
      this.show(`Agent unreachable: ${short(w.problem || 'no answer', 160)}`, 'bad');
      this.notice.title = w.problem || '';
      return;
    }
    if (state === 'offline') {
      this.stopVideo();
      this.stopMeta();
      this.stopStill();
      // The agent keeps the last analysed picture: better than a black tile, clearly marked as old.
      if (!this.offlineShot) {
        this.offlineShot = true;
        this.still.src = `${cameraPath(w.agent, w.camera)}/snapshot.jpg?t=${Date.now()}`;
      }
      this.root.classList.add('offline');
      this.show(`Camera offline${w.since ? ` since ${wallTime(w.since)}` : ''} — last picture shown`, 'bad');
      return;
    }
    this.offlineShot = false;
    this.root.classList.remove('offline');
    if (this.unsupported) this.startStill();
    else this.startVideo();
    this.startMeta();
  }

  show(text, kind = '') {
    this.notice.hidden = !text;
    this.notice.textContent = text || '';
    this.notice.className = `notice ${kind}`;
  }

  startVideo() {
    if (this.player) { this.player.start(); return; }
    this.video.hidden = false;
    this.player = new LivePlayer(this.video, `${cameraPath(this.agent, this.camera)}/video`, {
      state: (kind, text, why) => {
        this.root.dataset.video = kind;
        if (kind === 'playing') {
          this.still.hidden = true;
          this.live.hidden = false;
          this.show('');
        } else if (kind === 'unsupported') {
          this.unsupported = text;
          this.player = null;
          this.video.hidden = true;
          this.live.hidden = true;
          this.startStill();
        } else {
          this.live.hidden = true;
          this.show(why ? `${text} — ${short(why, 140)}` : text, kind === 'reconnecting' ? 'warn' : '');
          this.notice.title = why || '';
        }
      },
      latency: (s) => {
        this.latency.textContent = s === null ? '' : `${s.toFixed(2)} s`;
        this.latency.dataset.seconds = s === null ? '' : s.toFixed(3);
        this.latency.classList.toggle('slow', s !== null && s > 1.5);
      },
      frame: () => {
        this.root.dataset.playing = '1';
        this.overlay.draw();
      },
    });
    this.player.start();
  }

  stopVideo() {
    this.player?.stop();
    if (this.player) this.root.dataset.video = 'stopped';
    this.live.hidden = true;
    this.latency.textContent = '';
  }

  /** Fallback without MSE or the codec: the agent's latest picture once a second. */
  startStill() {
    if (this.stillTimer) return;
    this.show(`Stills once a second: ${this.unsupported}`, 'info');
    this.overlay.enabled = false; // the agent's picture already has the overlay drawn in
    const next = () => {
      const img = new Image();
      img.onload = () => {
        this.still.src = img.src;
        this.root.dataset.playing = '1';
      };
      img.src = `${cameraPath(this.agent, this.camera)}/snapshot.jpg?t=${Date.now()}`;
    };
    next();
    this.stillTimer = setInterval(next, SNAPSHOT_EVERY);
  }

  stopStill() {
    clearInterval(this.stillTimer);
    this.stillTimer = null;
  }

  startMeta() {
    if (this.meta) return;
    const es = new EventSource(`${cameraPath(this.agent, this.camera)}/meta`);
    es.onmessage = (e) => {
      try { this.overlay.update(JSON.parse(e.data)); } catch { /* a torn message: the next one follows */ }
    };
    es.onerror = () => {
      // EventSource reconnects by itself; a 404 (camera without analysis) closes it for good.
      if (es.readyState === EventSource.CLOSED) this.meta = null;
    };
    this.meta = es;
  }

  stopMeta() {
    this.meta?.close();
    this.meta = null;
    this.overlay.clear();
  }

  setToday(t) {
    this.todayIn.textContent = t ? t.in : 0;
    this.todayOut.textContent = t ? t.out : 0;
  }

  flash() {
    this.root.classList.remove('flash');
    void this.root.offsetWidth; // restart the animation
    this.root.classList.add('flash');
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => this.root.classList.remove('flash'), 6000);
  }

  destroy() {
    this.stopVideo();
    this.stopMeta();
    this.stopStill();
    this.root.remove();
  }
}

function layout(n) {
  const grid = document.getElementById('tiles');
  const cols = n <= 1 ? 1 : n <= 4 ? 2 : n <= 9 ? 3 : 4;
  grid.className = `tiles cols-${cols}`;
}

async function refreshWall() {
  let wall;
  try {
    wall = await api('/api/live/wall');
    say('', '', document.getElementById('wall-status'));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    say(`The console did not answer: ${e.message}. Retrying.`, 'error', document.getElementById('wall-status'));
    return;
  }
  const grid = document.getElementById('tiles');
  const keys = new Set();
  for (const w of wall) {
    const k = key(w.agent, w.camera);
    keys.add(k);
    let t = tiles.get(k);
    if (t) t.update(w);
    else {
      t = new Tile(w);
      tiles.set(k, t);
    }
    grid.append(t.root); // keeps the wall's order
  }
  for (const [k, t] of tiles) {
    if (!keys.has(k)) { t.destroy(); tiles.delete(k); }
  }
  document.getElementById('empty').hidden = wall.length > 0;
  layout(wall.length);
  markAlarms();
}

async function refreshToday() {
  try {
    const rows = await api('/api/live/today');
    todayMissing = false;
    const by = new Map(rows.map((r) => [key(r.agent, r.camera), r]));
    for (const [k, t] of tiles) {
      t.today.hidden = !t.camera;
      if (t.camera) t.setToday(by.get(k));
    }
  } catch (e) {
    // An older console has no such figure: hide it rather than show a wrong zero.
    todayMissing = true;
    for (const t of tiles.values()) t.today.hidden = true;
    return e instanceof ApiError && e.status === 404 ? 60000 : TODAY_EVERY;
  }
  return TODAY_EVERY;
}

// ---------------------------------------------------------------- alerts

const sound = {
  ctx: null,
  init() {
    const AC = window.AudioContext || window.webkitAudioContext;
    const button = document.getElementById('sound');
    if (!AC) { button.hidden = true; return; }
    this.ctx = new AC();
    const show = () => { button.hidden = this.ctx.state === 'running'; };
    this.ctx.addEventListener('statechange', show);
    button.addEventListener('click', () => this.ctx.resume().then(() => { show(); this.beep(1); }));
    // Any gesture on the page is enough for the browser.
    const unlock = () => this.ctx.resume().then(show);
    document.addEventListener('pointerdown', unlock, { once: true });
    document.addEventListener('keydown', unlock, { once: true });
    show();
  },
  beep(times = 3) {
    const ctx = this.ctx;
    if (!ctx || ctx.state !== 'running') return;
    const t0 = ctx.currentTime + 0.02;
    for (let i = 0; i < times; i++) {
      const at = t0 + i * 0.28;
      const o = ctx.createOscillator();
      const g = ctx.createGain();
      o.type = 'square';
      o.frequency.setValueAtTime(i % 2 ? 660 : 880, at);
      g.gain.setValueAtTime(0.0001, at);
      g.gain.exponentialRampToValueAtTime(0.18, at + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, at + 0.2);
      o.connect(g).connect(ctx.destination);
      o.start(at);
      o.stop(at + 0.22);
    }
    document.body.dataset.beeps = String(Number(document.body.dataset.beeps || 0) + 1);
  },
};

function agentName(agent) {
  for (const t of tiles.values()) if (t.agent === agent && t.w?.agentName) return t.w.agentName;
  return agent;
}

function cameraName(agent, camera) {
  const t = tiles.get(key(agent, camera));
  return t?.w?.name || camera;
}

/** An alert in words for a guard. */
export function describe(a) {
  const cam = cameraName(a.agent, a.camera);
  switch (a.type) {
    case 'crowd-start': return `Crowd gathering in zone ${a.data?.zone ?? '?'} at camera ${cam}`;
    case 'camera-offline': return `Camera ${cam} offline`;
    case 'agent-unreachable': return `Gate agent ${agentName(a.agent)} not answering: its cameras are not watched`;
    case 'recording-stopped': return `Camera ${cam} is not being recorded`;
    case 'plate-denied': return `Denied plate ${a.plate?.text ?? '?'} at camera ${cam}`;
    case 'plate-unlisted': return `Unlisted plate ${a.plate?.text ?? '?'} at camera ${cam}`;
    default: return `${a.type.replace(/-/g, ' ')} at camera ${cam}`;
  }
}

/**
 * How big a gathering is: when raised and at its peak. "about" where the zone was counted by the density estimate
 * (a crowd too dense for boxes), a plain number where people were followed one by one.
 */
export function crowdSize(a) {
  const start = a.data || {};
  const last = a.ended || start;
  const raised = start.counting === 'density' && Number.isFinite(start.estimate) ? `about ${Math.round(start.estimate)}` : start.peak;
  const approx = start.counting === 'density' || last.counting === 'density';
  const parts = [];
  if (raised) parts.push(`${raised} people when raised`);
  if (last.peak) parts.push(`peak ${approx ? 'about ' : ''}${last.peak}`);
  if (a.ended) parts.push('ended');
  return parts.join(' · ');
}

function detail(a) {
  if (a.type === 'crowd-start') return crowdSize(a);
  if (a.type === 'camera-offline' && a.data?.reason) return short(a.data.reason);
  if (a.type === 'recording-stopped') return [a.data?.lagSeconds ? `newest footage ${Math.round(a.data.lagSeconds)} s old` : null, a.data?.problem ? short(a.data.problem) : null].filter(Boolean).join(' · ');
  if (a.type === 'agent-unreachable') return [a.data?.lastSeen ? `last heard ${ago(a.data.lastSeen)}` : null, a.data?.problem ? short(a.data.problem) : null].filter(Boolean).join(' · ');
  if (a.plate) {
    const p = a.plate;
    return [a.data?.class, a.data?.direction === 'in' ? 'entering' : a.data?.direction === 'out' ? 'leaving' : null,
      p.matched || (p.status === 'unlisted' ? 'not on any list' : null),
      Number.isFinite(p.confidence) ? `read ${Math.round(p.confidence * 100)}% sure` : null].filter(Boolean).join(' · ');
  }
  return '';
}

/** The gist of a tool's error for a tile or a banner: its last line, not a page of ffmpeg output. */
export function short(text, max = 140) {
  const lines = String(text).split(/\n|\s\|\s/).map((l) => l.trim()).filter(Boolean);
  let t = lines.length > 1 ? lines[lines.length - 1] : (lines[0] || '');
  t = t.replace(/\[\w+ @ 0x[0-9a-f]+\]\s*/g, '');
  while (t.endsWith(')') && (t.match(/\)/g) || []).length > (t.match(/\(/g) || []).length) t = t.slice(0, -1);
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function ago(iso) {
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.floor(s / 60)} min ago` : `${Math.floor(s / 3600)} h ago`;
}

const alertEls = new Map(); // id -> element, kept across polls so a button does not vanish under a click

const ICONS = { 'camera-offline': '▣', 'agent-unreachable': '⌁', 'plate-denied': '✖', 'plate-unlisted': '?' };

/** The plate crop the agent cut, through the console's relay; gone quietly when the agent has no such file. */
function cropEl(a, cls) {
  if (!a.plate?.crop) return null;
  const img = el('img', { class: cls, src: a.plate.crop, alt: `Plate ${a.plate.text}`, 'data-testid': 'alert-crop' });
  img.addEventListener('error', () => { img.hidden = true; });
  return img;
}

function alertEl(a) {
  const ago_ = el('span', { class: 'ago' });
  const e = el('div', {
    class: `alert ${a.type}`, role: 'alert', 'data-testid': 'alert', 'data-id': a.id, 'data-type': a.type,
    'data-agent': a.agent, 'data-camera': a.camera,
  },
  el('span', { class: 'alert-icon', 'aria-hidden': 'true' }, ICONS[a.type] || '⚠'),
  cropEl(a, 'alert-crop'),
  el('div', { class: 'alert-text' },
    el('strong', { class: 'alert-what' }, describe(a)),
    el('span', { class: 'alert-meta', title: a.data?.reason || '' }, when(a.time), ago_, detail(a) ? ` · ${detail(a)}` : '')),
  el('button', { type: 'button', 'data-testid': 'ack', onclick: () => openAck(a) }, 'Acknowledge'));
  e.ago = ago_;
  return e;
}

function renderAlerts() {
  const box = document.getElementById('alerts');
  box.hidden = openAlerts.length === 0;
  const list = document.getElementById('alert-list');
  const ids = new Set(openAlerts.map((a) => a.id));
  for (const [id, e] of alertEls) if (!ids.has(id)) { e.remove(); alertEls.delete(id); }
  let prev = null;
  for (const a of openAlerts) {
    let e = alertEls.get(a.id);
    if (!e) { e = alertEl(a); alertEls.set(a.id, e); }
    e.querySelector('.alert-what').textContent = describe(a); // the camera's name may have arrived since
    e.ago.textContent = ` · ${ago(a.time)}`;
    const want = prev ? prev.nextSibling : list.firstChild;
    if (want !== e) list.insertBefore(e, want);
    prev = e;
  }
  document.getElementById('alert-count').textContent = openAlerts.length === 1 ? '1 open alert' : `${openAlerts.length} open alerts`;
}

function markAlarms() {
  const hot = new Set(openAlerts.map((a) => key(a.agent, a.camera)));
  // An agent's own alert concerns every one of its tiles.
  const lostAgents = new Set(openAlerts.filter((a) => a.type === 'agent-unreachable').map((a) => a.agent));
  const plates = new Map(); // the newest open plate alert per camera (openAlerts is newest first)
  for (const a of openAlerts) if (a.plate && !plates.has(key(a.agent, a.camera))) plates.set(key(a.agent, a.camera), a);
  for (const [k, t] of tiles) {
    t.root.classList.toggle('alarm', hot.has(k) || lostAgents.has(t.agent));
    const p = plates.get(k);
    t.plateTag.hidden = !p;
    t.plateTag.textContent = p ? p.plate.text : '';
    t.plateTag.className = `plate-tag ${p ? p.type : ''}`;
    t.plateTag.title = p ? describe(p) : '';
    t.root.dataset.plateAlert = p ? p.type : '';
  }
}

async function refreshAlerts() {
  let list;
  try {
    list = await api('/api/alerts?open=true');
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) say(`Alerts could not be read: ${e.message}`, 'error', document.getElementById('wall-status'));
    return;
  }
  list.sort((a, b) => new Date(b.time) - new Date(a.time));
  const fresh = list.filter((a) => !seenAlerts.has(a.id));
  for (const a of fresh) {
    seenAlerts.add(a.id);
    if (a.type === 'agent-unreachable') for (const t of tiles.values()) { if (t.agent === a.agent) t.flash(); }
    else tiles.get(key(a.agent, a.camera))?.flash();
  }
  if (fresh.length) sound.beep();
  openAlerts = list.filter((a) => !a.acknowledged && !acked.has(a.id));
  renderAlerts();
  markAlarms();
}

const acked = new Set(); // acknowledged here, before the next poll says so

let acking = null;
function openAck(a) {
  acking = a;
  const dialog = document.getElementById('ack-dialog');
  document.getElementById('ack-what').replaceChildren(cropEl(a, 'ack-crop') || '', el('strong', {}, describe(a)), el('br'), when(a.time),
    detail(a) ? el('span', { class: 'muted' }, ` · ${detail(a)}`) : '');
  const note = document.getElementById('ack-note');
  note.value = '';
  say('', '', document.getElementById('ack-status'));
  dialog.showModal();
  note.focus();
}

async function confirmAck(ev) {
  ev.preventDefault();
  const a = acking;
  const note = document.getElementById('ack-note');
  const status = document.getElementById('ack-status');
  if (!a) return;
  if (!note.value.trim()) {
    say('Write what you saw or did: the note is required.', 'error', status);
    note.focus();
    return;
  }
  const button = document.getElementById('ack-confirm');
  button.disabled = true;
  try {
    await api(`/api/alerts/${encodeURIComponent(a.id)}/acknowledge`, { method: 'POST', body: { note: note.value.trim() } });
    done(a);
    say(`Acknowledged: ${describe(a)}`, 'ok', document.getElementById('wall-status'));
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) {
      done(a);
      say(`Already acknowledged by someone else: ${describe(a)}`, '', document.getElementById('wall-status'));
    } else {
      say(e.message, 'error', status);
    }
  } finally {
    button.disabled = false;
  }
}

function done(a) {
  acked.add(a.id);
  openAlerts = openAlerts.filter((x) => x.id !== a.id);
  renderAlerts();
  markAlarms();
  document.getElementById('ack-dialog').close();
  acking = null;
  refreshAcked();
}

async function refreshAcked() {
  try {
    const since = Date.now() - 24 * 3600 * 1000;
    const list = (await api(`/api/alerts?since=${since}`)).filter((a) => a.acknowledged).slice(0, 10);
    const box = document.getElementById('acked');
    box.hidden = list.length === 0;
    document.getElementById('acked-count').textContent = `Acknowledged in the last 24 h (${list.length}${list.length === 10 ? '+' : ''})`;
    document.getElementById('acked-list').replaceChildren(...list.map((a) => el('li', { 'data-testid': 'acked', 'data-id': a.id },
      el('span', { class: 'acked-what' }, describe(a)), ' ', when(a.time),
      el('span', { class: 'muted' }, ` — ${a.acknowledged.by}, `), when(a.acknowledged.time),
      el('span', { class: 'note' }, a.acknowledged.note))));
  } catch { /* optional figure */ }
}

// ---------------------------------------------------------------- page

function loop(fn, every) {
  const run = async () => {
    let wait = every;
    try { wait = (await fn()) || every; } finally { setTimeout(run, wait); }
  };
  run();
}

function clock() {
  const c = document.getElementById('clock');
  const tick = () => { c.textContent = `${wallTime(Date.now())} ${offsetName()}`; c.title = parkZone(); };
  tick();
  setInterval(tick, 1000);
}

async function main() {
  await start('watch');
  sound.init();
  clock();
  document.getElementById('ack-form').addEventListener('submit', confirmAck);
  document.getElementById('ack-cancel').addEventListener('click', () => document.getElementById('ack-dialog').close());
  await refreshWall();
  await Promise.all([refreshToday(), refreshAlerts()]);
  document.body.dataset.ready = '1';
  setTimeout(() => loop(refreshWall, WALL_EVERY), WALL_EVERY);
  setTimeout(() => loop(refreshToday, TODAY_EVERY), TODAY_EVERY);
  setTimeout(() => loop(refreshAlerts, ALERTS_EVERY), ALERTS_EVERY);
  loop(refreshAcked, ACKED_EVERY);
  // Relative times in the banner move on by themselves.
  setInterval(renderAlerts, 15000);
  // Overlays follow the video's latency, and drop stale boxes even when no metadata arrives.
  const frame = () => { for (const t of tiles.values()) t.overlay.tick(); requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  setInterval(() => { for (const t of tiles.values()) t.overlay.draw(); }, 1000);
}

main().catch((e) => {
  if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return;
  say(`The wall could not start: ${e.message}`, 'error', document.getElementById('wall-status'));
});
