using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using static GateWatch.Central.Tests.Support.EventSender;

namespace GateWatch.Central.Tests.Recordings;

/// <summary>Timeline markers: one camera's events in a range, from the console's own copy.</summary>
public sealed class RecordingEventsTests : IAsyncLifetime
{
    private TestConsole _console = null!;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        var gate = await RegisterAsync(_console, "gate-north", "North gate");
        await gate.SendAsync(
            Crossing("north-1", "2025-03-01T08:10:00Z", "in"),
            Other("north-1", "crowd-start", "2025-03-01T08:05:00Z"),
            // A minute's peak is for the statistics; the timeline leaves it out.
            new SentEvent("north-1", "zone-peak", "2025-03-01T08:06:00Z", new { zone = "gate", minute = "2025-03-01T08:06:00Z", peak = 8 }),
            Crossing("north-2", "2025-03-01T08:15:00Z", "out"),
            Crossing("north-1", "2025-03-01T09:00:00Z", "out"));
    }

    public async Task DisposeAsync() => await _console.DisposeAsync();

    [Fact]
    public async Task A_cameras_events_in_the_range_come_in_time_order_with_their_data()
    {
        using var reviewer = await _console.SignedInAsync("reviewer1");
        var events = (await reviewer.GetFromJsonAsync<JsonElement>("api/recordings/gate-north/north-1/events?from=2025-03-01T08:00:00Z&to=2025-03-01T09:00:00Z"))
            .EnumerateArray().ToList();
        Assert.Equal(["crowd-start", "crossing"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("in", events[1].GetProperty("data").GetProperty("direction").GetString());
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 8, 10, 0, TimeSpan.Zero), events[1].GetProperty("time").GetDateTimeOffset());
        Assert.Equal("gate-north-00000001", events[1].GetProperty("id").GetString());

        Assert.Equal(HttpStatusCode.BadRequest, (await reviewer.GetAsync("api/recordings/gate-north/north-1/events")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await reviewer.GetAsync("api/recordings/gate-north/north-1/events?from=2025-03-01T09:00:00Z&to=2025-03-01T08:00:00Z")).StatusCode);
        using var investigator = await _console.SignedInAsync("investigator1");
        Assert.Single((await investigator.GetFromJsonAsync<JsonElement>("api/recordings/gate-north/north-2/events?from=2025-03-01T00:00:00Z&to=2025-03-02T00:00:00Z")).EnumerateArray());
    }

    [Fact]
    public async Task Guards_and_admins_are_refused_the_timeline()
    {
        foreach (var name in new[] { "guard1", "admin1" })
        {
            using var user = await _console.SignedInAsync(name);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("api/recordings/gate-north/north-1/events?from=2025-03-01T00:00:00Z&to=2025-03-02T00:00:00Z")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await _console.Client().GetAsync("api/recordings/gate-north/north-1/events")).StatusCode);
        using var admin = await _console.SignedInAsync("admin1");
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=access-denied")).EnumerateArray()
            .Count(e => e.GetProperty("target").GetString() == "GET /api/recordings/gate-north/north-1/events"));
    }
}
