using System.Text.Json;
using GateWatch.Browser.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests;

/// <summary>A reviewer's statistics: how big the gatherings at a gate got, hour by hour, as the agent measured them.</summary>
[Collection(GateSiteGroup.Name)]
public sealed class StatisticsTests(GateSite site)
{
    [Fact]
    public async Task A_reviewer_sees_the_most_people_in_the_gates_zone_today_and_downloads_them_as_csv()
    {
        var page = await site.SignInAsync("reviewer1");
        // The agent sends a zone's peak once each minute closes: the first one comes within about a minute of the start.
        var console = page.Context.APIRequest;
        var deadline = DateTime.UtcNow.AddSeconds(150);
        JsonElement row = default;
        while (true)
        {
            var r = await console.GetAsync("/api/stats/crowd?bucket=hour");
            using var rows = JsonDocument.Parse(await r.TextAsync());
            if (rows.RootElement.EnumerateArray().FirstOrDefault(x => x.GetProperty("camera").GetString() == GateSite.CameraId) is { ValueKind: JsonValueKind.Object } found)
            {
                row = found.Clone();
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "no minute peak reached the console in 150 s");
            await Task.Delay(3000);
        }

        Assert.Equal("junction", row.GetProperty("zone").GetString());
        await page.GotoAsync("/stats.html");
        await page.GetByRole(AriaRole.Button, new() { Name = "Today" }).ClickAsync();
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });
        var card = page.Locator($"#chart-crowd [data-agent={GateSite.AgentId}][data-camera={GateSite.CameraId}]");
        await Assertions.Expect(card).ToBeVisibleAsync();
        Assert.True(int.Parse((await card.GetAttributeAsync("data-peak"))!, System.Globalization.CultureInfo.InvariantCulture) >= row.GetProperty("peak").GetInt32());
        await Assertions.Expect(card.GetByTestId("chart-crowd-gate").Locator("rect.bar")).Not.ToHaveCountAsync(0);
        await GateSite.ShotAsync(page, "stats-crowd");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("csv-crowd").ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("bucket_local,bucket_utc,agent,camera,zone,peak_people,peak_estimate\n", csv, StringComparison.Ordinal);
        Assert.Contains($",{GateSite.AgentId},{GateSite.CameraId},junction,", csv, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }
}
