using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Agents;
using GateWatch.Central.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GateWatch.Central.Tests.Live;

/// <summary>
/// Agents that have hung must not hold up the wall or the camera list: all agents are asked at once, the others'
/// cameras come, the hung ones are marked, and a guard who gives up waiting is no error on the console. The
/// console's clock stands still until the test moves it, so "at once" is shown by both hung agents being asked
/// while the clock has not moved, not by timing this machine.
/// </summary>
public sealed class SlowAgentTests : IAsyncLifetime, IDisposable
{
    /// <summary>
    /// How long the test waits for what must happen: patience, not a bound. 30 s was once not enough for a hang-up
    /// while the whole suite ran in parallel on a 2-core host with heavy steal (2026-12-03).
    /// </summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly RecordingLoggerProvider _logs = new();
    private readonly AskWatchingClock _clock = new();
    private readonly SilentAgent _hung = new();
    private readonly SilentAgent _alsoHung = new();
    private TestConsole _console = null!;
    private StubAgent _good = null!;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync(_logs, clock: _clock);
        _good = await StubAgent.StartAsync(app => app.MapGet("/api/health", () => Results.Json(new
        {
            cameras = new[]
            {
                new { id = "north-1", name = "North door", state = "online", since = "2026-03-01T08:00:00Z", lineCounts = new { }, zoneCounts = new { }, gate = "gate.json" },
            },
        })));
        using var admin = await _console.SignedInAsync("admin1");
        // The hung agents are registered first: asked one after another, they would hold up the good one.
        foreach (var (id, name, url) in new[] { ("gate-hung", "Hung gate", _hung.Url), ("gate-hung-2", "Also hung", _alsoHung.Url), ("gate-good", "Good gate", _good.Url) })
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
        _alsoHung.Dispose();
        _logs.Dispose();
    }

    [Fact]
    public async Task The_wall_asks_every_agent_at_once_and_answers_with_the_good_agents_cameras_and_the_hung_ones_marked()
    {
        using var guard = await _console.SignedInAsync("guard1");

        var tiles = await AnswerOnceBothHungAgentsAreAskedAsync(guard, "api/live/wall");

        var good = Assert.Single(tiles, t => t.GetProperty("agent").GetString() == "gate-good");
        Assert.Equal(("north-1", "online", true), (good.GetProperty("camera").GetString(), good.GetProperty("state").GetString(), good.GetProperty("reachable").GetBoolean()));
        foreach (var id in new[] { "gate-hung", "gate-hung-2" })
        {
            var hung = Assert.Single(tiles, t => t.GetProperty("agent").GetString() == id);
            Assert.Equal(("unreachable", false), (hung.GetProperty("state").GetString(), hung.GetProperty("reachable").GetBoolean()));
            Assert.Equal("did not answer within 3 s", hung.GetProperty("problem").GetString());
        }
    }

    [Fact]
    public async Task The_admins_camera_list_asks_every_agent_at_once_with_the_hung_ones_marked()
    {
        using var admin = await _console.SignedInAsync("admin1");

        var list = await AnswerOnceBothHungAgentsAreAskedAsync(admin, "api/admin/cameras");

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
        var closedBefore = _hung.Closed;
        foreach (var (client, path) in new[] { (guard, "api/live/wall"), (admin, "api/admin/cameras") })
        {
            var asked = _hung.Accepted;
            using var giveUp = new CancellationTokenSource();
            var request = client.GetAsync(path, giveUp.Token);
            await Until(() => _hung.Accepted > asked, "the hung agent to be asked");
            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        }

        // The console hangs up on the hung agent when nobody waits for its answer any more, and only then finishes
        // the abandoned requests: once both are logged as finished, whatever it did with them is done.
        await Until(() => _hung.Closed >= closedBefore + 2, "the console to hang up on the hung agent");
        await Until(() => Finished("/api/live/wall") && Finished("/api/admin/cameras"), "both abandoned requests to finish");
        var errors = _logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message} {e.Exception?.GetType().Name}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>
    /// Sends the request with the console's clock standing still; both hung agents must be asked before it moves
    /// (asked one after the other, the second would wait for the first's time limit, which never comes); then the
    /// clock passes the limit and the answer comes.
    /// </summary>
    private async Task<List<JsonElement>> AnswerOnceBothHungAgentsAreAskedAsync(HttpClient client, string path)
    {
        var (first, second) = (_hung.Accepted, _alsoHung.Accepted);
        var request = client.GetAsync(path);
        await Until(() => _hung.Accepted > first && _alsoHung.Accepted > second, "both hung agents to be asked while the clock stands still");
        // The good agent's answer is in when only the hung agents' time limits are left running.
        await Until(() => _clock.AsksWaiting == 2, "the good agent's answer");
        Assert.False(request.IsCompleted, "the console answered before its time limit for the hung agents had passed");

        _console.Time.Advance(AgentHealth.AskFor);

        using var r = await request.WaitAsync(Patience);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
    }

    /// <summary>A fake clock that counts the health asks still waiting: timers of <see cref="AgentHealth.AskFor"/> not yet disposed.</summary>
    private sealed class AskWatchingClock : FakeTimeProvider
    {
        private int _waiting;

        public int AsksWaiting => Volatile.Read(ref _waiting);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime != AgentHealth.AskFor)
            {
                return timer;
            }

            Interlocked.Increment(ref _waiting);
            return new Counted(timer, this);
        }

        private sealed class Counted(ITimer inner, AskWatchingClock clock) : ITimer
        {
            private int _disposed;

            public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _disposed, 1) == 0)
                {
                    Interlocked.Decrement(ref clock._waiting);
                }

                inner.Dispose();
            }

            public async ValueTask DisposeAsync()
            {
                Dispose();
                await ValueTask.CompletedTask;
            }
        }
    }

    private bool Finished(string path) => _logs.Entries.Any(e => e.Message.StartsWith("Request finished", StringComparison.Ordinal) && e.Message.Contains(path, StringComparison.Ordinal));

    private static async Task Until(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (!condition())
        {
            Assert.False(deadline.IsCancellationRequested, $"waited {Patience.TotalSeconds:0} s for {what}");
            await Task.Delay(20, CancellationToken.None);
        }
    }
}
