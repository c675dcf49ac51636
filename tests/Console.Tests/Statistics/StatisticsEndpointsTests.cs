using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using static GateWatch.Central.Tests.Support.EventSender;

namespace GateWatch.Central.Tests.Statistics;

/// <summary>Crossings and alerts sent through the real ingest, counted per hour and day, as JSON and CSV.</summary>
public sealed class StatisticsEndpointsTests : IAsyncLifetime
{
    private const string Range = "from=2025-03-01T00:00:00Z&to=2025-03-03T00:00:00Z";

    private TestConsole _console = null!;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        var gate = await RegisterAsync(_console, "gate-north", "North gate");
        await gate.SendAsync(
            Crossing("north-1", "2025-02-28T23:59:59Z", "in"),
            Crossing("north-1", "2025-03-01T08:10:00Z", "in"),
            Crossing("north-1", "2025-03-01T08:20:00Z", "out"),
            Crossing("north-1", "2025-03-01T08:40:00Z", "in", "vehicle"),
            Crossing("north-1", "2025-03-01T08:59:59.999Z", "in"),
            Crossing("north-1", "2025-03-01T09:00:00Z", "in"),
            Crossing("north-2", "2025-03-02T10:00:00Z", "out"),
            Crossing("north-2", "2025-03-03T00:00:00Z", "out"),
            Other("north-1", "crowd-start", "2025-03-01T08:30:00Z"),
            Other("north-1", "crowd-end", "2025-03-01T08:35:00Z"),
            Other("north-2", "camera-offline", "2025-03-01T09:10:00Z"),
            Other("north-2", "camera-online", "2025-03-01T09:20:00Z"),
            Crossing("north-1", _console.Time.GetUtcNow().AddHours(-1).ToString("O"), "out"));
    }

    public async Task DisposeAsync() => await _console.DisposeAsync();

    [Fact]
    public async Task Crossings_are_counted_per_hour_camera_and_class_with_entries_and_exits()
    {
        using var reviewer = await _console.SignedInAsync("reviewer1");
        var rows = (await reviewer.GetFromJsonAsync<JsonElement>($"api/stats/crossings?{Range}&bucket=hour")).EnumerateArray()
            .Select(r => $"{r.GetProperty("bucket").GetString()} {r.GetProperty("agent").GetString()} {r.GetProperty("agentName").GetString()} " +
                $"{r.GetProperty("camera").GetString()} {r.GetProperty("class").GetString()} {r.GetProperty("in").GetInt64()} {r.GetProperty("out").GetInt64()}");
        Assert.Equal(
        [
            "2025-03-01T08:00:00Z gate-north North gate north-1 person 2 1",
            "2025-03-01T08:00:00Z gate-north North gate north-1 vehicle 1 0",
            "2025-03-01T09:00:00Z gate-north North gate north-1 person 1 0",
            "2025-03-02T10:00:00Z gate-north North gate north-2 person 0 1",
        ], rows);
    }

    [Fact]
    public async Task Day_buckets_and_csv_downloads_give_exactly_these_lines()
    {
        using var reviewer = await _console.SignedInAsync("reviewer1");
        var csv = await reviewer.GetAsync($"api/stats/crossings?{Range}&bucket=day&format=csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", csv.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("gatewatch-crossings-20250301T000000Z-20250303T000000Z.csv", csv.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("""
            bucket_local,bucket_utc,agent,camera,class,entries,exits
            2025-03-01T00:00:00+00:00,2025-03-01T00:00:00Z,gate-north,north-1,person,3,1
            2025-03-01T00:00:00+00:00,2025-03-01T00:00:00Z,gate-north,north-1,vehicle,1,0
            2025-03-02T00:00:00+00:00,2025-03-02T00:00:00Z,gate-north,north-2,person,0,1

            """.Replace("\r\n", "\n", StringComparison.Ordinal), await csv.Content.ReadAsStringAsync());

        var hourly = await reviewer.GetStringAsync($"api/stats/crossings?{Range}&format=csv");
        Assert.Equal(5, hourly.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var alerts = await reviewer.GetAsync($"api/stats/alerts?{Range}&bucket=hour&format=csv");
        Assert.Equal("gatewatch-alerts-20250301T000000Z-20250303T000000Z.csv", alerts.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("""
            bucket_local,bucket_utc,agent,camera,type,count
            2025-03-01T08:00:00+00:00,2025-03-01T08:00:00Z,gate-north,north-1,crowd-start,1
            2025-03-01T09:00:00+00:00,2025-03-01T09:00:00Z,gate-north,north-2,camera-offline,1

            """.Replace("\r\n", "\n", StringComparison.Ordinal), await alerts.Content.ReadAsStringAsync());

        var alertJson = Assert.Single((await reviewer.GetFromJsonAsync<JsonElement>($"api/stats/alerts?{Range}&bucket=day")).EnumerateArray(),
            r => r.GetProperty("type").GetString() == "crowd-start");
        Assert.Equal(("2025-03-01T00:00:00Z", "gate-north", "north-1", 1), (alertJson.GetProperty("bucket").GetString(),
            alertJson.GetProperty("agent").GetString(), alertJson.GetProperty("camera").GetString(), alertJson.GetProperty("count").GetInt32()));
    }

    [Fact]
    public async Task Without_a_range_the_last_seven_days_are_counted()
    {
        using var reviewer = await _console.SignedInAsync("reviewer1");
        var row = Assert.Single((await reviewer.GetFromJsonAsync<JsonElement>("api/stats/crossings")).EnumerateArray());
        Assert.Equal((0, 1), (row.GetProperty("in").GetInt32(), row.GetProperty("out").GetInt32()));
        Assert.Empty((await reviewer.GetFromJsonAsync<JsonElement>("api/stats/alerts")).EnumerateArray());
    }

    [Theory]
    [InlineData("from=2025-03-03T00:00:00Z&to=2025-03-01T00:00:00Z", "reversed")]
    [InlineData("from=2025-03-01T00:00:00Z&to=2025-03-01T00:00:00Z", "empty")]
    [InlineData(Range + "&bucket=week", "use hour, day or shift")]
    [InlineData("from=yesterday", "not an ISO 8601 time")]
    [InlineData("from=2025-03-01T00:00:00Z&to=31/03/2025", "not an ISO 8601 time")]
    [InlineData("from=2024-01-01T00:00:00Z&to=2025-03-01T00:00:00Z", "at most 366 days")]
    [InlineData(Range + "&format=xlsx", "use csv")]
    public async Task Bad_ranges_buckets_and_dates_are_refused_saying_what_is_wrong(string query, string says)
    {
        using var reviewer = await _console.SignedInAsync("reviewer1");
        foreach (var what in new[] { "crossings", "alerts" })
        {
            var r = await reviewer.GetAsync($"api/stats/{what}?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Contains(says, (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Only_reviewers_get_statistics_and_every_refusal_is_audited()
    {
        foreach (var name in new[] { "guard1", "investigator1", "admin1" })
        {
            using var user = await _console.SignedInAsync(name);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync($"api/stats/crossings?{Range}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync($"api/stats/alerts?{Range}")).StatusCode);
        }

        using var anonymous = _console.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/stats/crossings")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/stats/alerts")).StatusCode);

        using var admin = await _console.SignedInAsync("admin1");
        var denied = (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=access-denied")).EnumerateArray()
            .Select(e => (e.GetProperty("actor").GetString(), e.GetProperty("target").GetString()!.Split('?')[0])).ToList();
        foreach (var name in new[] { "guard1", "investigator1", "admin1" })
        {
            Assert.Contains((name, "GET /api/stats/crossings"), denied);
            Assert.Contains((name, "GET /api/stats/alerts"), denied);
        }
    }
}
