namespace GateWatch.Agent.Service;

/// <summary>
/// Watches agent.json and applies camera changes while the agent runs. Polled, not inotify: editors
/// replace files in ways inotify reports inconsistently, and a 2 s delay in adding a camera harms nobody.
/// A broken edit is refused with where it is broken, and the running cameras carry on as they were.
/// </summary>
internal sealed partial class ConfigWatcher(CameraSet cameras, TimeProvider time, ILogger<ConfigWatcher> log) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var file = cameras.Config.File;
        var seen = Stamp(file);
        using var timer = new PeriodicTimer(Poll, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var stamp = Stamp(file);
            if (stamp == seen)
            {
                continue;
            }

            seen = stamp;
            AgentConfig next;
            try
            {
                next = AgentConfigLoader.Load(file);
            }
            catch (AgentConfigException e)
            {
                Log.Rejected(log, e.Message);
                continue;
            }

            var current = cameras.Config;
            if (next.AgentId != current.AgentId || next.Listen != current.Listen || next.ApiKey != current.ApiKey
                || next.DataDir != current.DataDir || next.Console != current.Console || next.Retention != current.Retention
                || next.TlsCertificateFile != current.TlsCertificateFile || next.TlsKeyFile != current.TlsKeyFile)
            {
                Log.NeedsRestart(log);
            }

            try
            {
                await cameras.ApplyAsync(current with { Cameras = next.Cameras }).ConfigureAwait(false);
                Log.Applied(log, next.Cameras.Count);
            }
            catch (Exception e) when (e is Detect.ModelException or IOException or UnauthorizedAccessException)
            {
                Log.Rejected(log, e.Message);
            }
        }
    }

    private static (DateTime, long) Stamp(string file)
    {
        var info = new FileInfo(file);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : default;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "configuration change refused, cameras keep running as before: {Problem}")]
        public static partial void Rejected(ILogger log, string problem);

        [LoggerMessage(Level = LogLevel.Warning, Message = "configuration change: agent-wide settings (id, listen, keys, data folder, console, retention) apply at the next restart; camera changes apply now")]
        public static partial void NeedsRestart(ILogger log);

        [LoggerMessage(Level = LogLevel.Information, Message = "configuration reloaded: {Count} cameras")]
        public static partial void Applied(ILogger log, int count);
    }
}
