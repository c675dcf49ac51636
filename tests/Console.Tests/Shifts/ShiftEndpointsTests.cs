using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;

namespace GateWatch.Central.Tests.Shifts;

/// <summary>The park's clock for the pages, and the admin's shift plan: checked whole, saved whole or not at all, audited.</summary>
public sealed class ShiftEndpointsTests : IAsyncLifetime
{
    private TestConsole _console = null!;

    public async Task InitializeAsync() =>
        _console = await TestConsole.StartAsync(now: DateTimeOffset.Parse("2026-12-01T23:30:00+07:00"), zone: "Asia/Ho_Chi_Minh");

    public async Task DisposeAsync() => await _console.DisposeAsync();

    private static string Plan(JsonElement j) => string.Join(", ", j.GetProperty("shifts").EnumerateArray()
        .Select(s => $"{s.GetProperty("name").GetString()} {s.GetProperty("start").GetString()}-{s.GetProperty("end").GetString()}"));

    [Fact]
    public async Task Every_signed_in_page_learns_the_zone_today_and_the_current_shift()
    {
        using var guard = await _console.SignedInAsync("guard1");
        var clock = await guard.GetFromJsonAsync<JsonElement>("api/clock");
        Assert.Equal(("Asia/Ho_Chi_Minh", "UTC+07:00", "2026-12-01", "2026-11-30T17:00:00Z"), (clock.GetProperty("zone").GetString(), clock.GetProperty("offset").GetString(),
            clock.GetProperty("today").GetString(), clock.GetProperty("todayStart").GetString()));
        Assert.Equal("Ca sáng 06:00-14:00, Ca chiều 14:00-22:00, Ca đêm 22:00-06:00", Plan(clock));
        Assert.Equal(("Ca đêm", "2026-12-01T22:00:00+07:00"), (clock.GetProperty("current").GetProperty("name").GetString(), clock.GetProperty("current").GetProperty("startLocal").GetString()));
        Assert.Equal("Asia/Ho_Chi_Minh", (await guard.GetFromJsonAsync<JsonElement>("api/me")).GetProperty("zone").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await _console.Client().GetAsync("api/clock")).StatusCode);
    }

    [Fact]
    public async Task An_admin_sets_two_twelve_hour_shifts_and_a_bad_plan_says_which_hours_and_changes_nothing()
    {
        using var admin = await _console.SignedInAsync("admin1");
        var bad = await admin.PutAsJsonAsync("api/admin/shifts", new { shifts = new[] { new { name = "Ngày", start = "07:00", end = "19:00" }, new { name = "Đêm", start = "20:00", end = "07:00" } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("no shift covers 19:00-20:00: the shifts must cover the whole day; nothing was changed",
            (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        var worse = await admin.PutAsJsonAsync("api/admin/shifts", new { shifts = new[] { new { name = "Ngày", start = "7h", end = "19:00" } } });
        Assert.Contains("shifts[0] ('Ngày'): start and end are times of day", (await worse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsync("api/admin/shifts", JsonContent.Create(new { }))).StatusCode);
        Assert.Equal("Ca sáng 06:00-14:00, Ca chiều 14:00-22:00, Ca đêm 22:00-06:00", Plan(await admin.GetFromJsonAsync<JsonElement>("api/clock")));

        var ok = await admin.PutAsJsonAsync("api/admin/shifts", new { shifts = new[] { new { name = "Ngày", start = "07:00", end = "19:00" }, new { name = "Đêm", start = "19:00", end = "07:00" } } });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var clock = await admin.GetFromJsonAsync<JsonElement>("api/clock");
        Assert.Equal("Ngày 07:00-19:00, Đêm 19:00-07:00", Plan(clock));
        Assert.Equal(("Đêm", 12.0), (clock.GetProperty("current").GetProperty("name").GetString(), clock.GetProperty("current").GetProperty("hoursLong").GetDouble()));

        var audit = (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=config-change")).EnumerateArray()
            .Where(e => e.GetProperty("target").GetString() == "shifts").Select(e => e.GetProperty("detail").GetString());
        Assert.Equal(["Ngày 07:00-19:00, Đêm 19:00-07:00"], audit);

        using var guard = await _console.SignedInAsync("guard1");
        Assert.Equal(HttpStatusCode.Forbidden, (await guard.PutAsJsonAsync("api/admin/shifts", new { shifts = Array.Empty<object>() })).StatusCode);
    }
}
