using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using static GateWatch.Central.Tests.Support.EventSender;

namespace GateWatch.Central.Tests.Statistics;

/// <summary>Agents' minute peaks and density-counted crowd alerts through the real ingest: the crowd chart, its CSV, the wall's alert size.</summary>
public sealed class CrowdStatisticsTests : IAsyncLifetime
{
    private const string Range = "from=2025-03-01T00:00:00Z&to=2025-03-02T00:00:00Z";

    private TestConsole _console = null!;

    private static SentEvent Peak(string camera, string minute, string zone, int peak, double? estimate) =>
        new(camera, "zone-peak", minute, estimate is { } e ? new { zone, minute, peak, estimate = e } : new { zone, minute, peak });

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        var gate = await RegisterAsync(_console, "gate-north", "North gate");
        var now = _console.Time.GetUtcNow();
        await gate.SendAsync(
            Peak("north-1", "2025-03-01T07:58:00Z", "plaza", 3, null),
            Peak("north-1", "2025-03-01T08:01:00Z", "plaza", 45, 44.6),
            Peak("north-1", "2025-03-01T08:02:00Z", "plaza", 212, 211.8),
            Peak("north-1", "2025-03-01T08:03:00Z", "lane", 4, 2.1),
            Peak("north-2", "2025-03-01T09:30:00Z", "yard", 2, null),
            new SentEvent("north-1", "crowd-start", now.AddMinutes(-5).ToString("O"),
                new { zone = "plaza", startTime = now.AddMinutes(-6), peak = 40, estimate = 40.3, peakEstimate = 40.3, counting = "density" }),
            new SentEvent("north-1", "crowd-end", now.AddMinutes(-1).ToString("O"),
                new { zone = "plaza", startTime = now.AddMinutes(-6), peak = 212, estimate = 60.2, peakEstimate = 211.8, counting = "density" }));
    }

    public async Task DisposeAsync() => await _console.DisposeAsync();

    [Fact]
    public async Task The_most_people_per_hour_gate_and_zone_with_the_highest_estimate()
    {
        using var reviewer = await _console.SignedInAsync("reviewer1");
        var rows = (await reviewer.GetFromJsonAsync<JsonElement>($"api/stats/crowd?{Range}&bucket=hour")).EnumerateArray()
            .Select(r => $"{r.GetProperty("bucket").GetString()} {r.GetProperty("agentName").GetString()} {r.GetProperty("camera").GetString()} " +
                $"{r.GetProperty("zone").GetString()} {r.GetProperty("peak").GetInt64()} {(r.GetProperty("estimate").ValueKind == JsonValueKind.Null ? "-" : r.GetProperty("estimate").GetDouble())}");
        Assert.Equal(
        [
            "2025-03-01T07:00:00Z North gate north-1 plaza 3 -",
            "2025-03-01T08:00:00Z North gate north-1 lane 4 2.1",
            "2025-03-01T08:00:00Z North gate north-1 plaza 212 211.8",
            "2025-03-01T09:00:00Z North gate north-2 yard 2 -",
        ], rows);

        var csv = await reviewer.GetAsync($"api/stats/crowd?{Range}&bucket=day&format=csv");
        Assert.Equal("gatewatch-crowd-20250301T000000Z-20250302T000000Z.csv", csv.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("""
            bucket_local,bucket_utc,agent,camera,zone,peak_people,peak_estimate
            2025-03-01T00:00:00+00:00,2025-03-01T00:00:00Z,gate-north,north-1,lane,4,2.1
            2025-03-01T00:00:00+00:00,2025-03-01T00:00:00Z,gate-north,north-1,plaza,212,211.8
            2025-03-01T00:00:00+00:00,2025-03-01T00:00:00Z,gate-north,north-2,yard,2,

            """.Replace("\r\n", "\n", StringComparison.Ordinal), await csv.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Crowd_figures_are_for_reviewers_not_guards_and_a_bad_range_says_why()
    {
        using var guard = await _console.SignedInAsync("guard1");
        Assert.Equal(HttpStatusCode.Forbidden, (await guard.GetAsync($"api/stats/crowd?{Range}")).StatusCode);
        using var anonymous = _console.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"api/stats/crowd?{Range}")).StatusCode);
        using var reviewer = await _console.SignedInAsync("reviewer1");
        var bad = await reviewer.GetAsync("api/stats/crowd?from=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("from: 'yesterday' is not an ISO 8601 time", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crowd_alert_carries_the_estimate_it_was_raised_with_and_its_end_with_the_final_peak()
    {
        using var guard = await _console.SignedInAsync("guard1");
        var alert = (await guard.GetFromJsonAsync<JsonElement>("api/alerts?open=true")).EnumerateArray().Single(a => a.GetProperty("type").GetString() == "crowd-start");

        Assert.Equal(40.3, alert.GetProperty("data").GetProperty("estimate").GetDouble());
        Assert.Equal("density", alert.GetProperty("data").GetProperty("counting").GetString());
        Assert.Equal(212, alert.GetProperty("ended").GetProperty("peak").GetInt32());
        Assert.Equal(211.8, alert.GetProperty("ended").GetProperty("peakEstimate").GetDouble());
    }
}
