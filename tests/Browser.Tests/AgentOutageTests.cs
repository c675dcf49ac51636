using System.Text.Json;
using GateWatch.Browser.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests;

/// <summary>A whole gate box going dark, as a guard at the wall meets it: banner, sound, the box's tiles marked, cleared when it is back.</summary>
[Collection(GateSiteGroup.Name)]
public sealed class AgentOutageTests(GateSite site)
{
    [Fact]
    public async Task A_gate_box_that_goes_dark_raises_an_alert_with_sound_and_marked_tiles_and_clears_when_it_is_back()
    {
        var south = site.AddHealthOnlyAgent("gate-south", "south-1");
        var page = await site.SignInAsync("guard1");
        var tile = page.Locator("[data-testid=tile][data-agent=gate-south][data-camera=south-1]");
        await Assertions.Expect(tile).ToBeVisibleAsync(new() { Timeout = 30_000 });
        // The console must have heard the box once (its watch asks every 5 s) before its silence means anything.
        var admin = await site.SignInAsync("admin1");
        await WaitForAsync(async () => (await AgentsAsync(admin)).Any(a => a.GetProperty("id").GetString() == "gate-south" && a.GetProperty("lastSeen").ValueKind == JsonValueKind.String), "the console to hear the south gate");
        await admin.Context.CloseAsync();
        var beeps = await Beeps(page);

        south.Stop();
        var alert = page.Locator("[data-testid=alert][data-type=agent-unreachable][data-agent=gate-south]");
        // The console alerts within 30 s of the box's last answer; the wall asks for alerts every 2 s.
        await Assertions.Expect(alert).ToBeVisibleAsync(new() { Timeout = 45_000 });
        await Assertions.Expect(alert.Locator(".alert-what")).ToContainTextAsync("South gate not answering");
        await Assertions.Expect(tile).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\balarm\b"));
        await Assertions.Expect(tile).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bunreachable\b"), new() { Timeout = 15_000 });
        Assert.True(await Beeps(page) > beeps, "the wall did not sound for the dark gate box");
        // The other box's camera is not part of this alert.
        await Assertions.Expect(page.Locator($"[data-testid=tile][data-agent={GateSite.AgentId}]").First).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bunreachable\b"));
        await GateSite.ShotAsync(page, "live-agent-unreachable");

        south.Start();
        await Assertions.Expect(alert).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Assertions.Expect(tile).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bunreachable\b"), new() { Timeout = 15_000 });
        await page.Context.CloseAsync();
    }

    private static async Task<int> Beeps(IPage page) => int.TryParse(await page.EvaluateAsync<string?>("document.body.dataset.beeps || '0'"), out var n) ? n : 0;

    private static async Task<List<JsonElement>> AgentsAsync(IPage admin)
    {
        var r = await admin.Context.APIRequest.GetAsync("/api/admin/agents");
        using var json = JsonDocument.Parse(await r.TextAsync());
        return json.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"waited 60 s for {what}");
            }

            await Task.Delay(1000);
        }
    }
}
