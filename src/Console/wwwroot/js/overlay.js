// Draws the agent's live metadata (tracks, gate lines, zones) on a canvas laid over the video.
// Coordinates arrive in the analysed frame's pixels (meta.frameSize); the video may be larger and letterboxed.

import { t, className, locale } from './i18n.js';

const CLASS_COLOURS = {
  person: '#3fb950', bicycle: '#39c5cf', car: '#d2a8ff', motorcycle: '#f778ba', motorbike: '#f778ba',
  bus: '#ffa657', truck: '#ff7b72',
};
const LOST = '#8da0b3';
const LINE = '#f2b705';
const ZONE = '#58a6ff';
const CROWD = '#f85149';
/**
 * Boxes are drawn only while the picture under them is within this of the frame they were found in. Analysis at
 * 5 frames/s gives new boxes every 200 ms; an analysis further behind the video than this (a loaded box), or a
 * frozen stream, would put boxes where people were, so none are drawn and the overlay says how far behind it is.
 */
const FRESH_MS = 1000;

export function classColour(name) {
  return CLASS_COLOURS[name] || '#e3b341';
}

/**
 * The displayed picture's box inside an element of size w x h showing media of intrinsic size mw x mh
 * with object-fit: contain: {x, y, w, h}.
 */
export function containBox(w, h, mw, mh) {
  if (!mw || !mh || !w || !h) return { x: 0, y: 0, w, h };
  const s = Math.min(w / mw, h / mh);
  const dw = mw * s;
  const dh = mh * s;
  return { x: (w - dw) / 2, y: (h - dh) / 2, w: dw, h: dh };
}

/** n with exactly digits decimals, as the user's language writes it. */
const fixed = (n, digits) => new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);

const count = (o, k) => (o ? (o[k] ?? o[k[0].toUpperCase() + k.slice(1)] ?? 0) : 0);

export class Overlay {
  /** media(): the element whose picture the overlay follows, with its intrinsic size: {el, w, h} or null. */
  constructor(canvas, media, delay = () => 0) {
    this.canvas = canvas;
    this.media = media;
    this.delay = delay;
    this.queue = [];
    this.meta = null;
    this.gate = null;
    this.at = 0;
    this.enabled = true;
    // The crowd density laid over the picture (the wall's Heat toggle): off by default, the boxes are what a guard
    // reads first; on, a gathering shows where it stands even where boxes find nobody.
    this.heat = false;
  }

  /**
   * Takes a metadata message, placed at the moment its frame was captured on this page's clock (the agent says
   * how long before sending, meta.lag), and drawn once the video, delay() seconds behind live, shows that moment:
   * the boxes sit on the frame they were found in.
   */
  update(meta) {
    if (meta.gate) this.gate = meta.gate;
    const lag = Math.min(60, Math.max(0, Number(meta.lag) || 0)) * 1000;
    this.queue.push({ at: performance.now() - lag, meta });
    if (this.queue.length > 100) this.queue.shift();
    this.tick();
  }

  /** The moment of the picture on screen, on this page's clock. */
  shown() {
    return performance.now() - Math.min(2, Math.max(0, this.delay() || 0)) * 1000;
  }

  /** Draws the newest message old enough for the picture on screen; call once an animation frame. */
  tick() {
    const due = this.shown();
    let pick = null;
    while (this.queue.length && this.queue[0].at <= due) pick = this.queue.shift();
    if (pick) {
      this.meta = pick.meta;
      this.at = pick.at;
      this.draw();
    }
  }

  clear() {
    this.meta = null;
    this.queue = [];
    this.draw();
  }

  draw() {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const cw = c.clientWidth;
    const ch = c.clientHeight;
    if (c.width !== Math.round(cw * dpr) || c.height !== Math.round(ch * dpr)) {
      c.width = Math.round(cw * dpr);
      c.height = Math.round(ch * dpr);
    }
    const g = c.getContext('2d');
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, c.width, c.height);
    const m = this.meta;
    // What the boxes on screen say, in the analysed frame's pixels: for tests and tools that check the
    // overlay against the picture under it.
    c.dataset.tracks = '';
    c.dataset.heat = '';
    if (!this.enabled || !m || !m.frameSize || !cw || !ch) return;
    const [fw, fh] = m.frameSize;
    const media = this.media();
    // Without a picture yet, the frame's own shape stands in for the video's.
    const box = containBox(cw, ch, media?.w || fw, media?.h || fh);
    const sx = box.w / fw;
    const sy = box.h / fh;
    const X = (x) => box.x + x * sx;
    const Y = (y) => box.y + y * sy;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const font = Math.max(10, Math.min(14, box.w / 50));
    g.font = `600 ${font}px system-ui, sans-serif`;
    g.textBaseline = 'bottom';
    g.lineJoin = 'round';

    // Nothing outside the picture: a predicted box may run past the frame's edge.
    g.save();
    g.beginPath();
    g.rect(box.x, box.y, box.w, box.h);
    g.clip();
    if (this.heat && m.density) heat(g, m.density, box, c);
    const crowded = new Set(m.crowded || []);
    const dense = new Set(m.dense || []);
    for (const z of this.gate?.zones || []) {
      const hot = crowded.has(z.id);
      const colour = hot ? CROWD : ZONE;
      g.beginPath();
      z.polygon.forEach(([x, y], i) => (i ? g.lineTo(X(x), Y(y)) : g.moveTo(X(x), Y(y))));
      g.closePath();
      g.fillStyle = hot ? 'rgba(248, 81, 73, 0.22)' : 'rgba(88, 166, 255, 0.08)';
      g.fill();
      g.lineWidth = hot ? 3 : 1.5;
      g.setLineDash(hot ? [] : [6, 4]);
      g.strokeStyle = colour;
      g.stroke();
      g.setLineDash([]);
      const n = m.zones?.[z.id] ?? 0;
      const top = z.polygon.reduce((a, p) => (p[1] < a[1] ? p : a), z.polygon[0]);
      // "~" where the count is the density estimate rather than people followed one by one.
      const shownCount = dense.has(z.id) ? `~${n}` : `${n}`;
      label(g, `${z.id} · ${shownCount}${z.crowdMin ? ` / ${z.crowdMin}` : ''}${hot ? ` · ${t('live.overlay.crowd')}` : ''}`, X(top[0]), Y(top[1]) - 3, colour, hot ? '#fff' : '#0b1118');
    }

    for (const l of this.gate?.lines || []) {
      const [ax, ay] = [X(l.a[0]), Y(l.a[1])];
      const [bx, by] = [X(l.b[0]), Y(l.b[1])];
      g.lineWidth = 3;
      g.strokeStyle = LINE;
      g.beginPath();
      g.moveTo(ax, ay);
      g.lineTo(bx, by);
      g.stroke();
      // The inside side: the normal of a-b pointing at the inside point.
      const mx = (ax + bx) / 2;
      const my = (ay + by) / 2;
      let nx = -(by - ay);
      let ny = bx - ax;
      const len = Math.hypot(nx, ny) || 1;
      nx /= len; ny /= len;
      if ((X(l.inside[0]) - mx) * nx + (Y(l.inside[1]) - my) * ny < 0) { nx = -nx; ny = -ny; }
      const c2 = m.lines?.[l.id];
      const reach = Math.max(18, Math.min(34, box.w / 25));
      arrow(g, mx - nx * reach * 0.2, my - ny * reach * 0.2, mx + nx * reach, my + ny * reach, '#3fb950');
      arrow(g, mx + nx * reach * 0.2, my + ny * reach * 0.2, mx - nx * reach, my - ny * reach, '#58a6ff');
      label(g, `↑${count(c2, 'in')}`, mx + nx * reach - 10, my + ny * reach + font + 6, '#3fb950', '#0b1118');
      label(g, `↓${count(c2, 'out')}`, mx - nx * reach - 10, my - ny * reach + font + 6, '#58a6ff', '#0b1118');
      label(g, l.id, ax + 4, ay - 3, LINE, '#0b1118');
    }

    const behind = this.shown() - this.at;
    const fresh = behind < FRESH_MS;
    c.dataset.tracks = JSON.stringify({ frameSize: m.frameSize, time: m.time, tracks: fresh ? m.tracks || [] : [] });
    c.dataset.behind = fresh ? '' : (behind / 1000).toFixed(1);
    if (!fresh && behind < 60_000 && (m.tracks || []).length) {
      label(g, t('live.overlay.behind', { s: fixed(behind / 1000, 1) }), box.x + 6, box.y + font + 8, '#30363d', '#e6edf3');
    }
    if (fresh) {
      for (const t of m.tracks || []) {
        const [x1, y1, x2, y2] = t.box;
        const colour = t.seen === false ? LOST : classColour(t.class);
        g.lineWidth = 2;
        g.strokeStyle = colour;
        g.setLineDash(t.seen === false ? [4, 3] : []);
        g.strokeRect(X(x1), Y(y1), (x2 - x1) * sx, (y2 - y1) * sy);
        g.setLineDash([]);
        label(g, `${t.id} ${className(t.class)}`, X(x1), Y(y1), colour, '#0b1118');
      }
    }
    g.restore();
  }
}

/**
 * The density grid (people per block of the analysed frame) as translucent blocks, yellow to red. One person per
 * block is full strength: at 16 blocks across a gate picture a block holding one person is already a tight group.
 */
function heat(g, d, box, c) {
  const cols = d.columns;
  const rows = d.rows;
  if (!cols || !rows || !Array.isArray(d.cells) || d.cells.length !== cols * rows) return;
  const bw = box.w / cols;
  const bh = box.h / rows;
  let drawn = 0;
  let people = 0;
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < cols; k++) {
      const v = Number(d.cells[r * cols + k]) || 0;
      people += v;
      // Below a tenth of a person the block is noise on a plain surface, not a crowd.
      if (v < 0.1) continue;
      const s = Math.min(1, v);
      g.fillStyle = `hsla(${Math.round(55 - 55 * s)}, 100%, 50%, ${(0.15 + 0.4 * s).toFixed(2)})`;
      g.fillRect(box.x + k * bw, box.y + r * bh, Math.ceil(bw), Math.ceil(bh));
      drawn++;
    }
  }
  c.dataset.heat = JSON.stringify({ columns: cols, rows, drawn, people: Math.round(people * 10) / 10 });
}

function label(g, text, x, y, bg, fg) {
  const w = g.measureText(text).width + 8;
  const size = parseFloat(g.font.split(' ')[1]) || 12;
  const h = size + 4;
  const cx = Math.max(0, Math.min(x, g.canvas.clientWidth - w));
  const cy = Math.max(h, y);
  g.fillStyle = bg;
  g.globalAlpha = 0.9;
  g.fillRect(cx, cy - h, w, h);
  g.globalAlpha = 1;
  g.fillStyle = fg;
  g.fillText(text, cx + 4, cy - 2);
}

function arrow(g, x1, y1, x2, y2, colour) {
  const a = Math.atan2(y2 - y1, x2 - x1);
  g.strokeStyle = colour;
  g.fillStyle = colour;
  g.lineWidth = 2.5;
  g.beginPath();
  g.moveTo(x1, y1);
  g.lineTo(x2, y2);
  g.stroke();
  g.beginPath();
  g.moveTo(x2, y2);
  g.lineTo(x2 - 8 * Math.cos(a - 0.45), y2 - 8 * Math.sin(a - 0.45));
  g.lineTo(x2 - 8 * Math.cos(a + 0.45), y2 - 8 * Math.sin(a + 0.45));
  g.closePath();
  g.fill();
}
