using System.Globalization;
using System.Text.Json;
using GateWatch.Browser.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests;

/// <summary>A guard's wall: live video relayed from the agent, drawn-in tracking, alerts with sound, acknowledging.</summary>
[Collection(GateSiteGroup.Name)]
public sealed class LiveWallTests(GateSite site)
{
    [Fact]
    public async Task The_wall_shows_the_gate_camera_moving_close_to_live_with_the_tracking_drawn_in()
    {
        var page = await site.SignInAsync("guard1");
        Assert.EndsWith("/live.html", page.Url, StringComparison.Ordinal);
        var tile = page.Locator($"[data-testid=tile][data-agent={GateSite.AgentId}][data-camera={GateSite.CameraId}]");
        await Assertions.Expect(tile).ToHaveAttributeAsync("data-playing", "1", new() { Timeout = 30_000 });

        // Moving video: the picture differs between two screenshots of the video a moment apart.
        var video = tile.GetByTestId("video");
        var first = await video.ScreenshotAsync(new() { Path = Path.Combine(GateSite.Artifacts, "live-video-1.png") });
        await page.WaitForTimeoutAsync(1500);
        var second = await video.ScreenshotAsync(new() { Path = Path.Combine(GateSite.Artifacts, "live-video-2.png") });
        Assert.NotEqual(first, second);
        Assert.True(await video.EvaluateAsync<bool>("v => !v.paused && v.videoWidth === 768 && v.videoHeight === 576"), "the PETS picture plays at its own size");

        // Close to live: what the browser holds beyond the playhead stays small.
        var behind = await video.EvaluateAsync<double>("v => v.buffered.length ? v.buffered.end(v.buffered.length - 1) - v.currentTime : 99");
        Assert.InRange(behind, 0, 1.5);

        // The overlay draws the gate lines at least (boxes when people are tracked).
        await page.WaitForFunctionAsync(
            """
            () => { const c = document.querySelector('[data-testid=overlay]'); if (!c || !c.width) return false;
                    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                    let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n > 500; }
            """, null, new() { Timeout = 15_000 });
        await GateSite.ShotAsync(page, "live-wall");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_crowd_gathering_raises_an_alert_on_the_wall_which_a_guard_acknowledges_with_a_note()
    {
        var page = await site.SignInAsync("guard1");
        // PETS has a group gathering in the marked zone early in the clip; the camera loops it.
        var alert = page.Locator("[data-testid=alert][data-type=crowd-start]").First;
        await Assertions.Expect(alert).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await GateSite.ShotAsync(page, "live-crowd-alert");
        var id = await alert.GetAttributeAsync("data-id");

        await alert.GetByTestId("ack").ClickAsync();
        await page.GetByTestId("ack-note").FillAsync("Gate team sent; group dispersed");
        await page.GetByTestId("ack-confirm").ClickAsync();
        await Assertions.Expect(page.Locator($"[data-testid=alert][data-id='{id}']")).ToHaveCountAsync(0);

        // The console kept who acknowledged and the note.
        var alerts = await page.Context.APIRequest.GetAsync("/api/alerts");
        using var json = JsonDocument.Parse(await alerts.TextAsync());
        var ack = json.RootElement.EnumerateArray().Single(a => a.GetProperty("id").GetString() == id).GetProperty("acknowledged");
        Assert.Equal("guard1", ack.GetProperty("by").GetString());
        Assert.Equal("Gate team sent; group dispersed", ack.GetProperty("note").GetString());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Todays_entries_and_exits_on_the_wall_match_what_the_console_received()
    {
        var page = await site.SignInAsync("guard1");
        var tile = page.Locator($"[data-testid=tile][data-agent={GateSite.AgentId}][data-camera={GateSite.CameraId}]");
        await page.WaitForFunctionAsync("() => Number(document.querySelector('[data-testid=today-in]')?.textContent?.match(/\\d+/)?.[0] ?? 0) > 0",
            null, new() { Timeout = 90_000 });
        var today = await page.Context.APIRequest.GetAsync("/api/live/today");
        using var json = JsonDocument.Parse(await today.TextAsync());
        var row = json.RootElement.EnumerateArray().Single(r => r.GetProperty("camera").GetString() == GateSite.CameraId);
        // The page refreshes every few seconds; what it shows is never ahead of the console.
        var shown = int.Parse(System.Text.RegularExpressions.Regex.Match(await tile.GetByTestId("today-in").InnerTextAsync(), @"\d+").Value, CultureInfo.InvariantCulture);
        Assert.InRange(shown, 1, row.GetProperty("in").GetInt32());
        await page.Context.CloseAsync();
    }
}
