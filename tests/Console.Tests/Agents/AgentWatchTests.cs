using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Agents;
using GateWatch.Central.Data;
using GateWatch.Central.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GateWatch.Central.Tests.Agents;

/// <summary>
/// A gate box that dies sends nothing: the console notices the silence, alerts within 30 s, clears the alert when
/// the agent is heard again, and keeps the span for the timeline. Driven by the console's fake clock.
/// </summary>
public sealed class AgentWatchTests : IAsyncLifetime
{
    private TestConsole _console = null!;
    private StubAgent? _agent;
    private int _port;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        _port = LocalAgent.FreePort();
        _agent = await StartAgentAsync();
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        await _console.DisposeAsync();
    }

    private AgentWatch Watch => _console.Services.GetRequiredService<AgentWatch>();

    private Task<StubAgent> StartAgentAsync() => StubAgent.StartAsync(
        app => app.MapGet("/api/health", () => Results.Json(new
        {
            cameras = new[] { new { id = "north-1", name = "North door", state = "online", since = "2026-03-01T08:00:00Z", lineCounts = new { }, zoneCounts = new { } } },
        })),
        _port);

    private async Task KillAgentAsync()
    {
        await _agent!.DisposeAsync();
        _agent = null;
    }

    /// <summary>Moves the console's clock on and waits, on the watch's own count, for the check the timer then runs.</summary>
    private async Task AdvanceAndCheckAsync(TimeSpan by)
    {
        var before = Watch.Checks;
        _console.Time.Advance(by);
        // Patience, not a bound: a check asks real agents over HTTP, which a loaded machine may take long to run.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (Watch.Checks == before)
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    private async Task<List<JsonElement>> AlertsAsync(bool open)
    {
        using var guard = await _console.SignedInAsync("guard1");
        var list = await guard.GetFromJsonAsync<JsonElement>($"api/alerts?open={(open ? "true" : "false")}");
        return list.EnumerateArray().Where(a => a.GetProperty("type").GetString() == AgentWatch.Unreachable).ToList();
    }

    [Fact]
    public async Task A_dead_agent_is_alerted_within_30_s_and_cleared_when_it_answers_again_with_the_span_on_the_timeline()
    {
        await EventSender.RegisterAsync(_console, "north", "North gate", _agent!.Url.ToString());
        // Heard once: from now on its silence is an outage.
        await AdvanceAndCheckAsync(AgentWatch.CheckEvery);
        // Stored to the millisecond.
        var heard = DateTimeOffset.FromUnixTimeMilliseconds(_console.Time.GetUtcNow().ToUnixTimeMilliseconds());
        Assert.Empty(await AlertsAsync(open: false));

        await KillAgentAsync();
        var silent = TimeSpan.Zero;
        while ((await AlertsAsync(open: true)).Count == 0)
        {
            Assert.True(silent < TimeSpan.FromSeconds(30), $"no alert after {silent.TotalSeconds} s of silence");
            await AdvanceAndCheckAsync(AgentWatch.CheckEvery);
            silent += AgentWatch.CheckEvery;
        }

        Assert.True(silent >= AgentWatch.Silence, $"alerted after only {silent.TotalSeconds} s: a restart would alert");
        var alert = Assert.Single(await AlertsAsync(open: true));
        Assert.Equal(("north", ""), (alert.GetProperty("agent").GetString(), alert.GetProperty("camera").GetString()));
        Assert.Equal(heard, alert.GetProperty("data").GetProperty("lastSeen").GetDateTimeOffset());
        Assert.Contains("north", alert.GetProperty("data").GetProperty("problem").GetString(), StringComparison.Ordinal);

        // Its tiles stay on the wall, with the names it last gave them, marked: it never sent an event to remember them by.
        using (var guard = await _console.SignedInAsync("guard1"))
        {
            var tile = Assert.Single((await guard.GetFromJsonAsync<JsonElement>("api/live/wall")).EnumerateArray(), t => t.GetProperty("agent").GetString() == "north");
            Assert.Equal(("north-1", "North door", false), (tile.GetProperty("camera").GetString(), tile.GetProperty("name").GetString(), tile.GetProperty("reachable").GetBoolean()));
        }

        // Still silent: one alert, not one per check.
        await AdvanceAndCheckAsync(TimeSpan.FromMinutes(1));
        Assert.Single(await AlertsAsync(open: false));

        _agent = await StartAgentAsync();
        await AdvanceAndCheckAsync(AgentWatch.CheckEvery);
        Assert.Empty(await AlertsAsync(open: true));
        var cleared = Assert.Single(await AlertsAsync(open: false));
        Assert.Equal(_console.Time.GetUtcNow().ToUnixTimeMilliseconds(), cleared.GetProperty("cleared").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("acknowledged").ValueKind);

        // The reviewer's timeline of the agent's camera gets both ends of the span.
        using var reviewer = await _console.SignedInAsync("reviewer1");
        var day = heard.UtcDateTime.Date;
        var events = await reviewer.GetFromJsonAsync<JsonElement>(
            $"api/recordings/north/north-1/events?from={day:yyyy-MM-dd}T00:00:00Z&to={day.AddDays(2):yyyy-MM-dd}T00:00:00Z");
        var types = events.EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal([AgentWatch.Unreachable, AgentWatch.Reachable], types);
        var back = events.EnumerateArray().Last().GetProperty("data");
        Assert.Equal(alert.GetProperty("id").GetString(), back.GetProperty("unreachable").GetString());
        Assert.Equal(heard, back.GetProperty("since").GetDateTimeOffset());
    }

    [Fact]
    public async Task An_agent_never_heard_from_is_not_an_outage()
    {
        await EventSender.RegisterAsync(_console, "planned", "Gate not yet installed");
        for (var i = 0; i < 3; i++)
        {
            await AdvanceAndCheckAsync(TimeSpan.FromMinutes(1));
        }

        Assert.Empty(await AlertsAsync(open: false));
    }

    [Fact]
    public async Task Deliveries_are_signs_of_life_for_an_agent_the_console_cannot_call()
    {
        // Behind a one-way link: the agent's events arrive, the console's calls to it do not.
        var sender = await EventSender.RegisterAsync(_console, "oneway", "One-way gate");
        await sender.SendAsync(EventSender.Crossing("door", _console.Time.GetUtcNow().ToString("O"), "in"));
        for (var quiet = AgentWatch.CheckEvery; quiet < AgentWatch.Silence; quiet += AgentWatch.CheckEvery)
        {
            await AdvanceAndCheckAsync(AgentWatch.CheckEvery);
            Assert.Empty(await AlertsAsync(open: false));
        }

        await AdvanceAndCheckAsync(AgentWatch.CheckEvery);
        Assert.Single(await AlertsAsync(open: true));

        await sender.SendAsync(EventSender.Crossing("door", _console.Time.GetUtcNow().ToString("O"), "out"));
        await AdvanceAndCheckAsync(AgentWatch.CheckEvery);
        Assert.Empty(await AlertsAsync(open: true));
    }

    [Fact]
    public async Task A_console_restarted_during_an_outage_still_clears_it_when_the_agent_returns()
    {
        await EventSender.RegisterAsync(_console, "north", "North gate", _agent!.Url.ToString());
        await AdvanceAndCheckAsync(AgentWatch.CheckEvery);
        await KillAgentAsync();
        await AdvanceAndCheckAsync(TimeSpan.FromMinutes(1));
        var alert = Assert.Single(await AlertsAsync(open: true));

        // A second watch over the same database stands in for the restarted console's.
        var s = _console.Services;
        using var restarted = new AgentWatch(s.GetRequiredService<AgentRegistry>(), s.GetRequiredService<AgentClient>(), s.GetRequiredService<ConsoleDb>(),
            _console.Time, NullLogger<AgentWatch>.Instance);
        await restarted.StartAsync(default);
        _agent = await StartAgentAsync();
        var result = await restarted.CheckAsync(default);
        await restarted.StopAsync(default);

        Assert.Equal(["north"], result.Back);
        Assert.Empty(await AlertsAsync(open: true));
        Assert.Equal(alert.GetProperty("id").GetString(), Assert.Single(await AlertsAsync(open: false)).GetProperty("id").GetString());
    }
    /// <summary>
    /// Found by the fault campaign (bench/faults): a full disk stopped the recording for 20-45 s while the camera stayed
    /// online, and nothing told the guard, since camera-offline is about video arriving, not footage being kept.
    /// </summary>
    [Fact]
    public async Task An_online_camera_whose_footage_stops_is_alerted_and_cleared_when_segments_are_finished_again()
    {
        var lag = 4.0;
        var state = "online";
        // The agent's clock, a day off the console's: only its own differences count.
        var agentNow = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
        var since = agentNow.AddHours(-1);
        await using var recorder = await StubAgent.StartAsync(
            app => app.MapGet("/api/health", () => Results.Json(new
            {
                time = agentNow,
                cameras = new[] { new { id = "lane-1", name = "Lane", state, since, recordingLagSeconds = lag, segmentSeconds = 10.0, lastError = "recorder failed: disk is full" } },
            })),
            LocalAgent.FreePort());
        await EventSender.RegisterAsync(_console, "lane", "Lane gate", recorder.Url.ToString());
        await AdvanceAndCheckAsync(AgentWatch.CheckEvery);
        Assert.Empty(await RecordingAlertsAsync(open: false));

        // One segment plus the 20 s of silence: still being written, not an outage.
        lag = 10 + AgentWatch.RecordingSilence.TotalSeconds;
        await AdvanceAndCheckAsync(AgentWatch.CheckEvery);
        Assert.Empty(await RecordingAlertsAsync(open: false));

        // A camera that is offline has its own alert; no second one about its recording.
        lag = 60;
        state = "offline";
        await AdvanceAndCheckAsync(AgentWatch.CheckEvery);
        Assert.Empty(await RecordingAlertsAsync(open: false));

        // Back online 5 s ago: its recorder is writing the first segment since, which is no outage yet.
        state = "online";
        since = agentNow.AddSeconds(-5);
        await AdvanceAndCheckAsync(AgentWatch.CheckEvery);
        Assert.Empty(await RecordingAlertsAsync(open: false));

        agentNow = agentNow.AddMinutes(1);
        await AdvanceAndCheckAsync(AgentWatch.CheckEvery);
        var alert = Assert.Single(await RecordingAlertsAsync(open: true));
        Assert.Equal(("lane", "lane-1"), (alert.GetProperty("agent").GetString(), alert.GetProperty("camera").GetString()));
        Assert.Equal("recorder failed: disk is full", alert.GetProperty("data").GetProperty("problem").GetString());

        // Still not recording: one alert, not one per check.
        lag = 120;
        await AdvanceAndCheckAsync(AgentWatch.CheckEvery);
        Assert.Single(await RecordingAlertsAsync(open: false));

        lag = 2;
        await AdvanceAndCheckAsync(AgentWatch.CheckEvery);
        Assert.Empty(await RecordingAlertsAsync(open: true));
        Assert.Equal(JsonValueKind.String, Assert.Single(await RecordingAlertsAsync(open: false)).GetProperty("cleared").ValueKind);

        // The camera's timeline shows the span.
        using var reviewer = await _console.SignedInAsync("reviewer1");
        var day = _console.Time.GetUtcNow().UtcDateTime.Date;
        var events = await reviewer.GetFromJsonAsync<JsonElement>(
            $"api/recordings/lane/lane-1/events?from={day.AddDays(-1):yyyy-MM-dd}T00:00:00Z&to={day.AddDays(2):yyyy-MM-dd}T00:00:00Z");
        Assert.Equal([AgentWatch.RecordingStopped, AgentWatch.RecordingResumed], events.EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList());
    }

    private async Task<List<JsonElement>> RecordingAlertsAsync(bool open)
    {
        using var guard = await _console.SignedInAsync("guard1");
        var list = await guard.GetFromJsonAsync<JsonElement>($"api/alerts?open={(open ? "true" : "false")}");
        return list.EnumerateArray().Where(a => a.GetProperty("type").GetString() == AgentWatch.RecordingStopped).ToList();
    }
}
