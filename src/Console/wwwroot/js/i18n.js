// The pages' words: one string table per language (/i18n/vi.json, /i18n/en.json), Vietnamese first.
// Static text in the HTML names its key in a data-i18n attribute (its text) or in data-i18n-attr (attributes, "placeholder:KEY;title:KEY");
// text made in JavaScript comes from t(). What is data, not wording (names, plates, notes), sits in an
// element with translate="no": the browser tests flag any other text that no table gave.
import vi from '/i18n/vi.json' with { type: 'json' };
import en from '/i18n/en.json' with { type: 'json' };
import { setDateOrder } from './clock.js';

const TABLES = { vi, en };
export const LANGUAGES = [{ code: 'vi', name: 'Tiếng Việt' }, { code: 'en', name: 'English' }];
const STORE = 'gatewatch.language';

// Every text t() gave this page, and every key it was asked for that no table has: the browser tests read both.
const produced = new Set();
const missing = new Set();
window.gatewatchI18n = { produced, missing };

let lang = 'vi';

export function language() { return lang; }

/** The locale numbers and dates are written in: vi-VN writes 1.234 and 01/12/2026. */
export function locale() { return lang === 'vi' ? 'vi-VN' : 'en-GB'; }

/** Switches the page's language (a table must exist for it); remembered on this device until the server says otherwise. */
export function setLanguage(code) {
  if (!TABLES[code]) return;
  lang = code;
  try { localStorage.setItem(STORE, code); } catch { /* private mode */ }
  document.documentElement.lang = code;
  setDateOrder(code === 'vi' ? 'dmy' : 'ymd');
}

/** A number in the user's locale: "1.234" in Vietnamese, "1,234" in English. */
export function num(n, digits = 0) {
  if (!Number.isFinite(n)) return '—';
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(n);
}

/**
 * The string for key in the page's language, with {name} filled from params (numbers written in the user's locale).
 * A key no table has is shown as the key itself and noted, so a missing string is seen, not hidden.
 */
export function t(key, params = {}) {
  const s = TABLES[lang][key];
  if (s === undefined) {
    missing.add(key);
    console.error(`i18n: no '${lang}' string for '${key}'`);
    return key;
  }
  const out = s.replace(/\{(\w+)\}/g, (m, k) => {
    const v = params[k];
    if (v === undefined || v === null) return m;
    return typeof v === 'number' ? num(v, Number.isInteger(v) ? 0 : 1) : String(v);
  });
  produced.add(out);
  return out;
}

/** Whether the page's table has key (for labels of values that may be new, e.g. a class an agent sends). */
export function has(key) { return TABLES[lang][key] !== undefined; }

/** A road user's class as people call it: "xe máy" for motorcycle; a class no table knows is shown as sent. */
export function className(c) { return has(`class.${c}`) ? t(`class.${c}`) : String(c); }

/** t() for a count: key.one when n is 1 (English needs it; Vietnamese has no plural and gives both the same). */
export function tn(key, n, params = {}) {
  return t(n === 1 && TABLES[lang][`${key}.one`] !== undefined ? `${key}.one` : `${key}.other`, { n, ...params });
}

/** Fills the static text of the page (or of root) from the table. */
export function translate(root = document) {
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of e.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((x) => x.trim());
      if (attr && key) e.setAttribute(attr, t(key));
    }
  }
  if (root === document) {
    const title = document.querySelector('title[data-i18n]');
    if (title) document.title = `GateWatch · ${t(title.dataset.i18n)}`;
  }
}

// Before anyone has signed in, the language this device last used; the user's own once /api/me answers.
setLanguage((() => { try { return localStorage.getItem(STORE); } catch { return null; } })() || 'vi');
translate();
