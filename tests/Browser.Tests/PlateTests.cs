using GateWatch.Agent.Tests.Support;
using GateWatch.Browser.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests;

/// <summary>Vehicle access control by plate, across the three roles that meet it: the admin's lists, the guard's wall, the reviewer's search.</summary>
[Collection(GateSiteGroup.Name)]
public sealed class PlateTests(GateSite site)
{
    private const string CarPhoto = "../shared/data/plates/openalpr-br/AYO9034.jpg";

    [Fact]
    public async Task An_admin_lists_a_denied_plate_the_wall_alerts_on_its_crossing_and_a_reviewer_finds_the_read_by_part_of_the_plate()
    {
        // The admin puts the plate on the watchlist and has the gate camera alert on denied plates.
        var admin = await site.SignInAsync("admin1");
        await admin.GotoAsync("/plates.html");
        await Assertions.Expect(admin.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });
        await admin.GetByTestId("list-tab-denied").ClickAsync();
        await admin.GetByTestId("entry-plate").FillAsync("51G-123.45");
        await admin.GetByTestId("entry-reason").FillAsync("Stolen van, reported 2026-02-01");
        await admin.GetByTestId("entry-save").ClickAsync();
        await Assertions.Expect(admin.GetByTestId("entry-row").Filter(new() { HasText = "51G-123.45" })).ToBeVisibleAsync();
        var policy = admin.Locator($"[data-testid=policy][data-agent={GateSite.AgentId}][data-camera={GateSite.CameraId}]");
        await policy.SelectOptionAsync("alert-denied");
        await Assertions.Expect(admin.GetByTestId("status")).ToContainTextAsync("plate policy now alert-denied", new() { Timeout = 15_000 });
        await Assertions.Expect(policy).ToHaveValueAsync("alert-denied");
        await GateSite.ShotAsync(admin, "plates-lists");
        await admin.Context.CloseAsync();

        // A car crosses with that plate; the console gets it as the agent delivers its events.
        var id = "plate-" + Guid.NewGuid().ToString("N")[..20];
        var delivered = await site.DeliverAsync(new
        {
            seq = 9_000_001,
            id,
            agent = GateSite.AgentId,
            camera = GateSite.CameraId,
            type = "crossing",
            time = DateTimeOffset.UtcNow,
            data = new { line = "in-lane", direction = "in", trackId = 12, @class = "car", plate = new { text = "51G-123.45", confidence = 0.93, crop = $"p-{id}.jpg" } },
        });
        Assert.Equal(1, delivered.GetProperty("stored").GetInt32());

        // The guard's wall: the alert with the plate, and the camera's tile marked with it.
        var guard = await site.SignInAsync("guard1");
        var alert = guard.Locator($"[data-testid=alert][data-type=plate-denied][data-id='{id}']");
        await Assertions.Expect(alert).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(alert).ToContainTextAsync("Denied plate 51G-123.45");
        var tile = guard.Locator($"[data-testid=tile][data-agent={GateSite.AgentId}][data-camera={GateSite.CameraId}]");
        await Assertions.Expect(tile).ToHaveAttributeAsync("data-plate-alert", "plate-denied");
        await Assertions.Expect(tile.GetByTestId("plate-tag")).ToHaveTextAsync("51G-123.45");
        await GateSite.ShotAsync(guard, "plates-wall-alert");
        await guard.Context.CloseAsync();

        // The reviewer finds the read by a part of the plate, with a link to its footage.
        var reviewer = await site.SignInAsync("reviewer1");
        await reviewer.GotoAsync("/vehicles.html");
        await Assertions.Expect(reviewer.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });
        await reviewer.GetByTestId("plate-query").FillAsync("123.4");
        await reviewer.GetByTestId("search").ClickAsync();
        var row = reviewer.Locator($"[data-testid=read-row][data-event-id='{id}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(row.GetByTestId("read-plate")).ToHaveTextAsync("51G-123.45");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "denied");
        var footage = await row.GetByTestId("read-footage").GetAttributeAsync("href");
        Assert.StartsWith($"/recordings.html?agent={GateSite.AgentId}&camera={GateSite.CameraId}&t=", footage, StringComparison.Ordinal);
        await GateSite.ShotAsync(reviewer, "plates-vehicles-search");
        await reviewer.Context.CloseAsync();
    }

    /// <summary>
    /// The whole way, nothing delivered by hand: a live lane camera (a clip made from a real photo of a car, over RTSP)
    /// added to the agent; the agent reads the plate and delivers the crossing; the console alerts on it, with the
    /// crop the agent cut, and the reviewer plays the footage from the read.
    /// </summary>
    [RequiresFileFact(CarPhoto)]
    public async Task A_denied_car_on_a_live_lane_camera_alerts_the_wall_with_its_crop_and_its_read_plays_its_footage()
    {
        await using var lane = await site.AddLaneCameraAsync(TestPaths.Resolve(CarPhoto));

        var admin = await site.SignInAsync("admin1");
        await admin.GotoAsync("/plates.html");
        await Assertions.Expect(admin.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });
        await admin.GetByTestId("list-tab-denied").ClickAsync();
        await admin.GetByTestId("entry-plate").FillAsync("AYO9034");
        await admin.GetByTestId("entry-reason").FillAsync("Van seen at the strike, 2026-12-01");
        await admin.GetByTestId("entry-save").ClickAsync();
        await Assertions.Expect(admin.GetByTestId("entry-row").Filter(new() { HasText = "AYO9034" })).ToBeVisibleAsync();
        // The new camera is listed once its agent has reported it; the page is read again until it is.
        var policy = admin.Locator($"[data-testid=policy][data-agent={GateSite.AgentId}][data-camera={GateSite.LaneCameraId}]");
        for (var i = 0; i < 30 && await policy.CountAsync() == 0; i++)
        {
            await Task.Delay(1000);
            await admin.ReloadAsync();
            await Assertions.Expect(admin.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });
        }

        await policy.SelectOptionAsync("alert-denied");
        await Assertions.Expect(admin.GetByTestId("status")).ToContainTextAsync("plate policy now alert-denied", new() { Timeout = 15_000 });
        await admin.Context.CloseAsync();

        // The car crosses the lane line every few seconds as the clip loops: the wall raises the denied plate with the crop.
        var guard = await site.SignInAsync("guard1");
        var alert = guard.Locator("[data-testid=alert][data-type=plate-denied]").Filter(new() { HasText = "9034" }).First;
        try
        {
            await Assertions.Expect(alert).ToBeVisibleAsync(new() { Timeout = 90_000 });
        }
        catch (PlaywrightException e)
        {
            // Seen once in a full run and never alone: what the wall held and what the programs said tell a lost read
            // from a lost alert next time.
            var shown = await guard.Locator("[data-testid=alert]").AllInnerTextsAsync();
            throw new TimeoutException($"no plate-denied alert for 9034 on the wall in 90 s; it showed [{string.Join(" | ", shown)}]\n"
                + $"the agent said:\n{site.AgentLog}\nthe console said:\n{site.ConsoleLog}", e);
        }

        var crop = alert.GetByTestId("alert-crop");
        await Assertions.Expect(crop).ToBeVisibleAsync();
        await guard.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 40", await crop.ElementHandleAsync(), new() { Timeout = 15_000 });
        var tile = guard.Locator($"[data-testid=tile][data-agent={GateSite.AgentId}][data-camera={GateSite.LaneCameraId}]");
        await Assertions.Expect(tile).ToHaveAttributeAsync("data-plate-alert", "plate-denied");
        await GateSite.ShotAsync(guard, "plates-live-lane-alert");
        await guard.Context.CloseAsync();

        // The reviewer finds the read by part of the plate and plays its footage from the result.
        var reviewer = await site.SignInAsync("reviewer1");
        await reviewer.GotoAsync("/vehicles.html");
        await Assertions.Expect(reviewer.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });
        await reviewer.GetByTestId("plate-query").FillAsync("9034");
        await reviewer.GetByTestId("search").ClickAsync();
        var row = reviewer.Locator($"[data-testid=read-row]").Filter(new() { HasText = "Lane 1" }).First;
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "denied");
        await reviewer.WaitForFunctionAsync("img => img && img.complete && img.naturalWidth > 40", await row.GetByTestId("read-crop").ElementHandleAsync(), new() { Timeout = 15_000 });
        await GateSite.ShotAsync(reviewer, "plates-live-lane-search");
        await row.GetByTestId("read-footage").ClickAsync();
        await reviewer.WaitForURLAsync(u => u.Contains("/recordings.html", StringComparison.Ordinal) && u.Contains($"camera={GateSite.LaneCameraId}", StringComparison.Ordinal));
        await reviewer.WaitForFunctionAsync("() => { const v = document.querySelector('[data-testid=player]'); return v && v.currentTime > 0 && v.readyState >= 2; }",
            null, new() { Timeout = 45_000 });
        await reviewer.Context.CloseAsync();
    }
}
