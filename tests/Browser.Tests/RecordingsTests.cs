using GateWatch.Browser.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests;

/// <summary>A reviewer's recordings: the day's timeline of footage, and playback from where they click.</summary>
[Collection(GateSiteGroup.Name)]
public sealed class RecordingsTests(GateSite site)
{
    [Fact]
    public async Task A_reviewer_plays_recorded_footage_from_the_timeline_and_steps_through_it()
    {
        await site.WaitForFootageAsync(TimeSpan.FromSeconds(30));
        var page = await site.SignInAsync("reviewer1");
        // The reviewer's own page (which soon writes the camera it shows into its address).
        Assert.Equal("/recordings.html", new Uri(page.Url).AbsolutePath);
        // An alert's footage link opens the camera zoomed to the minutes around a moment...
        var alertAt = DateTimeOffset.UtcNow.AddSeconds(-30);
        await page.GotoAsync($"/recordings.html?agent={GateSite.AgentId}&camera={GateSite.CameraId}&t={Uri.EscapeDataString(alertAt.ToString("O"))}");
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });

        // ...and the reviewer clicks on the timeline where footage was recorded 20 s ago: it plays from there.
        var timeline = page.GetByTestId("timeline");
        await timeline.ScrollIntoViewIfNeededAsync();
        var at = DateTimeOffset.UtcNow.AddSeconds(-20);
        var box = (await timeline.BoundingBoxAsync())!;
        var x = await TimelineXAsync(timeline, at, box);
        await page.Mouse.ClickAsync((float)(box.X + x), box.Y + (box.Height / 2));
        await page.WaitForFunctionAsync(
            "at => { const t = document.querySelector('[data-testid=readout]')?.dataset.time; return t && Math.abs(Date.parse(t) - at) < 3000; }",
            at.ToUnixTimeMilliseconds(), new() { Timeout = 15_000 });

        var player = page.GetByTestId("player");
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('[data-testid=player]'); return v && v.currentTime > 0.5 && !v.paused; }",
            null, new() { Timeout = 30_000 });
        await GateSite.ShotAsync(page, "recordings-playing");

        // Stepping pauses and moves by a frame. Measured on the page's own clock (the readout), not the video's
        // currentTime: a step across a segment's end loads the next segment, whose currentTime starts again at 0.
        await page.GetByTestId("step-fwd").ClickAsync();
        var t0 = await page.EvaluateAsync<double>(ShownTime);
        await page.GetByTestId("step-fwd").ClickAsync();
        var t1 = await page.EvaluateAsync<double>(ShownTime);
        Assert.True(await player.EvaluateAsync<bool>("v => v.paused"));
        Assert.InRange((t1 - t0) / 1000, 0.01, 0.5);
        await page.Context.CloseAsync();
    }

    /// <summary>The moment the page shows (ms since the epoch) once the video has settled on its frame after a seek.</summary>
    private const string ShownTime = """
        async () => {
          const v = document.querySelector('[data-testid=player]');
          for (let i = 0; i < 100 && (v.seeking || v.readyState < 2 || v.dataset.busy); i++) await new Promise(r => setTimeout(r, 50));
          await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
          return Date.parse(document.querySelector('[data-testid=readout]').dataset.time);
        }
        """;

    /// <summary>Where on the timeline a moment lies, from the window the timeline says it shows.</summary>
    private static async Task<double> TimelineXAsync(ILocator timeline, DateTimeOffset at, LocatorBoundingBoxResult box)
    {
        var start = DateTimeOffset.Parse((await timeline.GetAttributeAsync("data-start"))!, System.Globalization.CultureInfo.InvariantCulture);
        var end = DateTimeOffset.Parse((await timeline.GetAttributeAsync("data-end"))!, System.Globalization.CultureInfo.InvariantCulture);
        return box.Width * (at - start).TotalSeconds / (end - start).TotalSeconds;
    }
}
