using GateWatch.Agent.Outbox;
using GateWatch.Agent.Record;
using GateWatch.Agent.Service;

namespace GateWatch.Agent.Retention;

/// <summary>
/// Runs the retention sweep on a timer: every configured interval normally, every few seconds while the
/// disk is low, so that recording of the newest footage never stops for want of space. Also drops exported
/// clips after a day; the console keeps the copies it fetched.
/// </summary>
internal sealed partial class RetentionService(CameraSet cameras, SegmentIndex index, EventOutbox outbox, TimeProvider time, ILogger<RetentionService> log) : BackgroundService
{
    /// <summary>Events are kept this long on the agent: a quarter of a year of crossings is a few megabytes.</summary>
    private static readonly TimeSpan EventLifetime = TimeSpan.FromDays(90);

    /// <summary>Sweep interval in low-disk mode: a 1080p camera writes about 5 MB in this time.</summary>
    private static readonly TimeSpan LowDiskSweep = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ClipLifetime = TimeSpan.FromDays(1);

    private SweepResult? _last;

    /// <summary>The latest sweep, for the health endpoint.</summary>
    public SweepResult? Last => Volatile.Read(ref _last);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = cameras.Config;
        var sweeper = new RetentionSweeper(index, config.RecordingsDir, config.Retention.LowDiskFreeBytes,
            () => DiskSpace.FreeBytes(config.DataDir), time, log);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var policies = cameras.Config.Cameras.ToDictionary(
                    c => c.Id,
                    c => new RetentionPolicy(c.MaxAge ?? config.Retention.MaxAge, c.QuotaBytes),
                    StringComparer.Ordinal);
                Volatile.Write(ref _last, sweeper.Sweep(policies));
                DropOldClips(config.ExportsDir);
                DropOldPlateCrops(config.PlatesDir, config.Retention.PlateMaxAge);
                var pruned = outbox.Prune(time.GetUtcNow() - EventLifetime, undeliveredToo: config.Console is null);
                if (pruned > 0)
                {
                    Log.EventsPruned(log, pruned, EventLifetime.TotalDays);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A sweep that fails must not end sweeping: the next one may well succeed.
                Log.SweepFailed(log, e.Message);
            }

            var wait = Last?.LowDisk == true ? LowDiskSweep : config.Retention.SweepEvery;
            try
            {
                await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private void DropOldClips(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        var cutoff = time.GetUtcNow() - ClipLifetime;
        foreach (var clip in new DirectoryInfo(folder).EnumerateFiles("*.mp4"))
        {
            if (clip.LastWriteTimeUtc < cutoff.UtcDateTime)
            {
                clip.Delete();
                Log.ClipDropped(log, clip.Name);
            }
        }
    }

    /// <summary>Plate crops are personal data: gone after the plate retention, whatever the footage's retention.</summary>
    private void DropOldPlateCrops(string folder, TimeSpan maxAge)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        var cutoff = (time.GetUtcNow() - maxAge).UtcDateTime;
        var dropped = 0;
        foreach (var crop in new DirectoryInfo(folder).EnumerateFiles("p-*.jpg", SearchOption.AllDirectories))
        {
            if (crop.LastWriteTimeUtc < cutoff)
            {
                crop.Delete();
                dropped++;
            }
        }

        if (dropped > 0)
        {
            Log.PlateCropsDropped(log, dropped, maxAge.TotalDays);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "retention sweep failed, retrying at the next interval: {Why}")]
        public static partial void SweepFailed(ILogger log, string why);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Count} events older than {Days} days removed from the outbox")]
        public static partial void EventsPruned(ILogger log, int count, double days);

        [LoggerMessage(Level = LogLevel.Information, Message = "exported clip {File} removed, a day after export")]
        public static partial void ClipDropped(ILogger log, string file);

        [LoggerMessage(Level = LogLevel.Information, Message = "deleted {Count} plate crops older than {Days} days")]
        public static partial void PlateCropsDropped(ILogger log, int count, double days);
    }
}
