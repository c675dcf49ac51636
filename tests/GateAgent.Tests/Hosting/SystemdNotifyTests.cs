using System.Net.Sockets;
using System.Text;
using GateWatch.Agent.Tests.Support;
using GateWatch.Shared.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GateWatch.Agent.Tests.Hosting;

/// <summary>The notifications a Type=notify unit gets, received on a real Unix datagram socket as systemd would.</summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    private static async Task<string?> ReceiveAsync(Socket socket, int millis)
    {
        var buffer = new byte[512];
        using var timeout = new CancellationTokenSource(millis);
        try
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Ready_comes_after_the_host_started_then_watchdog_pings_only_while_alive_and_stopping_at_the_end()
    {
        var path = _dir.File("notify");
        using var systemd = Listen(path);
        var time = new FakeTimeProvider();
        var alive = true;
        var checks = 0;
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var target = new NotifyTarget(path, TimeSpan.FromSeconds(15));
        using var notify = new SystemdNotify(target, () => { Interlocked.Increment(ref checks); return alive; }, lifetime, time, NullLogger<SystemdNotify>.Instance);

        await notify.StartAsync(CancellationToken.None);
        Assert.Null(await ReceiveAsync(systemd, 300));

        lifetime.NotifyStarted();
        Assert.Equal("READY=1\nSTATUS=serving", await ReceiveAsync(systemd, 5000));

        // The timer is made just after READY is sent: advance until its first tick lands.
        string? ping = null;
        for (var i = 0; i < 50 && ping is null; i++)
        {
            time.Advance(TimeSpan.FromSeconds(15));
            ping = await ReceiveAsync(systemd, 100);
        }

        Assert.Equal("WATCHDOG=1", ping);

        alive = false;
        var before = Volatile.Read(ref checks);
        time.Advance(TimeSpan.FromSeconds(15));
        for (var i = 0; i < 100 && Volatile.Read(ref checks) == before; i++)
        {
            await Task.Delay(20);
        }

        Assert.True(Volatile.Read(ref checks) > before, "the tick did not check liveness");
        Assert.Null(await ReceiveAsync(systemd, 300));

        alive = true;
        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal("WATCHDOG=1", await ReceiveAsync(systemd, 5000));

        await notify.StopAsync(CancellationToken.None);
        Assert.Equal("STOPPING=1", await ReceiveAsync(systemd, 5000));
    }

    [Fact]
    public async Task An_abstract_socket_name_is_reached()
    {
        var name = "gatewatch-test-" + Guid.NewGuid().ToString("N");
        using var systemd = Listen("\0" + name);
        var target = NotifyTarget.FromEnvironment(v => v == "NOTIFY_SOCKET" ? "@" + name : null, 42)!;
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        using var notify = new SystemdNotify(target, () => true, lifetime, TimeProvider.System, NullLogger<SystemdNotify>.Instance);

        await notify.StartAsync(CancellationToken.None);
        lifetime.NotifyStarted();
        Assert.Equal("READY=1\nSTATUS=serving", await ReceiveAsync(systemd, 5000));
        await notify.StopAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData(null, "30000000", null, null)]
    [InlineData("/run/systemd/notify", null, null, null)]
    [InlineData("/run/systemd/notify", "30000000", null, 15.0)]
    [InlineData("/run/systemd/notify", "30000000", "42", 15.0)]
    [InlineData("/run/systemd/notify", "30000000", "43", null)]
    [InlineData("/run/systemd/notify", "thirty", null, null)]
    public void The_watchdog_interval_is_half_the_units_and_only_for_the_process_it_names(string? socket, string? usec, string? pid, double? seconds)
    {
        var env = new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = socket, ["WATCHDOG_USEC"] = usec, ["WATCHDOG_PID"] = pid };
        var target = NotifyTarget.FromEnvironment(v => env.GetValueOrDefault(v), 42);
        if (socket is null)
        {
            Assert.Null(target);
            return;
        }

        Assert.Equal(socket, target!.SocketPath);
        Assert.Equal(seconds, target.WatchdogInterval?.TotalSeconds);
    }

    [Fact]
    public async Task A_socket_that_is_gone_is_logged_and_the_host_goes_on()
    {
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var target = new NotifyTarget(_dir.File("nobody-listens"), TimeSpan.FromMilliseconds(50));
        using var notify = new SystemdNotify(target, () => true, lifetime, TimeProvider.System, NullLogger<SystemdNotify>.Instance);

        await notify.StartAsync(CancellationToken.None);
        lifetime.NotifyStarted();
        await Task.Delay(200);
        Assert.NotNull(notify.ExecuteTask);
        Assert.False(notify.ExecuteTask!.IsFaulted);
        await notify.StopAsync(CancellationToken.None);
    }
}
