using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using static GateWatch.Central.Tests.Support.EventSender;

namespace GateWatch.Central.Tests.Live;

/// <summary>The wall's counters: entries and exits since midnight UTC by the console's clock.</summary>
public sealed class LiveTodayTests : IAsyncLifetime
{
    private TestConsole _console = null!;
    private DateTimeOffset _midnight;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        // 23:00 of a known day, set before anyone signs in (the clock only moves forward), so that the test can
        // cross midnight with a short step that the sessions outlive.
        _midnight = new DateTimeOffset(_console.Time.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        _console.Time.SetUtcNow(_midnight.AddHours(23));
        var north = await RegisterAsync(_console, "gate-north", "North gate");
        await north.SendAsync(
            Crossing("north-1", At(-0.001), "in"),
            Crossing("north-1", At(0), "in"),
            Crossing("north-1", At(1), "in"),
            Crossing("north-1", At(11), "out"),
            Crossing("north-2", At(3), "out", "vehicle"),
            Other("north-2", "crowd-start", At(4)));
        var south = await RegisterAsync(_console, "gate-south", "South gate");
        await south.SendAsync(Crossing("south-1", At(2), "in"));
    }

    public async Task DisposeAsync() => await _console.DisposeAsync();

    private string At(double hours) => _midnight.AddHours(hours).ToString("O");

    [Fact]
    public async Task Today_counts_entries_and_exits_per_camera_from_midnight_utc_of_the_consoles_clock()
    {
        using var guard = await _console.SignedInAsync("guard1");
        var today = (await guard.GetFromJsonAsync<JsonElement>("api/live/today")).EnumerateArray()
            .Select(r => $"{r.GetProperty("agent").GetString()}/{r.GetProperty("camera").GetString()} {r.GetProperty("in").GetInt64()} {r.GetProperty("out").GetInt64()}");
        Assert.Equal(["gate-north/north-1 2 1", "gate-north/north-2 0 1", "gate-south/south-1 1 0"], today);

        // A day later the counters start again.
        _console.Time.Advance(TimeSpan.FromHours(2));
        Assert.Empty((await guard.GetFromJsonAsync<JsonElement>("api/live/today")).EnumerateArray());
    }

    [Fact]
    public async Task Only_guards_see_todays_counts()
    {
        foreach (var name in new[] { "reviewer1", "investigator1", "admin1" })
        {
            using var user = await _console.SignedInAsync(name);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("api/live/today")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await _console.Client().GetAsync("api/live/today")).StatusCode);
        using var admin = await _console.SignedInAsync("admin1");
        var denied = (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=access-denied")).EnumerateArray()
            .Where(e => e.GetProperty("target").GetString() == "GET /api/live/today").Select(e => e.GetProperty("actor").GetString());
        Assert.Equal(["reviewer1", "investigator1", "admin1"], denied);
    }
}
