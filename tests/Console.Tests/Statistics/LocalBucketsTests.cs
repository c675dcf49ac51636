using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using static GateWatch.Central.Tests.Support.EventSender;

namespace GateWatch.Central.Tests.Statistics;

/// <summary>Statistics on the park's clock: Vietnamese days and shifts, and Berlin's 23- and 25-hour days.</summary>
public sealed class LocalBucketsTests
{
    private static string Rows(JsonElement j, string field = "in") => string.Join(" | ", j.EnumerateArray().Select(r =>
        $"{r.GetProperty("local").GetString()}{(r.GetProperty("shift").GetString() is { } s ? " " + s : "")} {r.GetProperty(field).GetInt64()}"));

    [Fact]
    public async Task A_Vietnamese_day_starts_at_local_midnight_and_a_night_shift_holds_both_sides_of_it()
    {
        await using var console = await TestConsole.StartAsync(now: DateTimeOffset.Parse("2026-12-05T12:00:00+07:00"), zone: "Asia/Ho_Chi_Minh");
        var gate = await RegisterAsync(console, "gate-north", "North gate");
        await gate.SendAsync(
            Crossing("north-1", "2026-12-01T16:59:00Z", "in"),  // 23:59 on 1 December in Hanoi
            Crossing("north-1", "2026-12-01T17:01:00Z", "in"),  // 00:01 on 2 December
            Crossing("north-1", "2026-12-01T23:30:00Z", "in"),  // 06:30 on 2 December: the morning shift
            Crossing("north-1", "2026-12-01T14:30:00Z", "in")); // 21:30 on 1 December: the afternoon shift
        using var reviewer = await console.SignedInAsync("reviewer1");

        Assert.Equal("2026-12-01T00:00:00+07:00 2 | 2026-12-02T00:00:00+07:00 2",
            Rows(await reviewer.GetFromJsonAsync<JsonElement>("api/stats/crossings?from=2026-12-01&to=2026-12-03&bucket=day")));
        Assert.Equal("2026-12-01T14:00:00+07:00 Ca chiều 1 | 2026-12-01T22:00:00+07:00 Ca đêm 2 | 2026-12-02T06:00:00+07:00 Ca sáng 1",
            Rows(await reviewer.GetFromJsonAsync<JsonElement>("api/stats/crossings?from=2026-12-01&to=2026-12-03&bucket=shift")));
        Assert.Equal("2026-12-01T21:00:00+07:00 1 | 2026-12-01T23:00:00+07:00 1 | 2026-12-02T00:00:00+07:00 1 | 2026-12-02T06:00:00+07:00 1",
            Rows(await reviewer.GetFromJsonAsync<JsonElement>("api/stats/crossings?from=2026-12-01&to=2026-12-03&bucket=hour")));

        var csv = await reviewer.GetStringAsync("api/stats/crossings?from=2026-12-01&to=2026-12-03&bucket=shift&format=csv");
        Assert.StartsWith("""
            bucket_local,bucket_utc,shift,agent,camera,class,entries,exits
            2026-12-01T14:00:00+07:00,2026-12-01T07:00:00Z,Ca chiều,gate-north,north-1,person,1,0
            2026-12-01T22:00:00+07:00,2026-12-01T15:00:00Z,Ca đêm,gate-north,north-1,person,2,0
            """.Replace("\r\n", "\n", StringComparison.Ordinal), csv, StringComparison.Ordinal);

        // The axis: six shifts over two days, starting with the night shift of 30 November that runs into 1 December.
        var buckets = (await reviewer.GetFromJsonAsync<JsonElement>("api/stats/buckets?from=2026-12-01&to=2026-12-03&bucket=shift")).EnumerateArray()
            .Select(b => $"{b.GetProperty("local").GetString()![5..16]} {b.GetProperty("shift").GetString()}").ToList();
        Assert.Equal(["11-30T22:00 Ca đêm", "12-01T06:00 Ca sáng", "12-01T14:00 Ca chiều", "12-01T22:00 Ca đêm", "12-02T06:00 Ca sáng", "12-02T14:00 Ca chiều", "12-02T22:00 Ca đêm"], buckets);
    }

    [Fact]
    public async Task Berlin_counts_a_23_hour_and_a_25_hour_day_each_as_one_day()
    {
        await using var console = await TestConsole.StartAsync(now: DateTimeOffset.Parse("2026-11-01T12:00:00Z"), zone: "Europe/Berlin");
        var gate = await RegisterAsync(console, "gate-north", "North gate");
        await gate.SendAsync(
            Crossing("north-1", "2026-03-28T23:30:00Z", "in"),  // 00:30 CET on 29 March
            Crossing("north-1", "2026-03-29T21:59:00Z", "in"),  // 23:59 CEST on 29 March
            Crossing("north-1", "2026-03-29T22:00:00Z", "in"),  // 00:00 on 30 March
            Crossing("north-1", "2026-10-24T22:30:00Z", "in"),  // 00:30 CEST on 25 October
            Crossing("north-1", "2026-10-25T00:30:00Z", "in"),  // 02:30 CEST, the first 02:30
            Crossing("north-1", "2026-10-25T01:30:00Z", "in"),  // 02:30 CET, the second
            Crossing("north-1", "2026-10-25T22:59:00Z", "in")); // 23:59 CET on 25 October
        using var reviewer = await console.SignedInAsync("reviewer1");

        Assert.Equal("2026-03-29T00:00:00+01:00 2 | 2026-03-30T00:00:00+02:00 1",
            Rows(await reviewer.GetFromJsonAsync<JsonElement>("api/stats/crossings?from=2026-03-29&to=2026-03-31&bucket=day")));
        Assert.Equal("2026-10-25T00:00:00+02:00 4",
            Rows(await reviewer.GetFromJsonAsync<JsonElement>("api/stats/crossings?from=2026-10-25&to=2026-10-26&bucket=day")));
        Assert.Equal("2026-10-25T00:00:00+02:00 1 | 2026-10-25T02:00:00+02:00 1 | 2026-10-25T02:00:00+01:00 1 | 2026-10-25T23:00:00+01:00 1",
            Rows(await reviewer.GetFromJsonAsync<JsonElement>("api/stats/crossings?from=2026-10-25&to=2026-10-26&bucket=hour")));

        async Task<int> Hours(string day, string next) =>
            (await reviewer.GetFromJsonAsync<JsonElement>($"api/stats/buckets?from={day}&to={next}&bucket=hour")).GetArrayLength();
        Assert.Equal(23, await Hours("2026-03-29", "2026-03-30"));
        Assert.Equal(25, await Hours("2026-10-25", "2026-10-26"));
        Assert.Equal(24, await Hours("2026-10-26", "2026-10-27"));
    }
}
