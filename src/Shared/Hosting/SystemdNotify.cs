using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GateWatch.Shared.Hosting;

/// <summary>
/// systemd's notification protocol (sd_notify(3)), spoken by the hosts when their unit is <c>Type=notify</c>:
/// READY=1 once the web server listens (so a unit ordered after this one starts against a working service),
/// WATCHDOG=1 at half the unit's <c>WatchdogSec</c> while the host's liveness check passes (a host that is wedged
/// stops sending and systemd restarts it), STOPPING=1 when it shuts down. Without NOTIFY_SOCKET (a terminal, the
/// tests, the demo) it does nothing. It is a datagram per state on a Unix socket; a lost datagram is not retried,
/// since the next tick sends again.
/// </summary>
internal sealed partial class SystemdNotify : BackgroundService
{
    private readonly NotifyTarget target;
    private readonly Func<bool> alive;
    private readonly IHostApplicationLifetime lifetime;
    private readonly TimeProvider time;
    private readonly ILogger log;

    public SystemdNotify(NotifyTarget target, Func<bool> alive, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<SystemdNotify> log)
    {
        this.target = target;
        this.alive = alive;
        this.lifetime = lifetime;
        this.time = time;
        this.log = log;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // ApplicationStarted fires once Kestrel has bound its addresses: READY before that would let systemd call a
        // service up that then fails to bind.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        Send("READY=1\nSTATUS=serving");
        if (target.WatchdogInterval is not { } interval)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                bool ok;
                try
                {
                    ok = alive();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Log.LivenessThrew(log, e.GetType().Name, e.Message);
                    ok = false;
                }

                if (ok)
                {
                    Send("WATCHDOG=1");
                }
                else
                {
                    Log.NotAlive(log);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        Send("STOPPING=1");
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Send(string state)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(target.SocketPath));
        }
        catch (SocketException e)
        {
            // systemd gone or the socket replaced: the service keeps running; without WATCHDOG it will be restarted.
            Log.SendFailed(log, state.Split('\n')[0], e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "systemd notification {State} not sent: {Reason}")]
        public static partial void SendFailed(ILogger log, string state, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "liveness check failed: no watchdog ping sent, systemd will restart the service if this goes on")]
        public static partial void NotAlive(ILogger log);

        [LoggerMessage(Level = LogLevel.Error, Message = "liveness check threw {Type}: {Reason}; no watchdog ping sent")]
        public static partial void LivenessThrew(ILogger log, string type, string reason);
    }
}

/// <summary>Where the notifications go, read from the environment systemd gives a <c>Type=notify</c> service.</summary>
internal sealed record NotifyTarget(string SocketPath, TimeSpan? WatchdogInterval)
{
    /// <summary>Null when the process was not started by systemd with a notify socket.</summary>
    public static NotifyTarget? FromEnvironment(Func<string, string?> env, int processId)
    {
        if (env("NOTIFY_SOCKET") is not { Length: > 0 } socket)
        {
            return null;
        }

        // "@name" is a socket in the abstract namespace; .NET names those with a leading NUL.
        var path = socket[0] == '@' ? "\0" + socket[1..] : socket;
        TimeSpan? interval = null;
        if (long.TryParse(env("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            && (env("WATCHDOG_PID") is not { Length: > 0 } pid || pid == processId.ToString(CultureInfo.InvariantCulture)))
        {
            // Half the timeout, as sd_watchdog_enabled(3) advises: one late tick does not get the service killed.
            interval = TimeSpan.FromTicks(usec * 10 / 2);
        }

        return new NotifyTarget(path, interval);
    }
}

internal static class SystemdNotifyExtensions
{
    /// <summary>Speaks sd_notify when systemd asked for it; <paramref name="alive"/> gates each watchdog ping.</summary>
    public static IServiceCollection AddSystemdNotify(this IServiceCollection services, Func<IServiceProvider, Func<bool>>? alive = null)
    {
        if (NotifyTarget.FromEnvironment(Environment.GetEnvironmentVariable, Environment.ProcessId) is not { } target)
        {
            return services;
        }

        services.AddHostedService(sp => new SystemdNotify(
            target,
            alive?.Invoke(sp) ?? (() => true),
            sp.GetRequiredService<IHostApplicationLifetime>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<ILogger<SystemdNotify>>()));
        return services;
    }
}
