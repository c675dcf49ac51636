import { api, ApiError, start, el, when, say } from './api.js';
import { LivePlayer } from './mse.js';
import { Overlay } from './overlay.js';
import { wall, wallTime, offsetName, parkZone } from './clock.js';
import { t, tn, has, num, locale, className } from './i18n.js';

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
/** n with exactly digits decimals, as the user's language writes it ("0,42" in Vietnamese, "0.42" in English). */
const fixed = (n, digits) => new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
/** A camera's state as guards call it; a state no table knows is shown as sent. */
const stateName = (s) => (has(`live.state.${s}`) ? t(`live.state.${s}`) : s);

// ---------------------------------------------------------------- tiles

class Tile {
  constructor(w) {
    this.agent = w.agent;
    this.camera = w.camera;
    this.video = el('video', { muted: true, autoplay: true, playsinline: true, 'data-testid': 'video', 'aria-label': t('live.tile.video', { name: w.name || w.camera || w.agent }) });
    this.video.muted = true;
    this.still = el('img', { class: 'still', alt: '', hidden: true });
    this.canvas = el('canvas', { class: 'overlay', 'data-testid': 'overlay', 'aria-hidden': 'true' });
    this.notice = el('div', { class: 'notice', hidden: true });
    this.latency = el('span', { class: 'latency', 'data-testid': 'latency', title: t('live.tile.latencyTitle') });
    this.live = el('span', { class: 'live-dot', hidden: true }, t('live.tile.live'));
    // The newest open plate alert of this camera, on the picture: the guard looks for that vehicle.
    this.plateTag = el('span', { class: 'plate-tag', 'data-testid': 'plate-tag', translate: 'no', hidden: true });
    this.pill = el('span', { class: 'pill', 'data-testid': 'state' });
    // The crowd density over the picture, remembered per camera on this browser.
    this.heatKey = `gatewatch.heat.${key(w.agent, w.camera)}`;
    this.heatButton = el('button', {
      type: 'button', class: 'secondary heat-toggle', 'data-testid': 'heat', 'aria-pressed': 'false',
      title: t('live.tile.heatTitle'), onclick: () => this.setHeat(!this.overlay.heat),
    }, t('live.tile.heat'));
    this.name = el('h2', { class: 'cam-name', translate: 'no' });
    this.agentName = el('span', { class: 'agent-name', translate: 'no' });
    this.todayIn = el('b', { 'data-testid': 'today-in' }, '–');
    this.todayOut = el('b', { 'data-testid': 'today-out' }, '–');
    this.today = el('span', { class: 'today', title: t('live.today.title') },
      el('span', { class: 'in' }, '↑ ', this.todayIn, ' ', t('live.today.in')), el('span', { class: 'out' }, '↓ ', this.todayOut, ' ', t('live.today.out')));
    this.today.hidden = todayMissing;
    this.counts = el('span', { class: 'counts', translate: 'no' }); // line and zone ids with their figures
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
    this.pill.textContent = stateName(state);
    this.pill.title = w.since ? t('live.state.since', { state: stateName(state), time: wall(w.since), zone: parkZone() }) : stateName(state);
    this.root.dataset.state = state;
    const lines = Object.entries(w.lineCounts || {}).map(([id, c]) => `${id} ↑${c.in ?? c.In ?? 0} ↓${c.out ?? c.Out ?? 0}`);
    const zones = Object.entries(w.zoneCounts || {}).map(([id, n]) => `${id}: ${n}`);
    this.counts.textContent = [...lines, ...zones].join(' · ');
    this.counts.title = t('live.tile.countsTitle');

    // An agent that did not answer in time: its tiles stay where they were, marked, until it answers again.
    const unreachable = w.reachable === false || state === 'unreachable' || !w.camera;
    this.root.classList.toggle('unreachable', unreachable);
    if (unreachable) {
      this.stopVideo();
      this.stopMeta();
      this.stopStill();
      this.still.hidden = true;
      if (w.problem) this.show(t('live.tile.unreachable'), 'bad', w.problem, 160, ': ');
      else this.show(t('live.tile.unreachableNoAnswer'), 'bad');
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
      this.show(w.since ? t('live.tile.offlineSince', { time: wallTime(w.since) }) : t('live.tile.offline'), 'bad');
      return;
    }
    this.offlineShot = false;
    this.root.classList.remove('offline');
    if (this.unsupported) this.startStill();
    else this.startVideo();
    this.startMeta();
  }

  /**
   * The notice over the picture: text (from the table), then what went wrong as the agent, server or browser said it
   * (why, cut to its gist, whole in its title), kept as sent.
   */
  show(text, kind = '', why = null, max = 140, sep = ' — ') {
    this.notice.hidden = !text;
    this.notice.replaceChildren(...(text ? [text] : []), ...(text && why ? [sep, el('span', { translate: 'no', title: why }, short(why, max))] : []));
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
          this.show(text, kind === 'reconnecting' ? 'warn' : '', why || null);
        }
      },
      latency: (s) => {
        this.latency.textContent = s === null ? '' : t('live.tile.latency', { s: fixed(s, 2) });
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
    this.show(t('live.tile.stills', { why: this.unsupported }), 'info');
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
    this.todayIn.textContent = num(t ? t.in : 0);
    this.todayOut.textContent = num(t ? t.out : 0);
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
  grid.className = `tiles cols-${cols} one-at-a-time`;
}

// ---------------------------------------------------------------- one camera at a time (a phone)
// On a narrow screen the CSS shows only the current tile; the picker and a sideways swipe change it. The choice is
// remembered on this device. On a wide screen every tile shows and the picker is not displayed.
const PICK_KEY = 'gatewatch.wall.camera';
let current = (() => { try { return localStorage.getItem(PICK_KEY); } catch { return null; } })();

function pick(k) {
  if (!tiles.has(k)) k = tiles.keys().next().value ?? null;
  current = k;
  try { if (k) localStorage.setItem(PICK_KEY, k); } catch { /* private mode */ }
  for (const [tk, t] of tiles) t.root.classList.toggle('current', tk === k);
  const select = document.getElementById('camera-pick');
  if (select && k) select.value = k;
}

function refreshPicker() {
  const select = document.getElementById('camera-pick');
  const label = (t) => [t.w?.name || t.camera, t.w?.agentName || t.agent].filter(Boolean).join(' · ');
  // Rebuilt only when the cameras changed: the wall refreshes every few seconds, and a list rebuilt under the
  // guard's thumb closes while they choose.
  const wanted = [...tiles].map(([k, t]) => `${k}\t${label(t)}`).join('\n');
  if (select.dataset.cameras !== wanted) {
    select.replaceChildren(...[...tiles].map(([k, t]) => el('option', { value: k, translate: 'no' }, label(t))));
    select.dataset.cameras = wanted;
  }
  pick(current);
}

function step(by) {
  const keys = [...tiles.keys()];
  if (!keys.length) return;
  const i = Math.max(0, keys.indexOf(current));
  pick(keys[(i + by + keys.length) % keys.length]);
}

function swipes() {
  const grid = document.getElementById('tiles');
  let from = null;
  grid.addEventListener('touchstart', (e) => { from = e.touches.length === 1 ? { x: e.touches[0].clientX, y: e.touches[0].clientY } : null; }, { passive: true });
  grid.addEventListener('touchend', (e) => {
    if (!from) return;
    const dx = e.changedTouches[0].clientX - from.x, dy = e.changedTouches[0].clientY - from.y;
    from = null;
    // A deliberate sideways stroke, not a scroll: wider than a thumb's wobble and flatter than it is tall.
    if (Math.abs(dx) > 60 && Math.abs(dx) > 2 * Math.abs(dy)) step(dx < 0 ? 1 : -1);
  }, { passive: true });
  document.getElementById('camera-pick').addEventListener('change', (e) => pick(e.target.value));
}

async function refreshWall() {
  let wall;
  try {
    wall = await api('/api/live/wall');
    say('', '', document.getElementById('wall-status'));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    say(t('live.wall.noAnswer', { why: e.message }), 'error', document.getElementById('wall-status'));
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
  refreshPicker();
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
    case 'crowd-start': return t('live.alert.crowd-start', { zone: a.data?.zone ?? '?', camera: cam });
    case 'camera-offline': return t('live.alert.camera-offline', { camera: cam });
    case 'agent-unreachable': return t('live.alert.agent-unreachable', { agent: agentName(a.agent) });
    case 'recording-stopped': return t('live.alert.recording-stopped', { camera: cam });
    case 'plate-denied': return t('live.alert.plate-denied', { plate: a.plate?.text ?? '?', camera: cam });
    case 'plate-unlisted': return t('live.alert.plate-unlisted', { plate: a.plate?.text ?? '?', camera: cam });
    default: return t('live.alert.other', { type: a.type.replace(/-/g, ' '), camera: cam });
  }
}

/**
 * How big a gathering is: when raised and at its peak, as a list of phrases. "about" where the zone was counted by
 * the density estimate (a crowd too dense for boxes), a plain number where people were followed one by one.
 */
export function crowdSize(a) {
  const start = a.data || {};
  const last = a.ended || start;
  const estimated = start.counting === 'density' && Number.isFinite(start.estimate);
  const approx = start.counting === 'density' || last.counting === 'density';
  const parts = [];
  if (estimated || start.peak) {
    parts.push(estimated ? t('live.crowd.raisedAbout', { n: Math.round(start.estimate) }) : t('live.crowd.raised', { n: start.peak }));
  }
  if (last.peak) parts.push(approx ? t('live.crowd.peakAbout', { n: last.peak }) : t('live.crowd.peak', { n: last.peak }));
  if (a.ended) parts.push(t('live.crowd.ended'));
  return parts;
}

/** What the agent, server or tool said, cut to its gist (whole in its title): data, kept as sent. */
const said = (text) => el('span', { translate: 'no', title: text }, short(text));

/** The alert's details: a list of phrases from the table and of what programs said (elements). */
function detail(a) {
  if (a.type === 'crowd-start') return crowdSize(a);
  if (a.type === 'camera-offline' && a.data?.reason) return [said(a.data.reason)];
  if (a.type === 'recording-stopped') return [a.data?.lagSeconds ? t('live.detail.footageAge', { n: Math.round(a.data.lagSeconds) }) : null, a.data?.problem ? said(a.data.problem) : null].filter(Boolean);
  if (a.type === 'agent-unreachable') return [a.data?.lastSeen ? t('live.detail.lastHeard', { ago: ago(a.data.lastSeen) }) : null, a.data?.problem ? said(a.data.problem) : null].filter(Boolean);
  if (a.plate) {
    const p = a.plate;
    return [a.data?.class ? className(a.data.class) : null,
      a.data?.direction === 'in' ? t('live.detail.entering') : a.data?.direction === 'out' ? t('live.detail.leaving') : null,
      p.matched ? el('span', { translate: 'no' }, p.matched) : p.status === 'unlisted' ? t('live.detail.notListed') : null,
      Number.isFinite(p.confidence) ? t('live.detail.confidence', { pct: Math.round(p.confidence * 100) }) : null].filter(Boolean);
  }
  return [];
}

/** The details as nodes, each after " · ": every phrase its own text, as the table gave it. */
function detailNodes(a) {
  return detail(a).flatMap((d) => [' · ', d]);
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
  return s < 60 ? t('live.ago.seconds', { n: s }) : s < 3600 ? t('live.ago.minutes', { n: Math.floor(s / 60) }) : t('live.ago.hours', { n: Math.floor(s / 3600) });
}

const alertEls = new Map(); // id -> element, kept across polls so a button does not vanish under a click

const ICONS = { 'camera-offline': '▣', 'agent-unreachable': '⌁', 'plate-denied': '✖', 'plate-unlisted': '?' };

/** The plate crop the agent cut, through the console's relay; gone quietly when the agent has no such file. */
function cropEl(a, cls) {
  if (!a.plate?.crop) return null;
  const img = el('img', { class: cls, src: a.plate.crop, alt: t('live.alert.cropAlt', { plate: a.plate.text }), 'data-testid': 'alert-crop' });
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
    el('span', { class: 'alert-meta' }, when(a.time), ago_, detailNodes(a))),
  el('button', { type: 'button', 'data-testid': 'ack', onclick: () => openAck(a) }, t('common.acknowledge')));
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
    e.ago.replaceChildren(' · ', ago(a.time));
    const want = prev ? prev.nextSibling : list.firstChild;
    if (want !== e) list.insertBefore(e, want);
    prev = e;
  }
  document.getElementById('alert-count').textContent = tn('live.alerts.open', openAlerts.length);
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
    if (!(e instanceof ApiError && e.status === 401)) say(t('live.alerts.readError', { why: e.message }), 'error', document.getElementById('wall-status'));
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
    detail(a).length ? el('span', { class: 'muted' }, detailNodes(a)) : '');
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
    say(t('live.ack.noteRequired'), 'error', status);
    note.focus();
    return;
  }
  const button = document.getElementById('ack-confirm');
  button.disabled = true;
  try {
    await api(`/api/alerts/${encodeURIComponent(a.id)}/acknowledge`, { method: 'POST', body: { note: note.value.trim() } });
    done(a);
    say(t('live.ack.done', { what: describe(a) }), 'ok', document.getElementById('wall-status'));
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) {
      done(a);
      say(t('live.ack.already', { what: describe(a) }), '', document.getElementById('wall-status'));
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
    document.getElementById('acked-count').textContent = list.length === 10 ? t('live.acked.summaryMore', { n: list.length }) : t('live.acked.summary', { n: list.length });
    document.getElementById('acked-list').replaceChildren(...list.map((a) => el('li', { 'data-testid': 'acked', 'data-id': a.id },
      el('span', { class: 'acked-what' }, describe(a)), ' ', when(a.time),
      el('span', { class: 'muted' }, ' — ', el('span', { translate: 'no' }, a.acknowledged.by), ', '), when(a.acknowledged.time),
      el('span', { class: 'note', translate: 'no' }, a.acknowledged.note))));
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
  swipes();
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
  say(t('live.wall.startError', { why: e.message }), 'error', document.getElementById('wall-status'));
});
