using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GateWatch.Central.Tests.Live;

/// <summary>
/// An agent that has hung must not hold up the wall or the camera list: the others' cameras come at once,
/// the hung one is marked, and a guard who gives up waiting is no error on the console.
/// </summary>
public sealed class SlowAgentTests : IAsyncLifetime, IDisposable
{
    private readonly RecordingLoggerProvider _logs = new();
    private readonly SilentAgent _hung = new();
    private TestConsole _console = null!;
    private StubAgent _good = null!;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync(_logs);
        _good = await StubAgent.StartAsync(app => app.MapGet("/api/health", () => Results.Json(new
        {
            cameras = new[]
            {
                new { id = "north-1", name = "North door", state = "online", since = "2026-03-01T08:00:00Z", lineCounts = new { }, zoneCounts = new { }, gate = "gate.json" },
            },
        })));
        using var admin = await _console.SignedInAsync("admin1");
        // The hung agent is registered first: asked one after another, it would hold up the good one.
        foreach (var (id, name, url) in new[] { ("gate-hung", "Hung gate", _hung.Url), ("gate-good", "Good gate", _good.Url) })
        {
            var r = await admin.PostAsJsonAsync("api/admin/agents", new { id, name, url, apiKey = "agent-local-key-0123" });
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
        await _good.DisposeAsync();
    }

    public void Dispose()
    {
        _hung.Dispose();
        _logs.Dispose();
    }

    [Fact]
    public async Task The_wall_answers_within_seconds_with_the_answering_agents_cameras_and_the_hung_agent_marked()
    {
        using var guard = await _console.SignedInAsync("guard1");
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var clock = Stopwatch.StartNew();
        var r = await guard.GetAsync("api/live/wall", patience.Token);
        var took = clock.Elapsed;
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.True(took < TimeSpan.FromSeconds(6), $"the wall took {took.TotalSeconds:0.0} s");
        var tiles = (await r.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();

        var good = Assert.Single(tiles, t => t.GetProperty("agent").GetString() == "gate-good");
        Assert.Equal(("north-1", "online", true), (good.GetProperty("camera").GetString(), good.GetProperty("state").GetString(), good.GetProperty("reachable").GetBoolean()));
        var hung = Assert.Single(tiles, t => t.GetProperty("agent").GetString() == "gate-hung");
        Assert.Equal(("unreachable", false), (hung.GetProperty("state").GetString(), hung.GetProperty("reachable").GetBoolean()));
        Assert.Equal("did not answer within 3 s", hung.GetProperty("problem").GetString());
    }

    [Fact]
    public async Task The_admins_camera_list_answers_within_seconds_with_the_hung_agent_marked()
    {
        using var admin = await _console.SignedInAsync("admin1");
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var clock = Stopwatch.StartNew();
        var r = await admin.GetAsync("api/admin/cameras", patience.Token);
        var took = clock.Elapsed;
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.True(took < TimeSpan.FromSeconds(6), $"the camera list took {took.TotalSeconds:0.0} s");
        var list = (await r.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();

        var good = Assert.Single(list, t => t.GetProperty("agent").GetString() == "gate-good");
        Assert.Equal(("north-1", true, true), (good.GetProperty("camera").GetString(), good.GetProperty("hasGate").GetBoolean(), good.GetProperty("reachable").GetBoolean()));
        var hung = Assert.Single(list, t => t.GetProperty("agent").GetString() == "gate-hung");
        Assert.False(hung.GetProperty("reachable").GetBoolean());
        Assert.Equal("did not answer within 3 s", hung.GetProperty("problem").GetString());
    }

    [Fact]
    public async Task A_guard_who_gives_up_waiting_for_the_wall_is_not_logged_as_an_error()
    {
        using var guard = await _console.SignedInAsync("guard1");
        using var admin = await _console.SignedInAsync("admin1");
        foreach (var (client, path) in new[] { (guard, "api/live/wall"), (admin, "api/admin/cameras") })
        {
            using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync(path, giveUp.Token));
        }

        // Past the console's own wait for the hung agent, so whatever it does with the abandoned requests is done.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var errors = _logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message} {e.Exception?.GetType().Name}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
