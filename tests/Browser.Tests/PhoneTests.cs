using System.Globalization;
using System.Text.Json;
using GateWatch.Browser.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests;

/// <summary>
/// A guard at the gate with a phone (390x844, touch, Vietnamese): one camera at a time, the alert banner in reach
/// wherever the page is scrolled, acknowledging a crowd alert with a note; and the recordings page on a tablet.
/// </summary>
[Collection(GateSiteGroup.Name)]
public sealed class PhoneTests(GateSite site)
{
    [Fact]
    public async Task A_guard_on_a_phone_in_Vietnamese_acknowledges_a_crowd_alert_with_a_note()
    {
        var page = await site.SignInAsync("guard2", phone: true);
        await page.GotoAsync("/live.html");
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "vi");
        // One camera at a time, chosen from a list.
        await Assertions.Expect(page.GetByTestId("camera-pick")).ToBeVisibleAsync();
        Assert.Equal(1, await page.EvaluateAsync<int>("[...document.querySelectorAll('[data-testid=tile]')].filter((t) => t.getClientRects().length > 0).length"));
        Assert.True(await page.EvaluateAsync<bool>("document.scrollingElement.scrollWidth <= innerWidth + 1"), "the wall is wider than the phone");

        var id = $"phone-{Guid.NewGuid():N}"[..24];
        var delivered = await site.DeliverAsync(new
        {
            seq = 9_200_000 + DateTime.UtcNow.Second, id, agent = GateSite.AgentId, camera = GateSite.CameraId, type = "crowd-start",
            time = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            data = new { zone = "gate", peak = 41, estimate = 41.0, counting = "density", startTime = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture) },
        });
        Assert.Equal(1, delivered.GetProperty("stored").GetInt32());
        var alert = page.Locator($"[data-testid=alert][data-id='{id}']");
        await Assertions.Expect(alert).ToBeVisibleAsync(new() { Timeout = 30_000 });

        // Scrolled to the bottom of the wall, the banner is still on the screen.
        await page.EvaluateAsync("window.scrollTo(0, document.scrollingElement.scrollHeight)");
        var box = await alert.BoundingBoxAsync();
        Assert.True(box is { Y: >= 0 } && box.Y + box.Height <= 844, $"the alert is off the screen at {box?.Y}");
        await GateSite.ShotAsync(page, "phone-wall-vi");
        var untranslated = await PageChecks.UntranslatedAsync(page);
        Assert.True(untranslated.Count == 0, string.Join('\n', untranslated));
        var axe = await PageChecks.AxeAsync(page);
        Assert.True(axe.Count == 0, string.Join('\n', axe));

        await alert.GetByTestId("ack").TapAsync();
        await Assertions.Expect(page.Locator("#ack-dialog")).ToBeVisibleAsync();
        await page.GetByTestId("ack-note").FillAsync("Công nhân chờ vào ca, đã hướng dẫn xếp hàng");
        await GateSite.ShotAsync(page, "phone-ack-vi");
        await page.GetByTestId("ack-confirm").TapAsync();
        await Assertions.Expect(alert).ToHaveCountAsync(0);

        var alerts = await page.Context.APIRequest.GetAsync("/api/alerts");
        using var json = JsonDocument.Parse(await alerts.TextAsync());
        var ack = json.RootElement.EnumerateArray().Single(a => a.GetProperty("id").GetString() == id).GetProperty("acknowledged");
        Assert.Equal(("guard2", "Công nhân chờ vào ca, đã hướng dẫn xếp hàng"), (ack.GetProperty("by").GetString(), ack.GetProperty("note").GetString()));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_recordings_page_fits_a_tablet()
    {
        var page = await site.SignInAsync("reviewer2");
        await page.SetViewportSizeAsync(820, 1180);
        await page.GotoAsync("/recordings.html");
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });
        Assert.True(await page.EvaluateAsync<bool>("document.scrollingElement.scrollWidth <= innerWidth + 1"), "the recordings page is wider than the tablet");
        await GateSite.ShotAsync(page, "tablet-recordings-vi");
        await page.Context.CloseAsync();
    }
}
