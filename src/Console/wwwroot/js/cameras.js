// The gate editor: a camera's counting lines and crowd zones drawn over its picture, dragged into place, and
// saved to its agent. The agent checks every edit with the parser it uses at start and names what is wrong.
import { start, api, el, say, ApiError } from './api.js';
import { t } from './i18n.js';

const HANDLE = 7;      // handle radius, in canvas pixels
const GRAB = 14;       // how near (canvas pixels) a press must be to pick a handle
const ARROW = 28;      // length of the arrow towards the inside

const select = document.getElementById('camera');
const canvas = document.getElementById('canvas');
const ctx = canvas.getContext('2d');
const json = document.getElementById('json');
const saveButton = document.getElementById('save');

let current = null;       // {agent, camera}
let spec = null;          // the spec being edited, as JSON
let fingerprint = '';     // of the file the edit started from
let picture = null;       // the camera's snapshot, or null
let drag = null;          // {kind: 'line'|'zone', index, key | vertex}
let fileName = '';

function size() {
  const fs = spec && Array.isArray(spec.frameSize) && spec.frameSize.length === 2 ? spec.frameSize : null;
  if (fs) return fs;
  if (picture) return [picture.naturalWidth, picture.naturalHeight];
  return [768, 576];
}

function lines() { return Array.isArray(spec?.lines) ? spec.lines : []; }
function zones() { return Array.isArray(spec?.zones) ? spec.zones : []; }
function isPoint(p) { return Array.isArray(p) && p.length === 2 && p.every(Number.isFinite); }

function draw() {
  const [w, h] = size();
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  ctx.clearRect(0, 0, w, h);
  if (picture) ctx.drawImage(picture, 0, 0, w, h);
  else { ctx.fillStyle = '#111'; ctx.fillRect(0, 0, w, h); }
  ctx.lineWidth = Math.max(2, w / 300);
  ctx.font = `${Math.max(12, Math.round(w / 50))}px system-ui, sans-serif`;

  for (const z of zones()) {
    const pts = (z.polygon || []).filter(isPoint);
    if (pts.length < 2) continue;
    ctx.beginPath();
    pts.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.closePath();
    ctx.fillStyle = 'rgba(88, 166, 255, .18)';
    ctx.fill();
    ctx.strokeStyle = '#58a6ff';
    ctx.stroke();
    label(z.id, pts[0], '#58a6ff');
    pts.forEach((p) => handle(p, '#58a6ff'));
  }

  for (const l of lines()) {
    if (!isPoint(l.a) || !isPoint(l.b)) continue;
    ctx.strokeStyle = '#f2b705';
    ctx.beginPath(); ctx.moveTo(...l.a); ctx.lineTo(...l.b); ctx.stroke();
    if (isPoint(l.insidePoint)) arrow(l);
    label(l.id, l.a, '#f2b705');
    handle(l.a, '#f2b705'); handle(l.b, '#f2b705');
    if (isPoint(l.insidePoint)) handle(l.insidePoint, '#3fb950');
  }
}

/** From the line's middle, perpendicular to it, towards the side its inside point is on. */
function arrow(l) {
  const [ax, ay] = l.a; const [bx, by] = l.b; const [px, py] = l.insidePoint;
  const mx = (ax + bx) / 2; const my = (ay + by) / 2;
  let nx = -(by - ay); let ny = bx - ax;
  const len = Math.hypot(nx, ny) || 1;
  nx /= len; ny /= len;
  if (nx * (px - mx) + ny * (py - my) < 0) { nx = -nx; ny = -ny; }
  const tx = mx + nx * ARROW; const ty = my + ny * ARROW;
  ctx.strokeStyle = '#3fb950'; ctx.fillStyle = '#3fb950';
  ctx.beginPath(); ctx.moveTo(mx, my); ctx.lineTo(tx, ty); ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(tx + nx * 8, ty + ny * 8);
  ctx.lineTo(tx - ny * 7, ty + nx * 7);
  ctx.lineTo(tx + ny * 7, ty - nx * 7);
  ctx.closePath(); ctx.fill();
  ctx.setLineDash([4, 4]);
  ctx.beginPath(); ctx.moveTo(mx, my); ctx.lineTo(px, py); ctx.stroke();
  ctx.setLineDash([]);
}

function handle([x, y], color) {
  ctx.beginPath(); ctx.arc(x, y, HANDLE, 0, Math.PI * 2);
  ctx.fillStyle = 'rgba(0, 0, 0, .55)'; ctx.fill();
  ctx.strokeStyle = color; ctx.stroke();
}

function label(text, [x, y], color) {
  if (!text) return;
  ctx.fillStyle = 'rgba(0, 0, 0, .6)';
  const w = ctx.measureText(text).width;
  ctx.fillRect(x + 10, y - 22, w + 8, 20);
  ctx.fillStyle = color;
  ctx.fillText(text, x + 14, y - 7);
}

/** A pointer event's position in the spec's pixels (the canvas is scaled to fit the page). */
function at(e) {
  const r = canvas.getBoundingClientRect();
  return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
}

function nearest([x, y]) {
  let best = null; let bestD = GRAB * canvas.width / canvas.getBoundingClientRect().width;
  const consider = (p, target) => {
    if (!isPoint(p)) return;
    const d = Math.hypot(p[0] - x, p[1] - y);
    if (d <= bestD) { bestD = d; best = target; }
  };
  zones().forEach((z, index) => (z.polygon || []).forEach((p, vertex) => consider(p, { kind: 'zone', index, vertex })));
  lines().forEach((l, index) => ['a', 'b', 'insidePoint'].forEach((key) => consider(l[key], { kind: 'line', index, key })));
  return best;
}

canvas.addEventListener('pointerdown', (e) => {
  if (!spec) return;
  drag = nearest(at(e));
  if (drag) { canvas.setPointerCapture(e.pointerId); canvas.classList.add('dragging'); }
});
canvas.addEventListener('pointermove', (e) => {
  if (!drag) return;
  const [w, h] = size();
  const p = at(e).map((v, i) => Math.round(Math.min(Math.max(v, 0), i ? h : w)));
  if (drag.kind === 'line') spec.lines[drag.index][drag.key] = p;
  else spec.zones[drag.index].polygon[drag.vertex] = p;
  draw();
  writeJson();
});
const drop = () => { if (drag) { drag = null; canvas.classList.remove('dragging'); changed(); } };
canvas.addEventListener('pointerup', drop);
canvas.addEventListener('pointercancel', drop);

function numberInput(value, onchange, attrs = {}) {
  return el('input', { type: 'number', value: value ?? '', ...attrs, onchange: (e) => onchange(e.target.value === '' ? null : Number(e.target.value)) });
}

/** The small form: ids, crowd thresholds, add and remove. */
function renderForm() {
  document.getElementById('lines').replaceChildren(...lines().map((l, i) => el('div', { class: 'gate-item', 'data-testid': 'gate-line' },
    el('span', { class: 'swatch line' }),
    el('label', {}, t('cam.id'), el('input', { class: 'id', value: l.id ?? '', 'data-testid': 'gate-line-id', onchange: (e) => { l.id = e.target.value; changed(); } })),
    el('button', { type: 'button', class: 'secondary', onclick: () => { spec.lines.splice(i, 1); changed(); } }, t('common.remove')))));
  document.getElementById('zones').replaceChildren(...zones().map((z, i) => el('div', { class: 'gate-item', 'data-testid': 'gate-zone' },
    el('span', { class: 'swatch zone' }),
    el('label', {}, t('cam.id'), el('input', { class: 'id', value: z.id ?? '', 'data-testid': 'gate-zone-id', onchange: (e) => { z.id = e.target.value; changed(); } })),
    el('label', {}, t('cam.crowdAt'), numberInput(z.crowdMin, (v) => { z.crowdMin = v; changed(); }, { min: 1, step: 1, 'data-testid': 'gate-zone-min' })),
    el('label', {}, t('cam.forSeconds'), numberInput(z.crowdSeconds, (v) => { z.crowdSeconds = v; changed(); }, { min: 0, step: 'any', 'data-testid': 'gate-zone-seconds' })),
    el('button', { type: 'button', class: 'secondary', title: t('cam.addCornerTitle'), onclick: () => addCorner(z) }, t('cam.addCorner')),
    el('button', { type: 'button', class: 'secondary', title: t('cam.removeCornerTitle'), disabled: (z.polygon || []).length <= 3, onclick: () => { z.polygon.pop(); changed(); } }, t('cam.removeCorner')),
    el('button', { type: 'button', class: 'secondary', onclick: () => { spec.zones.splice(i, 1); changed(); } }, t('common.remove')))));
}

function addCorner(z) {
  const p = z.polygon || (z.polygon = []);
  const a = p[p.length - 1]; const b = p[0];
  p.push(isPoint(a) && isPoint(b) ? [Math.round((a[0] + b[0]) / 2), Math.round((a[1] + b[1]) / 2)] : [10, 10]);
  changed();
}

function unusedId(prefix) {
  const taken = new Set([...lines(), ...zones()].map((x) => x.id));
  let n = 1;
  while (taken.has(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}

document.getElementById('add-line').addEventListener('click', () => {
  if (!spec) return;
  const [w, h] = size();
  (spec.lines ||= []).push({ id: unusedId('line'), a: [Math.round(w * 0.3), Math.round(h * 0.5)], b: [Math.round(w * 0.7), Math.round(h * 0.5)], insidePoint: [Math.round(w * 0.5), Math.round(h * 0.7)] });
  changed();
});
document.getElementById('add-zone').addEventListener('click', () => {
  if (!spec) return;
  const [w, h] = size();
  const r = (fx, fy) => [Math.round(w * fx), Math.round(h * fy)];
  (spec.zones ||= []).push({ id: unusedId('zone'), polygon: [r(0.35, 0.35), r(0.65, 0.35), r(0.65, 0.65), r(0.35, 0.65)], crowdMin: 4, crowdSeconds: 3 });
  changed();
});

function writeJson() { json.value = JSON.stringify(spec, null, 2); }

/** The model changed from the canvas or the form: everything else follows. */
function changed() {
  writeJson();
  renderForm();
  draw();
  say('', '', document.getElementById('json-status'));
}

// The raw JSON is the same spec: a valid edit there redraws the picture and the form at once.
json.addEventListener('input', () => {
  try {
    const parsed = JSON.parse(json.value);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(t('cam.notObject'));
    spec = parsed;
    renderForm();
    draw();
    say('', '', document.getElementById('json-status'));
  } catch (e) {
    say(t('cam.jsonBad', { why: e.message }), 'error', document.getElementById('json-status'));
  }
});

async function loadPicture(c) {
  picture = null;
  const img = new Image();
  const loaded = new Promise((resolve) => { img.onload = () => resolve(true); img.onerror = () => resolve(false); });
  img.src = `/api/admin/cameras/${encodeURIComponent(c.agent)}/${encodeURIComponent(c.camera)}/snapshot.jpg?t=${Date.now()}`;
  if (await loaded) picture = img;
  return picture !== null;
}

async function load() {
  const [agent, camera] = JSON.parse(select.value || 'null') || [];
  if (!agent) return;
  current = { agent, camera };
  saveButton.disabled = true;
  say(t('common.loading'));
  try {
    const g = await api(`/api/admin/cameras/${encodeURIComponent(agent)}/${encodeURIComponent(camera)}/gate`);
    spec = g.spec ?? { lines: [], zones: [] };
    fingerprint = g.fingerprint;
    fileName = g.file;
    document.getElementById('file').textContent = `${fileName} · ${fingerprint.slice(0, 12)}…`;
    changed();
    saveButton.disabled = false;
    say(g.problem ? t('cam.fileBad', { why: g.problem }) : '', g.problem ? 'error' : '');
    const seen = await loadPicture(current);
    draw();
    if (!seen && !g.problem) say(t('cam.noPicture'), '');
  } catch (e) {
    spec = null;
    renderForm(); draw(); json.value = '';
    say(e instanceof ApiError ? e.message : String(e), 'error');
  }
}

saveButton.addEventListener('click', async () => {
  if (!current || !spec) return;
  saveButton.disabled = true;
  say(t('cam.saving'));
  try {
    const r = await api(`/api/admin/cameras/${encodeURIComponent(current.agent)}/${encodeURIComponent(current.camera)}/gate`,
      { method: 'PUT', body: { spec, expectedFingerprint: fingerprint } });
    fingerprint = r.fingerprint;
    document.getElementById('file').textContent = `${fileName} · ${fingerprint.slice(0, 12)}…`;
    say(t('cam.saved', { lines: (r.lines || []).length, zones: (r.zones || []).length }), 'ok');
  } catch (e) {
    say(e.status === 409 ? t('cam.notSavedStale', { why: e.message }) : t('cam.notSaved', { why: e.message }), 'error');
  } finally {
    saveButton.disabled = false;
  }
});

select.addEventListener('change', load);
document.getElementById('reload').addEventListener('click', load);

async function main() {
  await start('administer');
  try {
    const cameras = await api('/api/admin/cameras');
    const gated = cameras.filter((c) => c.camera);
    select.replaceChildren(...gated.map((c) => el('option', { value: JSON.stringify([c.agent, c.camera]), disabled: !c.hasGate, translate: c.hasGate ? 'no' : null },
      c.hasGate ? `${c.agent} / ${c.name}` : t('cam.recordsOnly', { agent: c.agent, name: c.name }))));
    const broken = cameras.filter((c) => !c.camera);
    const first = gated.find((c) => c.hasGate);
    if (first) {
      select.value = JSON.stringify([first.agent, first.camera]);
      await load();
    } else {
      say(gated.length ? t('cam.noGate') : t('cam.noCameras'));
    }
    if (broken.length) say(t('cam.notAnswering', { list: broken.map((b) => `${b.agent} (${b.problem})`).join('; ') }), 'error');
  } catch (e) {
    say(e.message, 'error');
  }
  document.body.dataset.ready = '1';
}

main();
