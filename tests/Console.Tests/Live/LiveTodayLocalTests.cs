using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using static GateWatch.Central.Tests.Support.EventSender;

namespace GateWatch.Central.Tests.Live;

/// <summary>The wall's "today" is the park's day: in Hanoi it starts at 17:00 UTC.</summary>
public sealed class LiveTodayLocalTests
{
    [Fact]
    public async Task Today_starts_at_midnight_in_Hanoi_not_at_midnight_utc()
    {
        await using var console = await TestConsole.StartAsync(now: DateTimeOffset.Parse("2026-12-02T08:00:00+07:00"), zone: "Asia/Ho_Chi_Minh");
        var gate = await RegisterAsync(console, "gate-north", "North gate");
        await gate.SendAsync(
            Crossing("north-1", "2026-12-01T16:59:59Z", "in"),  // 23:59:59 yesterday in Hanoi, the same UTC day as now
            Crossing("north-1", "2026-12-01T17:00:00Z", "in"),  // 00:00 today
            Crossing("north-1", "2026-12-02T00:30:00Z", "out"));
        using var guard = await console.SignedInAsync("guard1");
        var row = Assert.Single((await guard.GetFromJsonAsync<JsonElement>("api/live/today")).EnumerateArray());
        Assert.Equal((1, 1), (row.GetProperty("in").GetInt32(), row.GetProperty("out").GetInt32()));
    }
}
