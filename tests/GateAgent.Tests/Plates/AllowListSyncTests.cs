using System.Net;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Plates;
using GateWatch.Agent.Tests.Outbox;
using GateWatch.Agent.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GateWatch.Agent.Tests.Plates;

/// <summary>The barrier's allow list fetched from the console (here a loopback HTTP listener answering as it does), kept when it is gone.</summary>
public sealed class AllowListSyncTests : IDisposable
{
    private const string ConsoleKey = "console-key-for-gate-north-0123";

    private readonly TempDir _dir = new();
    private readonly HttpListener _console = new();
    private readonly int _port = RtspTestServer.FreePort();
    private readonly List<string> _asked = [];
    private string _list = "# GateWatch console\n30V-3993,allowed\n43A-111.11,visitor\n";

    public AllowListSyncTests()
    {
        _console.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _console.Start();
        _ = Task.Run(async () =>
        {
            while (_console.IsListening)
            {
                try
                {
                    var c = await _console.GetContextAsync();
                    lock (_asked)
                    {
                        _asked.Add($"{c.Request.Url!.PathAndQuery} {c.Request.Headers["Authorization"]}");
                    }

                    var body = System.Text.Encoding.UTF8.GetBytes(_list);
                    c.Response.ContentType = "text/plain; charset=utf-8";
                    await c.Response.OutputStream.WriteAsync(body);
                    c.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
            }
        });
    }

    public void Dispose()
    {
        _console.Close();
        _dir.Dispose();
    }

    [Fact]
    public async Task The_consoles_list_opens_the_barrier_and_its_last_copy_stays_when_the_console_is_gone()
    {
        var path = _dir.File("barrier-allowed.txt");
        var log = new ListLogger<AllowListSync>();
        using var http = new HttpClient();
        var sync = new AllowListSync(new ConsoleLink(new Uri($"http://127.0.0.1:{_port}/gw"), ConsoleKey), "gate-north", path, http, TimeProvider.System, log);
        var barrier = new LaneBarrier(new BarrierConfig(new HashSet<string> { "lane" }, Direction.In, new Uri("http://127.0.0.1:9/open"), HttpMethod.Post, path, 0) { FromConsole = true },
            LaneBarrier.Http, NullLogger.Instance);
        var crossing = new Crossing("lane", Direction.In, 1, DateTimeOffset.UnixEpoch, 3, ObjectClass.Car);

        // Before the first fetch there is no list: nobody is let through (never everybody).
        Assert.False((await barrier.DecideAsync(crossing, new PlateData("43A-111.11", 0.9, null), CancellationToken.None))!.Allowed);

        Assert.True(await sync.SyncOnceAsync(CancellationToken.None));
        Assert.Equal([$"/gw/api/agents/plates/barrier?agent=gate-north Bearer {ConsoleKey}"], _asked);
        Assert.Equal(_list, await File.ReadAllTextAsync(path));
        Assert.True((await barrier.DecideAsync(crossing, new PlateData("43A-111.11", 0.9, null), CancellationToken.None))!.Allowed);

        // The admin removes the visitor: the next fetch takes the barrier's permission away.
        _list = "# GateWatch console\n30V-3993,allowed\n";
        Assert.True(await sync.SyncOnceAsync(CancellationToken.None));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
        Assert.False((await barrier.DecideAsync(crossing, new PlateData("43A-111.11", 0.9, null), CancellationToken.None))!.Allowed);

        // The console goes away: the copy stays and still opens for staff; the outage is said once.
        _console.Stop();
        Assert.False(await sync.SyncOnceAsync(CancellationToken.None));
        Assert.False(await sync.SyncOnceAsync(CancellationToken.None));
        Assert.Single(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("keep the last copy", StringComparison.Ordinal));
        Assert.Contains("30V-3993", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains(ConsoleKey, StringComparison.Ordinal));
    }
}
