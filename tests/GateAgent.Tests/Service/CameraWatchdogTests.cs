using GateWatch.Agent.Events;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Pipeline;
using GateWatch.Agent.Service;
using GateWatch.Agent.Tests.Outbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GateWatch.Agent.Tests.Service;

/// <summary>The watchdog on a fake clock: every tick is a <see cref="CameraWatchdog.Check"/> at a time the test chose.</summary>
public sealed class CameraWatchdogTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(T0);
    private readonly ListLogger<CameraWatchdogTests> _log = new();
    private readonly List<CameraEvent> _events = [];
    private readonly CameraStatus _status;
    private readonly CameraPart _recorder = new("recorder") { Since = T0 };
    private readonly CameraPart _analysis = new("analysis") { Since = T0 };
    private readonly CancellationTokenSource _recorderRun = new();
    private readonly CancellationTokenSource _analysisRun = new();
    private readonly CameraWatchdog _watchdog;
    private RecorderProgress? _recording;

    public CameraWatchdogTests()
    {
        _status = new CameraStatus("north", "North gate", T0);
        _recorder.Begin(_recorderRun, T0);
        _analysis.Begin(_analysisRun, T0);
        _watchdog = new CameraWatchdog(
            "north", _status, _recorder, _analysis, () => _recording, new PendingEvents("north", _events.Add, _ => { }, _log), _time, _log);
    }

    public void Dispose()
    {
        _recorderRun.Dispose();
        _analysisRun.Dispose();
    }

    /// <summary>The analysis delivers a frame captured now.</summary>
    private void Frame() => _status.Analysed(new FrameAnalysis(0, _time.GetUtcNow(), false, [], Array.Empty<GateEvent>(), new Dictionary<string, int>(), default), _time.GetUtcNow());

    /// <summary>The recorder's current segment has grown to <paramref name="bytes"/>.</summary>
    private void Written(long bytes, string file = "/rec/north/1.mp4") => _recording = new RecorderProgress(file, bytes, 1, bytes, null);

    private void Tick(double seconds = 1)
    {
        _time.Advance(TimeSpan.FromSeconds(seconds));
        _watchdog.Check();
    }

    private string[] Said(LogLevel level) => [.. _log.Entries.Where(e => e.Level == level).Select(e => e.Message)];

    [Fact]
    public async Task A_tick_that_fails_is_logged_and_the_watchdog_keeps_watching()
    {
        var calls = 0;
        var watchdog = new CameraWatchdog(
            "north", _status, _recorder, _analysis,
            () => ++calls == 1 ? throw new IOException("the segment vanished under the size check") : null,
            new PendingEvents("north", _events.Add, _ => { }, _log), _time, _log);
        using var stop = new CancellationTokenSource();
        var run = watchdog.RunAsync(stop.Token);

        // Past the start grace with nothing delivered: the camera must still be reported offline.
        for (var i = 0; i < 15 && !_events.Any(e => e.Type == "camera-offline"); i++)
        {
            _time.Advance(CameraWatchdog.Tick);
            await Task.Delay(50);
        }

        Assert.Contains(_events, e => e.Type == "camera-offline");
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("watchdog tick failed", StringComparison.Ordinal));
        Assert.False(run.IsCompleted);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public void A_first_frame_brings_the_camera_online_and_five_quiet_seconds_take_it_offline_again()
    {
        Tick();
        Frame();
        Tick();
        Assert.Equal(CameraState.Online, _status.State);
        Assert.Equal([CameraEvent.Online(T0.AddSeconds(2))], _events);

        Tick(4);
        Assert.Equal(CameraState.Online, _status.State); // exactly 5 s since the frame is still live
        Tick();

        Assert.Equal(CameraState.Offline, _status.State);
        Assert.Equal(T0.AddSeconds(7), _status.Since);
        Assert.Equal(CameraEvent.Offline(T0.AddSeconds(7), "no video for 5 s"), _events[^1]);
        Assert.Equal(["camera north: online"], Said(LogLevel.Information));
        Assert.Equal(["camera north: offline (no video)"], Said(LogLevel.Warning));
    }

    [Fact]
    public void Going_offline_gives_the_last_error_as_the_reason_and_video_brings_it_back_online()
    {
        Frame();
        Tick();
        _status.Failed("analysis: connection refused");
        Tick(6);
        Frame();
        Tick();

        Assert.Equal(
            [CameraEvent.Online(T0.AddSeconds(1)), CameraEvent.Offline(T0.AddSeconds(7), "analysis: connection refused"), CameraEvent.Online(T0.AddSeconds(8))],
            _events);
        Assert.Contains("camera north: offline (analysis: connection refused)", Said(LogLevel.Warning));
        Assert.Equal(CameraState.Online, _status.State);
    }

    [Fact]
    public void A_camera_that_never_delivers_is_reported_offline_once_after_the_start_grace()
    {
        Tick(10);
        Assert.Equal(CameraState.Starting, _status.State);

        Tick();
        Tick();
        Tick();

        Assert.Equal([CameraEvent.Offline(T0.AddSeconds(11), "no video since the agent started")], _events);
        Assert.Equal(["camera north: offline (no video since start)"], Said(LogLevel.Warning).Where(m => m.Contains("offline", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_growing_recording_keeps_the_camera_online_without_any_frame()
    {
        for (var bytes = 1000; bytes <= 20_000; bytes += 1000)
        {
            Written(bytes);
            Tick();
        }

        Assert.Equal([CameraEvent.Online(T0.AddSeconds(1))], _events);
        Assert.False(_recorderRun.IsCancellationRequested);
        Assert.Equal(20_000, _status.Snapshot().BytesThisRun);
    }

    [Fact]
    public void A_recorder_whose_file_stops_growing_is_restarted_after_ten_seconds_and_only_once()
    {
        Written(1000);
        Tick();
        Tick(10); // the same size for 10 s: not yet
        Assert.False(_recorderRun.IsCancellationRequested);

        Tick();
        Tick();

        Assert.True(_recorderRun.IsCancellationRequested);
        Assert.Equal(
            "camera north: recorder produced nothing for 10 s; restarting it",
            Assert.Single(Said(LogLevel.Warning), m => m.Contains("recorder produced", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_empty_new_file_is_no_sign_of_life_but_a_new_file_with_bytes_is()
    {
        Written(1000, "/rec/north/1.mp4");
        Tick();
        Written(0, "/rec/north/2.mp4");
        Tick(11);
        Assert.True(_recorderRun.IsCancellationRequested);

        using var next = new CancellationTokenSource();
        _recorder.Begin(next, _time.GetUtcNow());
        Tick(9);
        Written(1000, "/rec/north/2.mp4");
        Tick(9);
        Assert.False(next.IsCancellationRequested);
    }

    [Fact]
    public void An_analysis_without_frames_since_its_start_is_restarted_and_each_frame_resets_the_clock()
    {
        Tick(8);
        Frame();
        Tick(10);
        Assert.False(_analysisRun.IsCancellationRequested);
        Assert.True(_recorderRun.IsCancellationRequested); // nothing written since T0

        Tick();
        Assert.True(_analysisRun.IsCancellationRequested);
        Assert.Contains("camera north: analysis produced nothing for 10 s; restarting it", Said(LogLevel.Warning));
    }

    [Fact]
    public void A_run_begun_after_a_long_backoff_has_the_whole_stall_limit_from_its_own_start()
    {
        Written(1000);
        Tick();
        // The recorder failed (a full disk) and waited out its 10 s backoff: the last growth is 10 s old.
        _recorder.End();
        Tick(10);
        using var next = new CancellationTokenSource();
        _recorder.Begin(next, _time.GetUtcNow());
        Tick();
        Assert.False(next.IsCancellationRequested);
        Tick(9);
        Assert.False(next.IsCancellationRequested);
        Tick(2);
        Assert.True(next.IsCancellationRequested);
    }

    [Fact]
    public void Between_runs_nothing_is_cancelled()
    {
        _analysis.End();
        _recorder.End();

        Tick(30);

        Assert.False(_analysisRun.IsCancellationRequested);
        Assert.False(_recorderRun.IsCancellationRequested);
        Assert.DoesNotContain(Said(LogLevel.Warning), m => m.Contains("produced nothing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Running_it_ticks_once_a_second_on_the_injected_clock()
    {
        using var stop = new CancellationTokenSource();
        var run = _watchdog.RunAsync(stop.Token);
        Frame();

        _time.Advance(CameraWatchdog.Tick);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Said(LogLevel.Information).Length == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await run;
        Assert.Equal([CameraEvent.Online(T0 + CameraWatchdog.Tick)], _events);
    }

    /// <summary>
    /// Seen under two busy loops: the analysis's first frame (probe, model load, first inference) took longer than
    /// the stall limit, so a fixed limit restarted it for ever and the camera was never analysed. Each restart that
    /// again shows nothing doubles the limit (to two minutes at most); life seen resets it.
    /// </summary>
    [Fact]
    public void A_part_restarted_for_a_stall_gets_twice_as_long_each_time_until_it_shows_life()
    {
        var limits = new List<double>();
        var part = new CameraPart("analysis") { Since = T0 };
        var now = T0;
        for (var restart = 0; restart < 6; restart++)
        {
            using var run = new CancellationTokenSource();
            part.Begin(run, now);
            var started = now;
            while (!run.IsCancellationRequested)
            {
                now += TimeSpan.FromSeconds(1);
                part.CancelIfStalled(now, null, CameraWatchdog.StallAfter, allowed => limits.Add(allowed.TotalSeconds));
            }

            Assert.Equal(limits[^1] + 1, (now - started).TotalSeconds);
        }

        Assert.Equal([10, 20, 40, 80, 120, 120], limits);

        // A run that shows life is back on the short limit once it hangs.
        using var healthy = new CancellationTokenSource();
        part.Begin(healthy, now);
        var frame = now + TimeSpan.FromSeconds(2);
        part.CancelIfStalled(frame, frame, CameraWatchdog.StallAfter, allowed => limits.Add(allowed.TotalSeconds));
        part.CancelIfStalled(frame + TimeSpan.FromSeconds(11), frame, CameraWatchdog.StallAfter, allowed => limits.Add(allowed.TotalSeconds));
        Assert.True(healthy.IsCancellationRequested);
        Assert.Equal(10, limits[^1]);
    }
}
