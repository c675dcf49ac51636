using GateWatch.Agent.Capture;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Live;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Pipeline;
using GateWatch.Agent.Record;

namespace GateWatch.Agent.Service;

/// <summary>
/// Runs one camera: the recorder (stream copy of the main stream into segments), the analysis (the gate
/// pipeline on the substream at a few frames a second) and a watchdog. Each part is restarted with capped
/// backoff when it fails or stalls; nothing one camera does can stop another, or the host.
/// </summary>
internal sealed partial class CameraSupervisor : IAsyncDisposable
{
    private readonly AgentConfig _agent;
    private readonly SegmentIndex _index;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly CameraPart _recording;
    private readonly CameraPart _analysing;
    private readonly CameraAnalysis _analysis;
    private readonly CameraWatchdog _watchdog;
    private CameraConfig _camera;
    private SegmentRecorder? _recorder;
    private string? _mainCodec;
    private Task _task = Task.CompletedTask;

    public CameraSupervisor(
        CameraConfig camera, AgentConfig agent, SegmentIndex index, EventOutbox outbox, AnalysisModels models, SemaphoreSlim analysisSlots, TimeProvider time, ILogger log)
    {
        _camera = camera;
        _agent = agent;
        _index = index;
        _time = time;
        _log = log;
        Status = new CameraStatus(camera.Id, camera.Name, time.GetUtcNow(), time);
        Frames = new LiveFrames(time);
        Status.UseGate(camera.Gate);
        // Only the gate spec of a camera changes while it runs, so its id is fixed for the writers' lifetime.
        var events = new PendingEvents(
            camera.Id, e => outbox.Append(camera.Id, e.Type, e.Time, e.Json()), p => index.Protect(camera.Id, p.From, p.To, p.Reason), log);
        _recording = new CameraPart("recorder");
        _analysing = new CameraPart("analysis");
        _analysis = new CameraAnalysis(Status, Frames, events, models, analysisSlots, time, log) { PlateCrops = Path.Combine(agent.PlatesDir, camera.Id) };
        _watchdog = new CameraWatchdog(
            camera.Id, Status, _recording, _analysing, () => _recorder is { } r ? RecorderProgress.Of(r) : null, events, time, log);
    }

    /// <summary>The camera's configuration; only its gate spec changes while it runs (<see cref="UseGate"/>).</summary>
    public CameraConfig Camera => Volatile.Read(ref _camera);

    public CameraStatus Status { get; }

    /// <summary>Annotated pictures for the snapshot and MJPEG endpoints.</summary>
    public LiveFrames Frames { get; }

    /// <summary>Seats for live fMP4 viewers; each one is a connection to the camera.</summary>
    public Viewers LiveViewers { get; } = new();

    /// <summary>The main stream's MSE codec string, probed once on first use; null if it is not H.264 or unknown.</summary>
    public async Task<string?> MainCodecAsync(CancellationToken ct)
    {
        if (_mainCodec is null)
        {
            try
            {
                _mainCodec = CodecString.Mime(await VideoProbe.ProbeAsync(Camera.Main, ct).ConfigureAwait(false)) ?? "";
            }
            catch (VideoSourceException)
            {
                return null;
            }
        }

        return _mainCodec.Length > 0 ? _mainCodec : null;
    }

    /// <summary>The newest analysis (tracks, zone counts) for the live metadata stream; null before the first frame.</summary>
    public FrameAnalysis? Latest => _analysis.Latest;

    /// <summary>The gate as analysed: lines and zones scaled to the analysed frame, the coordinates of <see cref="Latest"/>'s boxes.</summary>
    public GateSpec? LiveSpec => _analysis.Spec;

    /// <summary>Zones in a crowd episode now (raised and not yet cleared), for the live overlay.</summary>
    public IReadOnlySet<string> CrowdedZones => _analysis.CrowdedZones;

    /// <summary>The recording's ffmpeg, for tests that kill it.</summary>
    internal int? RecorderProcessId => _recorder?.FfmpegProcessId;

    /// <summary>
    /// Swaps in <paramref name="next"/>, which differs from <see cref="Camera"/> only in its gate spec: the analysis
    /// run is cancelled and restarted at once with the new lines and zones, while the recorder's ffmpeg is not
    /// touched, so the recording has no gap. Crowd episodes open in the old analysis end with it.
    /// </summary>
    public void UseGate(CameraConfig next)
    {
        if (next with { Gate = null, GateFingerprint = "" } != Camera with { Gate = null, GateFingerprint = "" } || next.Gate is null || Camera.Gate is null)
        {
            throw new InvalidOperationException($"camera {Camera.Id}: only a gate spec can be swapped in a running camera");
        }

        Volatile.Write(ref _camera, next);
        Status.UseGate(next.Gate);
        _analysing.Restart();
    }

    public void Start()
    {
        var ct = _stop.Token;
        _recording.Since = _analysing.Since = _time.GetUtcNow();
        _task = Task.WhenAll(
            Task.Run(() => SuperviseAsync(_recording, RecordOnceAsync, ct), ct),
            Camera.Gate is null ? Task.CompletedTask : Task.Run(() => SuperviseAsync(_analysing, AnalyseOnceAsync, ct), ct),
            Task.Run(() => _watchdog.RunAsync(ct), ct));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping is the point.
        }

        _stop.Dispose();
    }

    private async Task SuperviseAsync(CameraPart part, Func<CancellationToken, Task> once, CancellationToken ct)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        while (!ct.IsCancellationRequested)
        {
            using var run = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var started = _time.GetUtcNow();
            part.Begin(run, started);
            try
            {
                await once(run.Token).ConfigureAwait(false);
                Status.Failed($"{part.Name}: the stream ended");
                Log.PartEnded(_log, Camera.Id, part.Name);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException)
            {
                // The watchdog cancelled a stalled run, or a new gate spec did; either has said why.
            }
            catch (Exception e)
            {
                // Messages from the capture and record stages are already free of credentials.
                var why = Ffmpeg.Redact.Url(e.Message);
                Status.Failed($"{part.Name}: {why}");
                Log.PartFailed(_log, Camera.Id, part.Name, why);
            }
            finally
            {
                part.End();
            }

            // A restart that was asked for (a new gate spec) is no failure: no delay, and the backoff starts over.
            if (part.TakeRestart())
            {
                backoff.Reset();
                Log.Restarting(_log, Camera.Id, part.Name);
                continue;
            }

            // A run that worked for a while was a blip, not a dead camera: reconnect quickly.
            if (_time.GetUtcNow() - started > CameraWatchdog.StallAfter * 3)
            {
                backoff.Reset();
            }

            try
            {
                await Task.Delay(backoff.Next(), _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task RecordOnceAsync(CancellationToken ct)
    {
        var folder = _agent.CameraFolder(Camera.Id);
        foreach (var healed in await SegmentRecorder.HealAsync(Camera.Id, folder, _index, ct).ConfigureAwait(false))
        {
            Log.Healed(_log, Camera.Id, healed.Path, healed.End - healed.Start);
        }

        var recorder = new SegmentRecorder(Camera.Id, Camera.Main, folder, Camera.SegmentLength, _index, _time, Camera.Loop);
        _recording.Since = _time.GetUtcNow();
        _recorder = recorder;
        Status.Recording(true);
        try
        {
            await recorder.RunAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            Status.Recording(false);
            Status.Recorded(recorder.Segments, recorder.Bytes, recorder.LastSegmentEnd);
        }
    }

    private Task AnalyseOnceAsync(CancellationToken ct)
    {
        _analysing.Since = _time.GetUtcNow();
        return _analysis.RunAsync(Camera, ct);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "camera {Camera}: {Part} failed: {Why}; restarting with backoff")]
        public static partial void PartFailed(ILogger log, string camera, string part, string why);

        [LoggerMessage(Level = LogLevel.Warning, Message = "camera {Camera}: {Part} ended (the stream closed); restarting with backoff")]
        public static partial void PartEnded(ILogger log, string camera, string part);

        [LoggerMessage(Level = LogLevel.Information, Message = "camera {Camera}: {Part} restarting with the new gate spec; the recording goes on")]
        public static partial void Restarting(ILogger log, string camera, string part);

        [LoggerMessage(Level = LogLevel.Information, Message = "camera {Camera}: healed segment {File} cut off by the last stop ({Playable} playable)")]
        public static partial void Healed(ILogger log, string camera, string file, TimeSpan playable);
    }
}
