using System.Text.Json;
using GateWatch.Agent.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests.Support;

/// <summary>
/// What every page must pass in both languages: no text a string table did not give (data sits in translate="no"),
/// and no serious or critical axe-core finding. Also the tables themselves, for tests that read a page's words.
/// </summary>
internal static class PageChecks
{
    private static readonly string Tables = Path.Combine(TestPaths.RepoRoot, "src", "Console", "wwwroot", "i18n");

    private static readonly Lazy<Dictionary<string, string>> ViTable = new(() => Load("vi"));
    private static readonly Lazy<Dictionary<string, string>> EnTable = new(() => Load("en"));

    /// <summary>The Vietnamese string for key, from the page's own table.</summary>
    public static string Vi(string key) => ViTable.Value.TryGetValue(key, out var s) ? s : throw new KeyNotFoundException($"vi.json has no key '{key}'");

    /// <summary>The Vietnamese string whose English is <paramref name="english"/> (an API problem's template, say).</summary>
    public static string ViOf(string english) => Vi(EnTable.Value.Single(x => x.Value == english).Key);

    public static string En(string key) => EnTable.Value.TryGetValue(key, out var s) ? s : throw new KeyNotFoundException($"en.json has no key '{key}'");

    private static Dictionary<string, string> Load(string lang) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(Tables, lang + ".json")))!;

    /// <summary>axe.min.js as scripts/get-axe.sh fetched it (test.sh and setup.sh run that).</summary>
    private static readonly Lazy<string> Axe = new(() =>
    {
        var path = Path.Combine(TestPaths.RepoRoot, ".cache", "axe-core", "axe.min.js");
        return File.Exists(path) ? File.ReadAllText(path) : throw new FileNotFoundException($"axe-core is needed: {path} (scripts/get-axe.sh fetches it)");
    });

    /// <summary>
    /// Visible text (and placeholder, title, aria-label, option text) with letters in it that no string table gave
    /// the page and that is not marked as data: what a Vietnamese guard would see in English, or a missing key.
    /// </summary>
    public static async Task<IReadOnlyList<string>> UntranslatedAsync(IPage page)
    {
        var found = await page.EvaluateAsync<string[]>("""
            () => {
              const i18n = window.gatewatchI18n;
              if (!i18n) return ['(the page did not load i18n.js)'];
              const produced = new Set([...i18n.produced].map((s) => s.trim()));
              const bad = new Set([...i18n.missing].map((k) => `missing key ${k}`));
              const letters = /\p{L}/u;
              const data = (e) => e.closest('[translate="no"], script, style, noscript, title');
              const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
              const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
              for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const text = n.textContent.trim();
                const e = n.parentElement;
                if (!text || !letters.test(text) || !e || data(e) || !shown(e)) continue;
                if (!produced.has(text)) bad.add(text);
              }
              for (const e of document.body.querySelectorAll('[placeholder], [title], [aria-label]')) {
                if (data(e) || !shown(e)) continue;
                for (const a of ['placeholder', 'title', 'aria-label']) {
                  const v = (e.getAttribute(a) || '').trim();
                  if (v && letters.test(v) && !produced.has(v)) bad.add(`${a}="${v}"`);
                }
              }
              for (const o of document.querySelectorAll('select option')) {
                const v = o.textContent.trim();
                if (v && letters.test(v) && !data(o) && shown(o.parentElement) && !produced.has(v)) bad.add(`option "${v}"`);
              }
              return [...bad];
            }
            """);
        return found;
    }

    /// <summary>axe-core's serious and critical violations on the page as it stands: "rule (impact): help; targets".</summary>
    public static async Task<IReadOnlyList<string>> AxeAsync(IPage page)
    {
        // Evaluated through DevTools, which the console's CSP (script-src 'self') does not govern, as a person's extension would be.
        await page.EvaluateAsync(Axe.Value);
        return await page.EvaluateAsync<string[]>("""
            async () => {
              const r = await axe.run(document, { resultTypes: ['violations'] });
              return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
                .map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} [${(n.failureSummary || '').replace(/\s+/g, ' ')}]`).join(' | ')}`);
            }
            """);
    }
}
