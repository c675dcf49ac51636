// Live fMP4 into a <video> through Media Source Extensions, kept close to the live edge.
// The console relays the agent's stream copy; the X-Codec header names the codec for isTypeSupported.

import { t } from './i18n.js';

/** Seconds of buffer ahead of the playhead past which we jump to the live edge. */
const MAX_LAG = 1.5;
/** Where the jump lands: this far behind the newest buffered frame. */
const LAND = 0.3;
/** Between these lags the video plays a little faster to catch up without a visible jump. */
const NUDGE_LAG = 0.7;
/** Seconds of played video kept in the buffer; older is removed, or the browser refuses appends (QuotaExceeded). */
const KEEP = 30;
/** No bytes for this long and the stream is taken as dead. */
const STALL_MS = 8000;
const BACKOFF_MIN = 1000;
const BACKOFF_MAX = 10000;

/** The MIME type for MediaSource from the X-Codec header: a full type, or just the codecs string. */
export function mimeOf(xcodec) {
  if (!xcodec) return null;
  const v = xcodec.trim();
  return v.startsWith('video/') ? v : `video/mp4; codecs="${v}"`;
}

/** Whether this browser can play the type through MSE at all. */
export function canPlay(mime) {
  return !!(mime && window.MediaSource && MediaSource.isTypeSupported(mime));
}

/**
 * One live stream. hooks: state(kind, text, why) with kind 'connecting'|'playing'|'reconnecting'|'unsupported'|'error',
 * latency(seconds|null), frame() once the playhead moves.
 */
export class LivePlayer {
  constructor(video, url, hooks = {}) {
    this.video = video;
    this.url = url;
    this.hooks = hooks;
    this.backoff = BACKOFF_MIN;
    this.running = false;
    this.gen = 0;
    this.onTime = () => this.tick();
    video.addEventListener('timeupdate', this.onTime);
    video.addEventListener('progress', this.onTime);
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  stop() {
    this.running = false;
    this.teardown();
    clearTimeout(this.retryTimer);
    this.hooks.latency?.(null);
  }

  /** Buffered end minus the playhead: how far behind the newest frame the picture is. */
  latency() {
    const b = this.video.buffered;
    if (!b || b.length === 0) return null;
    return Math.max(0, b.end(b.length - 1) - this.video.currentTime);
  }

  teardown() {
    this.gen++;
    clearInterval(this.watchdog);
    this.abort?.abort();
    this.abort = null;
    this.queue = [];
    this.sb = null;
    if (this.objectUrl) {
      this.video.removeAttribute('src');
      this.video.load();
      URL.revokeObjectURL(this.objectUrl);
      this.objectUrl = null;
    }
    this.ms = null;
  }

  async connect() {
    this.teardown();
    const gen = this.gen;
    const abort = new AbortController();
    this.abort = abort;
    this.hooks.state?.('connecting', t('live.video.connecting'));
    try {
      const r = await fetch(this.url, { signal: abort.signal, credentials: 'same-origin', cache: 'no-store' });
      if (r.status === 401) {
        location.href = '/login.html?next=' + encodeURIComponent(location.pathname);
        return;
      }
      if (!r.ok) {
        let detail = `HTTP ${r.status}`;
        try { const p = await r.json(); detail = p.detail || p.title || detail; } catch { /* not JSON */ }
        throw new Error(detail);
      }
      const mime = mimeOf(r.headers.get('X-Codec'));
      if (!canPlay(mime)) {
        abort.abort();
        if (gen !== this.gen) return;
        this.running = false;
        this.hooks.state?.('unsupported', !window.MediaSource ? t('live.video.noMse')
          : mime ? t('live.video.cannotPlay', { mime }) : t('live.video.noCodec'));
        return;
      }
      const ms = new MediaSource();
      this.ms = ms;
      this.objectUrl = URL.createObjectURL(ms);
      this.video.src = this.objectUrl;
      await new Promise((resolve, reject) => {
        ms.addEventListener('sourceopen', resolve, { once: true });
        setTimeout(() => reject(new Error(t('live.video.notOpened'))), 5000);
      });
      if (gen !== this.gen) return;
      const sb = ms.addSourceBuffer(mime);
      sb.mode = 'segments';
      this.sb = sb;
      this.queue = [];
      sb.addEventListener('updateend', () => { if (gen === this.gen) this.pump(); });
      sb.addEventListener('error', () => { if (gen === this.gen) this.retry(t('live.video.decodeError')); });
      this.lastData = performance.now();
      this.watchdog = setInterval(() => {
        if (gen === this.gen && performance.now() - this.lastData > STALL_MS) this.retry(t('live.video.stalled'));
      }, 1000);
      const reader = r.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (gen !== this.gen) return;
        if (done) throw new Error(t('live.video.ended'));
        this.lastData = performance.now();
        this.queue.push(value);
        this.pump();
      }
    } catch (e) {
      if (gen !== this.gen || !this.running) return;
      this.retry(e.name === 'AbortError' ? t('live.video.stopped') : e.message || String(e));
    }
  }

  retry(why) {
    if (!this.running) return;
    this.teardown();
    const wait = this.backoff;
    this.backoff = Math.min(BACKOFF_MAX, this.backoff * 2);
    this.hooks.state?.('reconnecting', t('live.video.reconnecting', { n: Math.round(wait / 1000) }), why);
    this.hooks.latency?.(null);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => { if (this.running) this.connect(); }, wait);
  }

  /** Appends the next queued chunk when the buffer is idle; trims old video first when there is much of it. */
  pump() {
    const sb = this.sb;
    if (!sb || sb.updating || !this.ms || this.ms.readyState !== 'open') return;
    const v = this.video;
    const b = sb.buffered;
    if (b.length > 0 && v.currentTime - b.start(0) > KEEP) {
      try { sb.remove(0, Math.max(0, v.currentTime - KEEP / 3)); return; } catch { /* try appending anyway */ }
    }
    if (!this.queue.length) { this.tick(); return; }
    // Coalesce small chunks: fewer appends, fewer updateend round trips.
    let chunk = this.queue.shift();
    if (this.queue.length) {
      const all = [chunk, ...this.queue];
      this.queue = [];
      const n = all.reduce((s, c) => s + c.byteLength, 0);
      chunk = new Uint8Array(n);
      let at = 0;
      for (const c of all) { chunk.set(c, at); at += c.byteLength; }
    }
    try {
      sb.appendBuffer(chunk);
    } catch (e) {
      if (e.name === 'QuotaExceededError' && b.length > 0) {
        this.queue.unshift(chunk);
        try { sb.remove(0, Math.max(b.start(0) + 1, v.currentTime - 2)); } catch { this.retry(t('live.video.bufferFull')); }
      } else {
        this.retry(t('live.video.refused', { name: e.name }));
      }
    }
  }

  /** Keeps the playhead near the live edge, reports latency, notices the first frame. */
  tick() {
    const v = this.video;
    const b = v.buffered;
    if (!this.sb || !b || b.length === 0) return;
    const end = b.end(b.length - 1);
    let lag = end - v.currentTime;
    if (lag > MAX_LAG || v.currentTime < b.start(0)) {
      v.currentTime = Math.max(b.start(b.length - 1), end - LAND);
      lag = end - v.currentTime;
    }
    v.playbackRate = lag > NUDGE_LAG ? 1.1 : 1;
    if (v.paused) v.play().catch(() => { /* autoplay refused: muted video normally may */ });
    if (this.lastTime !== undefined && v.currentTime > this.lastTime) {
      if (!this.playing) {
        this.playing = true;
        this.hooks.frame?.();
      }
      this.backoff = BACKOFF_MIN;
      this.hooks.state?.('playing', '');
    }
    this.lastTime = v.currentTime;
    this.hooks.latency?.(Math.max(0, lag));
  }
}
