// Recordings: a camera's day on a timeline (footage, gaps, events), played from any moment.
// Deep link: recordings.html?agent=A&camera=C&t=ISO opens that camera at that moment and plays.
import { api, start, el, say } from './api.js';
import { parkZone, wallHm } from './clock.js';
import { t, tn, locale } from './i18n.js';
import { utc, local, localTime, zoneName, dateValue, localMidnight, duration, eventLabel, eventDetail, ready } from './review-util.js';

const $ = (id) => document.getElementById(id);
const video = $('player');
const canvas = $('timeline');
const tip = $('tip');

/** A recording hole shorter than this is timestamp jitter between segments, not missing footage. */
const GAP_MS = 2000;
const MIN_SPAN_MS = 30_000;
const DEFAULT_FPS = 15;
const ALERT_TYPES = ['crowd-start', 'crowd-end', 'camera-offline', 'camera-online', 'agent-unreachable', 'agent-reachable', 'recording-stopped', 'recording-resumed'];

const state = {
  cameras: [],
  cam: null,             // {agent, camera, ...}
  dayStart: 0, dayEnd: 0,
  segments: [],          // [{file, start, end (ms), bytes, complete, protected}]
  gaps: [],              // [{from, to}] within the day, up to now
  events: [],            // [{id, type, t, data}]
  crowd: [],             // [{from, to}] crowd episodes
  offline: [],           // [{from, to}] camera offline periods
  unreachable: [],       // [{from, to}] the whole agent unreachable from the console
  v0: 0, v1: 0,          // the visible part of the day
  seg: -1,               // index of the segment in the player
  playhead: null,        // ms shown, or null
  fps: DEFAULT_FPS, fpsMeasured: false,
  hoverX: null,
  drag: null,            // {wasPlaying, moved, x}
  loadToken: 0,
  // Bumped by every move the reviewer makes. A continuation begun earlier (the next segment after an end, a
  // segment still loading) sees it changed and gives way, so a step is never undone by playback resuming.
  intent: 0,
  pending: null,         // ms the player is being moved to while a segment loads, else null
};

// ---------- times ----------

const segUrl = (s) => `/api/recordings/${encodeURIComponent(state.cam.agent)}/${encodeURIComponent(state.cam.camera)}/segments/${encodeURIComponent(s.file)}`;

/** The absolute time (ms) the player shows, or null. */
function shownTime() {
  if (state.pending !== null) return state.pending;
  const s = state.segments[state.seg];
  if (!s || !video.src) return state.playhead;
  return s.start + video.currentTime * 1000;
}

function segmentAt(t) {
  return state.segments.findIndex((s) => t >= s.start && t < s.end);
}

// ---------- loading ----------

async function loadCameras() {
  state.cameras = await api('/api/cameras');
  const sel = $('camera');
  sel.replaceChildren(...state.cameras.map((c, i) => el('option', { value: String(i) },
    t(c.reachable === false ? 'rec.cam.optionSilent' : 'rec.cam.option', { agent: c.agentName || c.agent, camera: c.name || c.camera }))));
  if (!state.cameras.length) sel.append(el('option', { value: '' }, t('rec.cam.none')));
}

function pickCamera(agent, camera) {
  let i = state.cameras.findIndex((c) => c.agent === agent && c.camera === camera);
  if (i < 0 && agent && camera) {
    state.cameras.push({ agent, agentName: agent, camera, name: camera, reachable: false });
    i = state.cameras.length - 1;
    $('camera').append(el('option', { value: String(i) }, t('rec.cam.optionUnlisted', { agent, camera })));
  }
  if (i >= 0) $('camera').value = String(i);
  return i;
}

function showDay() {
  const d = $('day').value;
  state.dayStart = localMidnight(d).getTime();
  state.dayEnd = localMidnight(d, 1).getTime();
  const hours = Math.round((state.dayEnd - state.dayStart) / 3_600_000);
  const date = new Date(state.dayStart + 12 * 3_600_000).toLocaleDateString(locale(), { timeZone: parkZone(), weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
  const zone = zoneName(new Date(state.dayStart));
  $('day-local').textContent = hours !== 24 ? t('rec.day.infoClockChange', { date, zone, hours }) : t('rec.day.info', { date, zone });
  $('day-utc').textContent = t('rec.day.utc', { from: utc(state.dayStart), to: utc(state.dayEnd) });
}

/** Loads the chosen camera's day: segments, events; then draws. */
async function loadDay({ keepView = false } = {}) {
  const token = ++state.loadToken;
  const idx = Number($('camera').value);
  state.cam = Number.isFinite(idx) ? state.cameras[idx] : null;
  showDay();
  if (!keepView) { state.v0 = state.dayStart; state.v1 = state.dayEnd; }
  stopPlayer();
  state.segments = []; state.events = []; state.gaps = []; state.crowd = []; state.offline = []; state.unreachable = [];
  draw();
  if (!state.cam) { say(t('rec.noCamera'), 'error'); return; }
  updateUrl();
  say(t('rec.loadingDay'));
  const q = `from=${encodeURIComponent(new Date(state.dayStart).toISOString())}&to=${encodeURIComponent(new Date(state.dayEnd).toISOString())}`;
  const base = `/api/recordings/${encodeURIComponent(state.cam.agent)}/${encodeURIComponent(state.cam.camera)}`;
  const problems = [];
  const [segs, events] = await Promise.all([
    api(`${base}/segments?${q}`).catch((e) => { problems.push(t('rec.problem.footage', { why: e.message })); return []; }),
    api(`${base}/events?${q}`).catch((e) => { problems.push(t('rec.problem.events', { why: e.message })); return []; }),
  ]);
  if (token !== state.loadToken) return;
  setSegments(segs);
  setEvents(events);
  draw();
  renderSide();
  if (problems.length) say(t('rec.loadPartial', { problems: problems.join('; ') }), 'error');
  else if (!state.segments.length) say(t('rec.noFootageDay'), '');
  else say(tn('rec.loaded', state.segments.length, { total: duration(state.segments.reduce((a, s) => a + (s.end - s.start), 0) / 1000) }), 'ok');
}

function setSegments(list) {
  state.segments = (list || []).map((s) => ({ ...s, start: Date.parse(s.start), end: Date.parse(s.end) }))
    .filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end) && s.end > s.start)
    .sort((a, b) => a.start - b.start);
  // Holes in the footage between the day's start and now (the future is not missing).
  const limit = Math.min(state.dayEnd, Date.now());
  const gaps = [];
  let at = state.dayStart;
  for (const s of state.segments) {
    if (s.start - at > GAP_MS && at < limit) gaps.push({ from: at, to: Math.min(s.start, limit) });
    at = Math.max(at, s.end);
  }
  if (limit - at > GAP_MS) gaps.push({ from: at, to: limit });
  state.gaps = gaps;
}

function setEvents(list) {
  state.events = (list || []).map((e) => ({ ...e, t: Date.parse(e.time) })).sort((a, b) => a.t - b.t);
  // Crowd episodes and offline periods as spans: a start without an end lasts to the end of what is known.
  const open = Math.min(state.dayEnd, Date.now());
  const spans = (startType, endType) => {
    const out = [];
    let from = null;
    for (const e of state.events) {
      if (e.type === startType && from === null) from = e.type === 'crowd-start' && e.data?.startTime ? Math.min(Date.parse(e.data.startTime) || e.t, e.t) : e.t;
      else if (e.type === endType && from !== null) { out.push({ from, to: e.t }); from = null; }
    }
    if (from !== null) out.push({ from, to: Math.max(from, open) });
    return out;
  };
  state.crowd = spans('crowd-start', 'crowd-end');
  state.offline = spans('camera-offline', 'camera-online');
  // The console raises the alert once the agent has been silent a while: the span starts when it was last heard.
  state.unreachable = spans('agent-unreachable', 'agent-reachable').map((s) => {
    const start = state.events.find((e) => e.type === 'agent-unreachable' && e.t === s.from);
    const last = Date.parse(start?.data?.lastSeen ?? '');
    return { from: Number.isFinite(last) && last < s.from ? last : s.from, to: s.to };
  });
}

/** Fetches the segment list again (the newest segment grows while it is recorded); true if it changed. */
async function refreshSegments() {
  if (!state.cam) return false;
  const cur = state.segments[state.seg];
  const q = `from=${encodeURIComponent(new Date(state.dayStart).toISOString())}&to=${encodeURIComponent(new Date(state.dayEnd).toISOString())}`;
  try {
    const list = await api(`/api/recordings/${encodeURIComponent(state.cam.agent)}/${encodeURIComponent(state.cam.camera)}/segments?${q}`);
    const before = state.segments.length + ':' + (state.segments.at(-1)?.end ?? 0);
    setSegments(list);
    if (cur) state.seg = state.segments.findIndex((s) => s.file === cur.file);
    draw();
    return before !== state.segments.length + ':' + (state.segments.at(-1)?.end ?? 0);
  } catch { return false; }
}

/** While today is shown, new footage and events appear on the timeline without a reload. */
async function refreshToday() {
  if (!state.cam || state.drag || document.hidden || Date.now() >= state.dayEnd || Date.now() < state.dayStart) return;
  await refreshSegments();
  const q = `from=${encodeURIComponent(new Date(state.dayStart).toISOString())}&to=${encodeURIComponent(new Date(state.dayEnd).toISOString())}`;
  try {
    const events = await api(`/api/recordings/${encodeURIComponent(state.cam.agent)}/${encodeURIComponent(state.cam.camera)}/events?${q}`);
    if (events.length !== state.events.length) { setEvents(events); renderSide(); }
    draw();
  } catch { /* the next round tries again */ }
}

// ---------- side list ----------

function deepLink(t) {
  const p = new URLSearchParams({ agent: state.cam.agent, camera: state.cam.camera, t: new Date(t).toISOString() });
  return `/recordings.html?${p}`;
}

function renderSide() {
  const alerts = state.events.filter((e) => ALERT_TYPES.includes(e.type));
  const list = $('alerts');
  if (!alerts.length) list.replaceChildren(el('li', { class: 'muted' }, t('rec.alerts.none')));
  else {
    list.replaceChildren(...alerts.map((e) => {
      // Play from a little before: the moment the crowd began, else a few seconds before the event.
      const from = e.type === 'crowd-start' && e.data?.startTime ? Date.parse(e.data.startTime) - 5000 : e.t - 5000;
      const link = el('a', { href: deepLink(from), class: 'play', 'data-testid': 'alert-play', title: t('rec.alerts.playFrom', { time: utc(from) }) }, t('rec.alerts.play'));
      link.addEventListener('click', (ev) => { ev.preventDefault(); history.replaceState(null, '', link.href); if (state.v1 - state.v0 > 3_600_000) centerOn(from, 20 * 60_000); playAt(from, true); });
      return el('li', { class: `ev ${e.type}`, 'data-testid': 'alert-row', dataset: { type: e.type } },
        el('i', { class: 'dot' }),
        el('div', { class: 'grow' },
          el('div', {}, el('strong', {}, eventLabel(e.type)), ' ', el('span', { class: 'muted' }, eventDetail(e))),
          el('div', { class: 'small muted' }, t('rec.alerts.when', { local: localTime(e.t), utc: utc(e.t).slice(11) }))),
        link);
    }));
  }
  const cross = state.events.filter((e) => e.type === 'crossing');
  const ins = cross.filter((e) => e.data?.direction === 'in').length;
  $('crossings').replaceChildren(cross.length
    ? el('span', {}, el('span', { class: 'in-text' }, t('rec.cross.in', { n: ins })), ' · ', el('span', { class: 'out-text' }, t('rec.cross.out', { n: cross.length - ins })),
      ' ', tn('rec.cross.total', cross.length))
    : t('rec.cross.none'));
}

// ---------- player ----------

function stopPlayer() {
  state.intent++;
  setPending(null);
  video.pause();
  video.removeAttribute('src');
  video.load();
  state.seg = -1;
  state.playhead = null;
  $('no-footage').hidden = true;
  $('seginfo').textContent = '';
  readout(null);
}

/** Plays (or, with play = false, shows) the moment t: the segment holding it, at the right offset. */
async function playAt(t, play = true) {
  if (!state.cam) return;
  const intent = ++state.intent;
  if (t < state.dayStart || t >= state.dayEnd) {
    // Another day: switch the date, load, then play.
    $('day').value = dateValue(t);
    await loadDay();
    if (intent !== state.intent) return false;
  }
  state.playhead = t;
  let i = segmentAt(t);
  if (i < 0 && t > (state.segments.at(-1)?.end ?? state.dayStart) && t <= Date.now()) {
    // Footage recorded since the day was loaded: ask again before saying there is none.
    setPending(t);
    await refreshSegments();
    if (intent !== state.intent) return false;
    setPending(null);
    i = segmentAt(t);
  }
  if (i < 0) {
    noFootage(t);
    draw();
    return false;
  }
  $('no-footage').hidden = true;
  await loadSegment(i, (t - state.segments[i].start) / 1000, play);
  return true;
}

function noFootage(when) {
  video.pause();
  const before = [...state.segments].reverse().find((s) => s.end <= when);
  const after = state.segments.find((s) => s.start > when);
  const box = $('no-footage');
  const parts = [el('strong', {}, t('rec.nf.title', { local: localTime(when), utc: utc(when) }))];
  const goto = (label, at) => {
    const b = el('button', { type: 'button', class: 'secondary small' }, label);
    b.addEventListener('click', () => playAt(at, true));
    return b;
  };
  if (before) parts.push(el('div', {}, t('rec.nf.before', { local: localTime(before.end), utc: utc(before.end), ago: duration((when - before.end) / 1000) }), ' ', goto(t('rec.nf.playBefore'), Math.max(before.start, before.end - 10_000))));
  if (after) parts.push(el('div', {}, t('rec.nf.after', { local: localTime(after.start), utc: utc(after.start), later: duration((after.start - when) / 1000) }), ' ', goto(t('rec.nf.playAfter'), after.start)));
  if (!before && !after) parts.push(el('div', {}, t('rec.nf.nothing')));
  else if (!before) parts.push(el('div', { class: 'muted' }, t('rec.nf.nothingEarlier')));
  else if (!after) parts.push(el('div', { class: 'muted' }, t('rec.nf.nothingLater')));
  const off = state.offline.find((o) => when >= o.from && when <= o.to);
  if (off) parts.push(el('div', { class: 'bad-text' }, t('rec.nf.offline', { from: localTime(off.from), to: localTime(off.to) })));
  const lost = state.unreachable.find((o) => when >= o.from && when <= o.to);
  if (lost) parts.push(el('div', { class: 'bad-text' }, t('rec.nf.unreachable', { from: localTime(lost.from), to: localTime(lost.to) })));
  box.replaceChildren(...parts);
  box.hidden = false;
  const near = { utc: utc(when), before: before && utc(before.end), after: after && utc(after.start) };
  say(t(before && after ? 'rec.nf.sayBoth' : before ? 'rec.nf.sayBefore' : after ? 'rec.nf.sayAfter' : 'rec.nf.say', near), 'error');
  readout(when);
}

function waitFor(target, event) {
  return new Promise((resolve, reject) => {
    const ok = () => { cleanup(); resolve(); };
    const bad = () => { cleanup(); reject(new Error(video.error?.message || t('rec.seg.unplayable'))); };
    const cleanup = () => { target.removeEventListener(event, ok); target.removeEventListener('error', bad); };
    target.addEventListener(event, ok, { once: true });
    target.addEventListener('error', bad, { once: true });
  });
}

/** The moment being moved to while a segment loads (shown, and what a step starts from), or null once settled. */
function setPending(t) {
  state.pending = t;
  if (t === null) delete video.dataset.busy; else video.dataset.busy = '1';
}

async function loadSegment(i, offset, play) {
  const s = state.segments[i];
  const intent = state.intent;
  const same = i === state.seg && video.src && video.readyState >= 1;
  state.seg = i;
  try {
    if (!same) {
      setPending(s.start + Math.max(0, offset) * 1000);
      video.src = segUrl(s);
      await waitFor(video, 'loadedmetadata');
      if (state.seg !== i || intent !== state.intent) return;
    }
    const max = Number.isFinite(video.duration) ? Math.max(0, video.duration - 0.05) : offset;
    video.currentTime = Math.min(Math.max(0, offset), max);
    setPending(null);
    $('seginfo').replaceChildren(
      t('rec.seg.info', { file: s.file, from: localTime(s.start), to: localTime(s.end), length: duration((s.end - s.start) / 1000) }),
      s.protected ? el('span', { class: 'pill protected' }, t('rec.seg.protected')) : '',
      s.complete === false ? el('span', { class: 'pill' }, t('rec.seg.recording')) : '');
    if (play) await video.play().catch(() => { /* autoplay refused: the controls are there */ });
    say(t('rec.seg.playing', { camera: state.cam.name || state.cam.camera, time: utc(s.start + video.currentTime * 1000) }), 'ok');
  } catch (e) {
    if (intent === state.intent) setPending(null);
    say(t('rec.seg.failed', { file: s.file, why: e.message }), 'error');
  }
  draw();
}

/** At the end of a segment: the next one, skipping a gap (said plainly), or wait for the growing one. */
async function onEnded() {
  const cur = state.segments[state.seg];
  if (!cur) return;
  const intent = state.intent;
  const playedTo = cur.start + video.currentTime * 1000;
  let next = state.segments[state.seg + 1];
  if (!next || cur.complete === false) {
    await refreshSegments();
    if (intent !== state.intent) return;
    const again = state.segments[state.seg];
    if (again && again.end - playedTo > 500 && again.file === cur.file) {
      // The segment grew while it played: reload it and carry on where it stopped.
      video.removeAttribute('src');
      state.seg = -1;
      await loadSegment(state.segments.indexOf(again), (playedTo - again.start) / 1000, true);
      return;
    }
    next = state.segments.find((s) => s.start >= playedTo - 500 && s.file !== cur.file);
  }
  if (!next) {
    if (Date.now() - playedTo < 60_000 && (state.waits = (state.waits || 0) + 1) <= 20) {
      // At the live edge: the segment being recorded is listed when it is finished; wait for it.
      say(t('rec.caughtUp', { time: utc(playedTo) }), '');
      setTimeout(() => { if (video.ended && intent === state.intent) onEnded(); }, 3000);
      return;
    }
    state.waits = 0;
    say(t('rec.endOfDay', { time: utc(playedTo) }), '');
    return;
  }
  state.waits = 0;
  const hole = next.start - cur.end;
  await loadSegment(state.segments.indexOf(next), 0, true);
  if (hole > GAP_MS) say(t('rec.skipped', { length: duration(hole / 1000), from: utc(cur.end), to: utc(next.start) }), '');
}

function step(seconds) {
  const t = shownTime();
  if (t === null) return;
  state.intent++;
  video.pause();
  let target = t + seconds * 1000;
  if (segmentAt(target) < 0) {
    // A step into a hole shorter than GAP_MS (timestamp jitter between segments) lands on the neighbouring frame.
    const near = seconds > 0
      ? state.segments.find((x) => x.start > target && x.start - target < GAP_MS)
      : [...state.segments].reverse().find((x) => x.end <= target && target - x.end < GAP_MS);
    if (near) target = seconds > 0 ? near.start : near.end - 1000 / state.fps;
  }
  const s = state.segments[state.seg];
  if (state.pending === null && s && video.src && target >= s.start && target < s.end && (!Number.isFinite(video.duration) || (target - s.start) / 1000 <= video.duration)) {
    video.currentTime = Math.max(0, (target - s.start) / 1000);
  } else {
    playAt(target, false);
  }
}

function readout(t) {
  $('readout-utc').textContent = t === null ? '—' : utc(t, true);
  $('readout-local').textContent = t === null ? '—' : `${local(t, true)} (${zoneName(new Date(t))})`;
  $('readout').dataset.time = t === null ? '' : new Date(t).toISOString();
}

/** Frame rate from the frames the browser presents (mediaTime steps), else 15 fps. */
function measureFps() {
  if (!('requestVideoFrameCallback' in HTMLVideoElement.prototype)) return;
  let last = null;
  const deltas = [];
  const cb = (_now, meta) => {
    if (last && meta.presentedFrames === last.presentedFrames + 1) {
      const d = meta.mediaTime - last.mediaTime;
      if (d > 0.005 && d < 0.5) deltas.push(d);
      if (deltas.length >= 15) {
        deltas.sort((a, b) => a - b);
        const fps = Math.round(1 / deltas[Math.floor(deltas.length / 2)]);
        if (fps >= 1 && fps <= 120) { state.fps = fps; state.fpsMeasured = true; updateStepTitles(); }
        deltas.length = 0;
      }
    }
    last = meta;
    video.requestVideoFrameCallback(cb);
  };
  video.requestVideoFrameCallback(cb);
}

function updateStepTitles() {
  const rate = t(state.fpsMeasured ? 'rec.fps.measured' : 'rec.fps.assumed', { fps: state.fps });
  $('back1').title = t('rec.back1Rate', { fps: state.fps, rate });
  $('fwd1').title = t('rec.fwd1Rate', { fps: state.fps, rate });
}

// ---------- timeline ----------

const css = getComputedStyle(document.documentElement);
const color = (name, fallback) => (css.getPropertyValue(name).trim() || fallback);
const C = {
  bg: color('--bg', '#0f1720'), panel: color('--panel2', '#1e2a37'), line: color('--line', '#2c3a49'), text: color('--text', '#e6edf3'),
  muted: color('--muted', '#8da0b3'), accent: color('--accent', '#f2b705'), bad: color('--bad', '#f85149'),
  in: color('--in', '#3fb950'), out: color('--out', '#58a6ff'), footage: '#2f8f6a', crowd: '#ff8c1a',
};
const H = { axis: 20, events: 40, gap: 6, footage: 34, pad: 6 };
const HEIGHT = H.axis + H.events + H.gap + H.footage + H.pad;
let gapPattern = null;

function hatch() {
  const p = document.createElement('canvas');
  p.width = p.height = 8;
  const g = p.getContext('2d');
  g.fillStyle = 'rgba(248,81,73,0.10)';
  g.fillRect(0, 0, 8, 8);
  g.strokeStyle = 'rgba(248,81,73,0.55)';
  g.lineWidth = 1.5;
  g.beginPath(); g.moveTo(0, 8); g.lineTo(8, 0); g.moveTo(-2, 2); g.lineTo(2, -2); g.moveTo(6, 10); g.lineTo(10, 6); g.stroke();
  return p;
}

const width = () => canvas.clientWidth || 800;
const xOf = (t) => ((t - state.v0) / (state.v1 - state.v0)) * width();
const tOf = (x) => state.v0 + (x / width()) * (state.v1 - state.v0);

const STEPS = [1, 5, 10, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600].map((s) => s * 1000);

function draw() {
  const dpr = window.devicePixelRatio || 1;
  const w = width();
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(HEIGHT * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(HEIGHT * dpr);
    canvas.style.height = `${HEIGHT}px`;
  }
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, HEIGHT);
  if (!gapPattern) gapPattern = g.createPattern(hatch(), 'repeat');
  const yEv = H.axis, yFt = H.axis + H.events + H.gap;
  const span = state.v1 - state.v0;
  if (!(span > 0)) return;

  // lanes
  g.fillStyle = C.bg;
  g.fillRect(0, yEv, w, H.events);
  g.fillRect(0, yFt, w, H.footage);

  // grid and axis labels, aligned on the local day
  const stepMs = STEPS.find((s) => (s / span) * w >= 70) || STEPS.at(-1);
  g.font = '11px system-ui, sans-serif';
  g.textBaseline = 'middle';
  const first = state.dayStart + Math.ceil((state.v0 - state.dayStart) / stepMs) * stepMs;
  for (let t = first; t <= state.v1; t += stepMs) {
    const x = Math.round(xOf(t)) + 0.5;
    g.strokeStyle = C.line;
    g.lineWidth = 1;
    g.beginPath(); g.moveTo(x, yEv); g.lineTo(x, yFt + H.footage); g.stroke();
    const label = stepMs < 60_000 ? localTime(t) : wallHm(t);
    g.fillStyle = C.muted;
    const tw = g.measureText(label).width;
    g.fillText(label, Math.min(Math.max(2, x - tw / 2), w - tw - 2), H.axis / 2);
  }

  // future part of today: dimmed, not a gap
  const now = Date.now();
  if (now < state.v1) {
    const x = Math.max(0, xOf(now));
    g.fillStyle = 'rgba(255,255,255,0.025)';
    g.fillRect(x, yEv, w - x, yFt + H.footage - yEv);
    g.strokeStyle = C.muted;
    g.setLineDash([3, 3]);
    g.beginPath(); g.moveTo(Math.round(x) + 0.5, yEv); g.lineTo(Math.round(x) + 0.5, yFt + H.footage); g.stroke();
    g.setLineDash([]);
  }

  // gaps, footage, protected footage
  g.fillStyle = gapPattern;
  for (const gp of state.gaps) spanRect(g, gp.from, gp.to, yFt, H.footage, 1);
  g.fillStyle = C.footage;
  for (const s of state.segments) spanRect(g, s.start, s.end, yFt, H.footage, 1);
  g.fillStyle = C.accent;
  for (const s of state.segments) if (s.protected) spanRect(g, s.start, s.end, yFt, 6, 1);

  // offline periods and crowd episodes as shaded spans
  g.fillStyle = 'rgba(248,81,73,0.22)';
  for (const o of state.offline) spanRect(g, o.from, o.to, yEv, H.events + H.gap + H.footage, 2);
  g.fillStyle = 'rgba(188,140,255,0.28)';
  for (const o of state.unreachable) spanRect(g, o.from, o.to, yEv, H.events + H.gap + H.footage, 2);
  g.fillStyle = 'rgba(255,140,26,0.22)';
  for (const c of state.crowd) spanRect(g, c.from, c.to, yEv, H.events, 2);

  // crossings: small ticks, entries above the middle, exits below
  const mid = yEv + H.events / 2;
  for (const e of state.events) {
    if (e.type !== 'crossing' || e.t < state.v0 || e.t > state.v1) continue;
    const x = Math.round(xOf(e.t)) + 0.5;
    const isIn = e.data?.direction === 'in';
    g.strokeStyle = isIn ? C.in : C.out;
    g.lineWidth = 1.5;
    g.beginPath();
    if (isIn) { g.moveTo(x, mid - 2); g.lineTo(x, mid - 13); } else { g.moveTo(x, mid + 2); g.lineTo(x, mid + 13); }
    g.stroke();
  }
  g.strokeStyle = C.line;
  g.lineWidth = 1;
  g.beginPath(); g.moveTo(0, mid + 0.5); g.lineTo(w, mid + 0.5); g.stroke();

  // alerts: prominent flags
  for (const e of state.events) {
    if (!ALERT_TYPES.includes(e.type) || e.t < state.v0 || e.t > state.v1) continue;
    const x = Math.round(xOf(e.t)) + 0.5;
    const strong = e.type === 'crowd-start' || e.type === 'camera-offline' || e.type === 'agent-unreachable';
    const c = e.type.startsWith('crowd') ? C.crowd : e.type === 'camera-online' || e.type === 'agent-reachable' ? C.in : C.bad;
    g.strokeStyle = c;
    g.lineWidth = strong ? 2 : 1;
    g.beginPath(); g.moveTo(x, yEv); g.lineTo(x, yFt + H.footage); g.stroke();
    if (strong) {
      g.fillStyle = c;
      g.beginPath(); g.moveTo(x - 6, yEv); g.lineTo(x + 6, yEv); g.lineTo(x, yEv + 9); g.closePath(); g.fill();
      g.fillStyle = '#111';
      g.font = 'bold 8px system-ui, sans-serif';
      g.textBaseline = 'alphabetic';
      g.fillText('!', x - 1.3, yEv + 7);
    }
  }

  // hover line
  if (state.hoverX !== null && !state.drag) {
    g.strokeStyle = 'rgba(230,237,243,0.45)';
    g.lineWidth = 1;
    g.beginPath(); g.moveTo(Math.round(state.hoverX) + 0.5, yEv); g.lineTo(Math.round(state.hoverX) + 0.5, yFt + H.footage); g.stroke();
  }

  // playhead
  const ph = state.drag?.t ?? shownTime();
  if (ph !== null && ph >= state.v0 && ph <= state.v1) {
    const x = Math.round(xOf(ph)) + 0.5;
    g.strokeStyle = C.text;
    g.lineWidth = 2;
    g.beginPath(); g.moveTo(x, H.axis - 2); g.lineTo(x, yFt + H.footage + 2); g.stroke();
    g.fillStyle = C.text;
    g.beginPath(); g.moveTo(x - 6, H.axis - 8); g.lineTo(x + 6, H.axis - 8); g.lineTo(x, H.axis); g.closePath(); g.fill();
  }
  canvas.dataset.playhead = ph === null ? '' : new Date(ph).toISOString();
  // The window shown, so a test (or a person reading the DOM) can tell which moment a pixel is.
  canvas.dataset.start = new Date(state.v0).toISOString();
  canvas.dataset.end = new Date(state.v1).toISOString();

  $('view-range').textContent = span < state.dayEnd - state.dayStart - 1000
    ? t('rec.viewRange', { from: localTime(state.v0), to: localTime(state.v1), length: duration(span / 1000) }) : '';
}

function spanRect(g, from, to, y, h, minW) {
  if (to < state.v0 || from > state.v1) return;
  const x0 = Math.max(0, xOf(from)), x1 = Math.min(width(), xOf(to));
  g.fillRect(x0, y, Math.max(minW, x1 - x0), h);
}

function zoom(factor, aroundT) {
  const full = state.dayEnd - state.dayStart;
  let span = Math.min(full, Math.max(MIN_SPAN_MS, (state.v1 - state.v0) * factor));
  const at = aroundT ?? (state.v0 + state.v1) / 2;
  const frac = (at - state.v0) / (state.v1 - state.v0);
  let v0 = at - frac * span;
  v0 = Math.min(Math.max(state.dayStart, v0), state.dayEnd - span);
  state.v0 = v0; state.v1 = v0 + span;
  draw();
}

function centerOn(t, span) {
  span = Math.min(state.dayEnd - state.dayStart, span);
  state.v0 = Math.min(Math.max(state.dayStart, t - span / 2), state.dayEnd - span);
  state.v1 = state.v0 + span;
  draw();
}

function pan(ms) {
  const span = state.v1 - state.v0;
  state.v0 = Math.min(Math.max(state.dayStart, state.v0 + ms), state.dayEnd - span);
  state.v1 = state.v0 + span;
  draw();
}

function tipFor(x) {
  const at = tOf(x);
  const tol = ((state.v1 - state.v0) / width()) * 5;
  const near = state.events.filter((e) => Math.abs(e.t - at) <= tol);
  const si = segmentAt(at);
  const inGap = state.gaps.find((gp) => at >= gp.from && at < gp.to);
  const lines = [el('div', { class: 'tt' }, t('rec.tip.local', { time: local(at) })), el('div', { class: 'muted small', translate: 'no' }, utc(at))];
  if (si >= 0) lines.push(el('div', { class: 'small' }, t(state.segments[si].protected ? 'rec.tip.recordedProtected' : 'rec.tip.recorded')));
  else if (inGap) lines.push(el('div', { class: 'small bad-text' }, t('rec.tip.gap', { length: duration((inGap.to - inGap.from) / 1000) })));
  else if (at > Date.now()) lines.push(el('div', { class: 'small muted' }, t('rec.tip.future')));
  for (const e of near.slice(0, 6)) {
    const detail = eventDetail(e);
    const what = { time: localTime(e.t), label: eventLabel(e.type), detail };
    lines.push(el('div', { class: `small ev-line ${e.type}` }, el('i', { class: 'dot' }), t(detail ? 'rec.tip.event' : 'rec.tip.eventBare', what)));
  }
  if (near.length > 6) lines.push(el('div', { class: 'small muted' }, t('rec.tip.more', { n: near.length - 6 })));
  tip.replaceChildren(...lines);
  tip.hidden = false;
  const w = width();
  tip.style.left = `${Math.min(Math.max(0, x + 12), w - tip.offsetWidth)}px`;
  tip.style.top = `${HEIGHT + 4}px`;
}

function canvasX(ev) {
  const r = canvas.getBoundingClientRect();
  return Math.min(Math.max(0, ev.clientX - r.left), r.width);
}

function setupTimeline() {
  canvas.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0 || !state.cam) return;
    canvas.setPointerCapture(ev.pointerId);
    state.drag = { wasPlaying: !video.paused, moved: false, x: canvasX(ev), t: tOf(canvasX(ev)) };
    tip.hidden = true;
    draw();
  });
  let lastSeek = 0;
  canvas.addEventListener('pointermove', (ev) => {
    const x = canvasX(ev);
    if (state.drag) {
      if (Math.abs(x - state.drag.x) > 3) state.drag.moved = true;
      state.drag.t = tOf(x);
      readout(state.drag.t);
      // Scrub: seek as the pointer moves, at most a few times a second.
      const nowMs = performance.now();
      if (state.drag.moved && nowMs - lastSeek > 120) {
        lastSeek = nowMs;
        const i = segmentAt(state.drag.t);
        if (i >= 0) { state.intent++; video.pause(); loadSegment(i, (state.drag.t - state.segments[i].start) / 1000, false); }
      }
      draw();
      return;
    }
    state.hoverX = x;
    tipFor(x);
    draw();
  });
  canvas.addEventListener('pointerup', async (ev) => {
    if (!state.drag) return;
    const d = state.drag;
    state.drag = null;
    const t = tOf(canvasX(ev));
    // A click plays; a drag leaves the player where it was let go, playing if it was.
    await playAt(t, !d.moved || d.wasPlaying);
  });
  canvas.addEventListener('pointercancel', () => { state.drag = null; draw(); });
  canvas.addEventListener('pointerleave', () => { state.hoverX = null; tip.hidden = true; draw(); });
  canvas.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) {
      pan(((ev.deltaX || ev.deltaY) / width()) * (state.v1 - state.v0));
    } else {
      zoom(ev.deltaY < 0 ? 1 / 1.4 : 1.4, tOf(canvasX(ev)));
    }
    tipFor(canvasX(ev));
  }, { passive: false });
  canvas.addEventListener('keydown', (ev) => {
    const keys = { ArrowLeft: () => step(-10), ArrowRight: () => step(10), ',': () => step(-1 / state.fps), '.': () => step(1 / state.fps), '+': () => zoom(1 / 1.4, shownTime()), '-': () => zoom(1.4, shownTime()), ' ': () => togglePlay() };
    if (keys[ev.key]) { ev.preventDefault(); keys[ev.key](); }
  });
  $('zoom-in').addEventListener('click', () => zoom(1 / 2, shownTime() ?? undefined));
  $('zoom-out').addEventListener('click', () => zoom(2, shownTime() ?? undefined));
  $('zoom-fit').addEventListener('click', () => { state.v0 = state.dayStart; state.v1 = state.dayEnd; draw(); });
  new ResizeObserver(() => draw()).observe(canvas);
}

function togglePlay() {
  state.intent++;
  if (state.seg < 0) {
    const first = state.segments.find((s) => s.start >= (state.playhead ?? state.dayStart)) || state.segments[0];
    if (first) playAt(Math.max(first.start, state.playhead ?? first.start), true);
    return;
  }
  if (video.paused) video.play(); else video.pause();
}

// ---------- following playback ----------

let raf = 0;
function follow() {
  cancelAnimationFrame(raf);
  const tick = () => {
    const t = shownTime();
    readout(t);
    if (t !== null && !state.drag && (t > state.v1 || t < state.v0)) {
      const span = state.v1 - state.v0;
      state.v0 = Math.min(Math.max(state.dayStart, t - span * 0.1), state.dayEnd - span);
      state.v1 = state.v0 + span;
    }
    draw();
    if (!video.paused) raf = requestAnimationFrame(tick);
  };
  tick();
}

function updateUrl(t) {
  if (!state.cam) return;
  const p = new URLSearchParams({ agent: state.cam.agent, camera: state.cam.camera });
  if (t !== undefined) p.set('t', new Date(t).toISOString());
  history.replaceState(null, '', `/recordings.html?${p}`);
}

// ---------- start ----------

async function main() {
  await start('review');
  setupTimeline();
  updateStepTitles();
  measureFps();
  video.addEventListener('play', () => { $('playpause').textContent = t('rec.pause'); follow(); });
  video.addEventListener('pause', () => { $('playpause').textContent = t('rec.play'); follow(); });
  video.addEventListener('seeked', follow);
  video.addEventListener('timeupdate', () => { if (video.paused) follow(); });
  video.addEventListener('ended', onEnded);
  $('back10').addEventListener('click', () => step(-10));
  $('fwd10').addEventListener('click', () => step(10));
  $('back1').addEventListener('click', () => step(-1 / state.fps));
  $('fwd1').addEventListener('click', () => step(1 / state.fps));
  $('playpause').addEventListener('click', togglePlay);
  $('copy-link').addEventListener('click', async () => {
    const at = shownTime();
    if (at === null || !state.cam) return;
    const url = location.origin + deepLink(at);
    updateUrl(at);
    try { await navigator.clipboard.writeText(url); say(t('rec.linkCopied', { url }), 'ok'); } catch { say(t('rec.linkShown', { url }), 'ok'); }
  });
  $('camera').addEventListener('change', () => loadDay());
  $('day').addEventListener('change', () => { if ($('day').value) loadDay(); });
  const shiftDay = (n) => { $('day').value = dateValue(localMidnight($('day').value, n).getTime() + 3_600_000); loadDay(); };
  $('prev-day').addEventListener('click', () => shiftDay(-1));
  $('next-day').addEventListener('click', () => shiftDay(1));
  $('today').addEventListener('click', () => { $('day').value = dateValue(); loadDay(); });

  const p = new URLSearchParams(location.search);
  const linked = p.get('t') ? Date.parse(p.get('t')) : NaN;
  $('day').value = dateValue(Number.isFinite(linked) ? linked : Date.now());
  try {
    await loadCameras();
  } catch (e) {
    say(t('rec.cam.listFailed', { why: e.message }), 'error');
  }
  if (p.get('agent') && p.get('camera')) pickCamera(p.get('agent'), p.get('camera'));
  await loadDay();
  if (Number.isFinite(linked)) {
    // Zoom to the 20 minutes around the moment, so the footage and events there are visible.
    centerOn(linked, 20 * 60_000);
    await playAt(linked, true);
  } else if (p.get('t')) {
    say(t('rec.badLinkTime', { value: p.get('t') }), 'error');
  }
  setInterval(refreshToday, 20_000);
  ready();
}

main().catch((e) => { if (e?.status !== 401 && e?.status !== 403) say(e.message, 'error'); });
