using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using GateWatch.Central.Tests.Support;
using GateWatch.Central.Users;
using GateWatch.Central.Web;
using Microsoft.AspNetCore.Http;
using static GateWatch.Central.Tests.Support.EventSender;

namespace GateWatch.Central.Tests.Web;

/// <summary>The console's /api/metrics: what an operator alerts on, for a scraper with the key or an admin, nobody else.</summary>
public sealed class ConsoleMetricsTests : IAsyncLifetime
{
    private TestConsole _console = null!;

    public async Task InitializeAsync() => _console = await TestConsole.StartAsync();

    public async Task DisposeAsync() => await _console.DisposeAsync();

    [Fact]
    public async Task Metrics_count_requests_ingested_events_and_raised_and_open_alerts()
    {
        var north = await RegisterAsync(_console, "gate-north", "North gate");
        var now = _console.Time.GetUtcNow();
        var ids = await north.SendAsync(
            Crossing("north-1", now.AddMinutes(-3).ToString("O"), "in"),
            Other("north-1", "crowd-start", now.AddMinutes(-2).ToString("O")),
            Other("north-1", "crowd-start", now.AddMinutes(-1).ToString("O")));
        using var guard = await _console.SignedInAsync("guard1");
        Assert.Equal(HttpStatusCode.NoContent, (await guard.PostAsJsonAsync($"api/alerts/{ids[1]}/acknowledge", new { note = "bus stop crowd" })).StatusCode);

        using var admin = await _console.SignedInAsync("admin1");
        var r = await admin.GetAsync("api/metrics");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.StartsWith("text/plain", r.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var lines = (await r.Content.ReadAsStringAsync()).Split('\n');

        Assert.Contains("gatewatch_console_events_ingested_total{outcome=\"stored\"} 3", lines);
        Assert.Contains("gatewatch_console_alerts_total{type=\"crowd-start\"} 2", lines);
        Assert.Contains("gatewatch_console_alerts_open{type=\"crowd-start\"} 1", lines);
        Assert.Contains("gatewatch_console_relays 0", lines);
        Assert.Contains("# TYPE gatewatch_console_requests_total counter", lines);
        var ok = lines.Single(l => l.StartsWith("gatewatch_console_requests_total{status=\"2xx\"}", StringComparison.Ordinal));
        Assert.True(long.Parse(ok.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) >= 5, ok);
        Assert.True(long.Parse(lines.Single(l => l.StartsWith("gatewatch_console_database_bytes ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Nobody_but_an_admin_or_the_scrapers_key_reads_them()
    {
        using var anonymous = _console.Client();
        var r = await anonymous.GetAsync("api/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Contains("--metrics-key-file", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var guard = await _console.SignedInAsync("guard1");
        Assert.Equal(HttpStatusCode.Forbidden, (await guard.GetAsync("api/metrics")).StatusCode);

        const string Key = "scraper-key-0123456789";
        Assert.True(ConsoleMetrics.Allowed(WithBearer(Key), Key));
        Assert.False(ConsoleMetrics.Allowed(WithBearer("scraper-key-0123456780"), Key));
        Assert.False(ConsoleMetrics.Allowed(WithBearer(Key), null));
        var admin = new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "cookie")) };
        Assert.True(ConsoleMetrics.Allowed(admin, Key));
    }

    private static DefaultHttpContext WithBearer(string key)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Authorization = $"Bearer {key}";
        return http;
    }
}
