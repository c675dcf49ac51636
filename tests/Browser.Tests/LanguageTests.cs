using GateWatch.Browser.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests;

/// <summary>
/// Every page in Vietnamese (the default) and English: nothing shown that no string table gave, no serious or critical
/// axe-core finding, a screenshot of each kept. A language chosen by a user is remembered by the console.
/// </summary>
[Collection(GateSiteGroup.Name)]
public sealed class LanguageTests(GateSite site)
{
    /// <summary>Who sees which pages: each page once, by a role that may open it.</summary>
    private static readonly (string Role, string[] Pages)[] Visits =
    [
        ("guard", ["live", "report"]),
        ("reviewer", ["recordings", "vehicles", "stats", "report"]),
        ("investigator", ["cases", "verify"]),
        ("admin", ["admin", "cameras", "plates"]),
    ];

    [Fact]
    public async Task Every_page_in_both_languages_shows_only_table_text_and_passes_axe()
    {
        var problems = new List<string>();
        var summary = new List<string>();
        foreach (var (lang, suffix) in new[] { ("vi", "2"), ("en", "1") })
        {
            // The sign-in page, before anyone has signed in: this device's language (Vietnamese on a new one).
            var context = await site.Browser.NewContextAsync(new() { BaseURL = site.ConsoleUrl.ToString(), TimezoneId = GateSite.BrowserZone });
            await context.AddInitScriptAsync($"localStorage.setItem('gatewatch.language', '{lang}')");
            var login = await context.NewPageAsync();
            await login.GotoAsync("/login.html");
            await Assertions.Expect(login.Locator("#signin")).ToHaveTextAsync(lang == "vi" ? PageChecks.Vi("login.signin") : PageChecks.En("login.signin"));
            await CheckAsync(login, lang, "login", problems, summary);
            await context.CloseAsync();

            foreach (var (role, pages) in Visits)
            {
                var page = await site.SignInAsync(role + suffix);
                // The user's own language, once the page has asked the console who is signed in.
                await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", lang);
                foreach (var name in pages)
                {
                    await page.GotoAsync($"/{name}.html");
                    if (name == "live")
                    {
                        await Assertions.Expect(page.GetByTestId("tile").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
                    }
                    else
                    {
                        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });
                    }

                    await CheckAsync(page, lang, name, problems, summary);
                }

                await page.Context.CloseAsync();
            }
        }

        await File.WriteAllLinesAsync(Path.Combine(GateSite.Artifacts, "language-and-axe.txt"), summary.Concat(problems));
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private static async Task CheckAsync(IPage page, string lang, string name, List<string> problems, List<string> summary)
    {
        // What arrives after the first paint (agent answers, timers) is part of the page too.
        await page.WaitForTimeoutAsync(500);
        await GateSite.ShotAsync(page, $"page-{name}-{lang}");
        var untranslated = await PageChecks.UntranslatedAsync(page);
        var axe = await PageChecks.AxeAsync(page);
        summary.Add($"{name} ({lang}): {untranslated.Count} untranslated, {axe.Count} serious/critical axe findings");
        problems.AddRange(untranslated.Select(u => $"{name} ({lang}): not from a string table: {u}"));
        problems.AddRange(axe.Select(a => $"{name} ({lang}): axe: {a}"));
    }

    [Fact]
    public async Task A_language_chosen_in_the_top_bar_is_remembered_on_another_device()
    {
        var page = await site.SignInAsync("reviewer2");
        await page.GotoAsync("/stats.html");
        await Assertions.Expect(page.Locator("#top nav a.active")).ToHaveTextAsync(PageChecks.Vi("nav.stats"));
        await page.GetByTestId("language").SelectOptionAsync("en");
        await page.WaitForLoadStateAsync();
        await Assertions.Expect(page.Locator("#top nav a.active")).ToHaveTextAsync(PageChecks.En("nav.stats"));
        await page.Context.CloseAsync();

        // Another browser, nothing stored on it: the console says English.
        var other = await site.SignInAsync("reviewer2");
        await other.GotoAsync("/stats.html");
        await Assertions.Expect(other.Locator("#top nav a.active")).ToHaveTextAsync(PageChecks.En("nav.stats"));
        await Assertions.Expect(other.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await other.GetByTestId("language").SelectOptionAsync("vi");
        await Assertions.Expect(other.Locator("#top nav a.active")).ToHaveTextAsync(PageChecks.Vi("nav.stats"));
        await other.Context.CloseAsync();
    }
}
