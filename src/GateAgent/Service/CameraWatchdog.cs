using GateWatch.Agent.Outbox;
using GateWatch.Agent.Record;

namespace GateWatch.Agent.Service;

/// <summary>What the recorder has done so far, as the watchdog reads it each tick.</summary>
/// <param name="FileBytes">The size of the segment being written now, 0 when there is none yet.</param>
internal readonly record struct RecorderProgress(string? File, long FileBytes, long Segments, long Bytes, DateTimeOffset? LastSegmentEnd)
{
    public static RecorderProgress Of(SegmentRecorder recorder)
    {
        var segments = recorder.Segments;
        var bytes = recorder.Bytes;
        var lastEnd = recorder.LastSegmentEnd;
        var file = recorder.CurrentFile;
        return new(file, file is not null && System.IO.File.Exists(file) ? new FileInfo(file).Length : 0, segments, bytes, lastEnd);
    }
}

/// <summary>
/// Once a tick: is the camera delivering? The recorder's growing file and the analysis's frames are its signs
/// of life; from them come the online and offline events, and the restart of a part that hangs with its
/// ffmpeg still running (a failing part ends by itself and needs no watching).
/// </summary>
internal sealed partial class CameraWatchdog(
    string camera,
    CameraStatus status,
    CameraPart recorder,
    CameraPart analysis,
    Func<RecorderProgress?> recording,
    PendingEvents events,
    TimeProvider time,
    ILogger log)
{
    /// <summary>No new bytes or frames for this long and the camera is offline: with the 1 s watch tick, guards hear of it within 6 s.</summary>
    public static readonly TimeSpan OfflineAfter = TimeSpan.FromSeconds(5);

    /// <summary>A part that has produced nothing for this long while its ffmpeg still runs is hung, and is restarted.</summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(10);

    /// <summary>A camera that has not delivered anything this long after (re)starting is reported offline.</summary>
    public static readonly TimeSpan StartGrace = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private (string? File, long Bytes) _growth;
    private DateTimeOffset? _lastGrowth;

    /// <summary>Ticks until <paramref name="ct"/> is cancelled; each tick also retries events a full disk held back.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Tick, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                // A tick that fails (a recorder's file vanishing under the size check, a disk error) is logged, and
                // the next tick looks again: a watchdog that ended would stop offline detection for good.
                try
                {
                    events.Flush();
                    Check();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.TickFailed(log, e, camera);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>One tick's look at the camera, at the time the clock says now.</summary>
    public void Check()
    {
        var now = time.GetUtcNow();
        if (recording() is { } r)
        {
            status.Recorded(r.Segments, r.Bytes, r.LastSegmentEnd);
            if (r.FileBytes > 0 && (r.File != _growth.File || r.FileBytes != _growth.Bytes))
            {
                _growth = (r.File, r.FileBytes);
                _lastGrowth = now;
            }
        }

        var lastFrame = status.LastFrameAt;
        recorder.CancelIfStalled(now, _lastGrowth, StallAfter, allowed => Log.Stalled(log, camera, recorder.Name, allowed.TotalSeconds));
        analysis.CancelIfStalled(now, lastFrame, StallAfter, allowed => Log.Stalled(log, camera, analysis.Name, allowed.TotalSeconds));

        var lastActivity = _lastGrowth is null ? lastFrame : lastFrame is null || _lastGrowth > lastFrame ? _lastGrowth : lastFrame;
        var live = lastActivity is { } at && now - at <= OfflineAfter;
        switch (status.State)
        {
            case CameraState.Starting or CameraState.Offline when live:
                status.SetState(CameraState.Online, now);
                events.Add(CameraEvent.Online(now));
                Log.Online(log, camera);
                break;
            case CameraState.Online when !live:
                status.SetState(CameraState.Offline, now);
                events.Add(CameraEvent.Offline(now, status.LastError ?? $"no video for {OfflineAfter.TotalSeconds:0} s"));
                Log.Offline(log, camera, status.LastError ?? "no video");
                break;
            case CameraState.Starting when now - status.Since > StartGrace:
                status.SetState(CameraState.Offline, now);
                events.Add(CameraEvent.Offline(now, status.LastError ?? "no video since the agent started"));
                Log.Offline(log, camera, status.LastError ?? "no video since start");
                break;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "camera {Camera}: a watchdog tick failed; the next one looks again")]
        public static partial void TickFailed(ILogger log, Exception exception, string camera);

        [LoggerMessage(Level = LogLevel.Warning, Message = "camera {Camera}: {Part} produced nothing for {Seconds} s; restarting it")]
        public static partial void Stalled(ILogger log, string camera, string part, double seconds);

        [LoggerMessage(Level = LogLevel.Information, Message = "camera {Camera}: online")]
        public static partial void Online(ILogger log, string camera);

        [LoggerMessage(Level = LogLevel.Warning, Message = "camera {Camera}: offline ({Why})")]
        public static partial void Offline(ILogger log, string camera, string why);
    }
}
