using System.Globalization;
using GateWatch.Browser.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests;

/// <summary>
/// The shift handover in the browser, the browser in Berlin and the park in Hanoi: a guard leaves a note on a night
/// shift, a reviewer reads that shift's report, whose counts are the crossings from 22:00 to 06:00 on the park's
/// clock across local midnight, prints it and downloads it; an admin's shift plan with a gap is refused naming the hours.
/// </summary>
[Collection(GateSiteGroup.Name)]
public sealed class ShiftReportTests(GateSite site)
{
    [Fact]
    public async Task A_reviewer_reads_a_night_shift_report_whose_counts_are_the_crossings_of_that_shift_across_local_midnight()
    {
        // The night shift that began two days ago at the park: over, and untouched by the clip the agent is analysing now.
        var day = DateOnly.FromDateTime(GateSite.ParkTime(DateTime.UtcNow)).AddDays(-2);
        var next = day.AddDays(1);
        string At(DateOnly d, string hm) => DateTimeOffset.Parse($"{d:yyyy-MM-dd}T{hm}:00+07:00", CultureInfo.InvariantCulture).ToString("O");
        var seq = 9_100_000 + (DateTime.UtcNow.Second * 100);
        object Crossing(DateOnly d, string hm, string direction, string @class) => new
        {
            seq = ++seq, id = $"shift-{Guid.NewGuid():N}"[..26], agent = GateSite.AgentId, camera = GateSite.CameraId, type = "crossing", time = At(d, hm),
            data = new { line = "gate", direction, trackId = seq, @class },
        };
        var delivered = await site.DeliverAsync(
            Crossing(day, "21:59", "in", "person"),       // the afternoon shift's
            Crossing(day, "22:10", "in", "person"),
            Crossing(day, "23:50", "in", "motorcycle"),
            Crossing(next, "00:20", "out", "motorcycle"),  // after local midnight, still the night shift
            Crossing(next, "05:59", "in", "car"),
            Crossing(next, "06:00", "in", "person"));     // the morning shift's
        Assert.Equal(6, delivered.GetProperty("stored").GetInt32());
        var query = $"/report.html?agent={GateSite.AgentId}&day={day:yyyy-MM-dd}&shift={Uri.EscapeDataString("Ca đêm")}";

        var guard = await site.SignInAsync("guard1");
        await guard.GotoAsync(query);
        await Assertions.Expect(guard.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });
        await guard.GetByTestId("note-text").FillAsync("Barrier 2 sticks when it rains; maintenance called at 04:10.");
        await guard.GetByTestId("note-add").ClickAsync();
        await Assertions.Expect(guard.GetByTestId("note")).ToContainTextAsync("Barrier 2 sticks");
        await guard.Context.CloseAsync();

        var reviewer = await site.SignInAsync("reviewer1");
        await reviewer.GotoAsync("/report.html");
        await Assertions.Expect(reviewer.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });
        await reviewer.GetByTestId("report-day").FillAsync($"{day:yyyy-MM-dd}");
        await reviewer.GetByTestId("report-shift").SelectOptionAsync("Ca đêm");
        await reviewer.ClickAsync("#show");
        var report = reviewer.GetByTestId("report");
        await Assertions.Expect(report.Locator("#report-title")).ToContainTextAsync($"Ca đêm, {day:yyyy-MM-dd}");
        await Assertions.Expect(report.Locator("#report-hours")).ToContainTextAsync($"{day:yyyy-MM-dd} 22:00 to {next:yyyy-MM-dd} 06:00 (8 h), Asia/Ho_Chi_Minh");
        await Assertions.Expect(reviewer.GetByTestId("report-incomplete")).ToBeHiddenAsync();
        await Assertions.Expect(reviewer.GetByTestId("total-in")).ToHaveTextAsync("3");
        await Assertions.Expect(reviewer.GetByTestId("total-out")).ToHaveTextAsync("1");
        Assert.Equal(["car 1 0", "motorcycle 1 1", "person 1 0"], (await reviewer.GetByTestId("count-row").AllInnerTextsAsync())
            .Select(t => string.Join(' ', t.Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(x => x != GateSite.CameraId))));
        await Assertions.Expect(reviewer.GetByTestId("note")).ToContainTextAsync("guard1");
        // A reviewer reads; only guards write the shift's notes.
        await Assertions.Expect(reviewer.Locator("#note-form")).ToBeHiddenAsync();
        await GateSite.ShotAsync(reviewer, "shift-report");

        await reviewer.EmulateMediaAsync(new() { Media = Media.Print });
        await Assertions.Expect(reviewer.Locator("#top")).ToBeHiddenAsync();
        await Assertions.Expect(reviewer.Locator("#query")).ToBeHiddenAsync();
        await GateSite.ShotAsync(reviewer, "shift-report-print");
        await reviewer.EmulateMediaAsync(new() { Media = Media.Screen });

        var download = await reviewer.RunAndWaitForDownloadAsync(() => reviewer.GetByTestId("report-csv").ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("section,camera,what,entries,exits,time_local,time_utc,until_local,until_utc,by,note\n", csv, StringComparison.Ordinal);
        Assert.Contains($"crossings,{GateSite.CameraId},motorcycle,1,1,", csv, StringComparison.Ordinal);
        Assert.Contains(",guard1,Barrier 2 sticks when it rains; maintenance called at 04:10.\n", csv, StringComparison.Ordinal);
        await reviewer.Context.CloseAsync();
    }

    [Fact]
    public async Task An_admin_is_told_which_hours_no_shift_covers_and_the_plan_stays()
    {
        var admin = await site.SignInAsync("admin1");
        await admin.GotoAsync("/admin.html");
        await Assertions.Expect(admin.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });
        await Assertions.Expect(admin.GetByTestId("shift-row")).ToHaveCountAsync(3);
        await Assertions.Expect(admin.Locator("#shift-zone")).ToContainTextAsync("Asia/Ho_Chi_Minh (UTC+07:00)");
        await admin.GetByTestId("shift-row").Nth(2).Locator(".shift-start").FillAsync("23:00");
        await admin.GetByTestId("shift-save").ClickAsync();
        await Assertions.Expect(admin.GetByTestId("shift-status")).ToHaveTextAsync(
            "no shift covers 22:00-23:00: the shifts must cover the whole day; nothing was changed");
        await GateSite.ShotAsync(admin, "admin-shifts-gap");
        await admin.ReloadAsync();
        await Assertions.Expect(admin.GetByTestId("shift-row").Nth(2).Locator(".shift-start")).ToHaveValueAsync("22:00");
        await admin.Context.CloseAsync();
    }
}
