using GateWatch.Browser.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests;

/// <summary>Vehicle access control by plate, across the three roles that meet it: the admin's lists, the guard's wall, the reviewer's search.</summary>
[Collection(GateSiteGroup.Name)]
public sealed class PlateTests(GateSite site)
{
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
}
