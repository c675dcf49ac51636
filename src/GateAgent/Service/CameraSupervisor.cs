using System.Text.Json;
using System.Threading.Channels;
using GateWatch.Agent.Annotate;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Crowd;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Events;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Live;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Pipeline;
using GateWatch.Agent.Record;
using Cv2 = OpenCvSharp.Cv2;
using ImageEncodingParam = OpenCvSharp.ImageEncodingParam;
using ImwriteFlags = OpenCvSharp.ImwriteFlags;

namespace GateWatch.Agent.Service;

/// <summary>
/// Runs one camera: the recorder (stream copy of the main stream into segments), the analysis (the gate
/// pipeline on the substream at a few frames a second) and a watchdog. Each part is restarted with capped
/// backoff when it fails or stalls; nothing one camera does can stop another, or the host.
/// </summary>
internal sealed partial class CameraSupervisor : IAsyncDisposable
{
    /// <summary>
    /// Frames waiting for analysis. Two: the live picture matters more than every frame, so when analysis
    /// falls behind the oldest frame is dropped (and counted) instead of a backlog growing without end.
    /// </summary>
    private const int FrameQueue = 2;

    /// <summary>No new bytes or frames for this long and the camera is offline: with the 1 s watch tick, guards hear of it within 6 s.</summary>
    private static readonly TimeSpan OfflineAfter = TimeSpan.FromSeconds(5);

    /// <summary>A part that has produced nothing for this long while its ffmpeg still runs is hung, and is restarted.</summary>
    private static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(10);

    /// <summary>A camera that has not delivered anything this long after (re)starting is reported offline.</summary>
    private static readonly TimeSpan StartGrace = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    /// <summary>Wider than the detector's 416-pixel input with room to spare for the letterbox of a 4:3 or 16:9 frame.</summary>
    private const int MaxAnalysisWidth = 640;

    /// <summary>
    /// Events held in memory while the outbox cannot store them: an hour of a busy gate's crossings. Beyond
    /// that the oldest go (and are logged), so a disk that stays full cannot exhaust memory as well.
    /// </summary>
    private const int MaxUnsaved = 10_000;

    private readonly AgentConfig _agent;
    private readonly SegmentIndex _index;
    private readonly EventOutbox _outbox;
    private readonly byte[]? _model;
    private readonly SemaphoreSlim _analysisSlots;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _runs = new();
    private CancellationTokenSource? _recorderRun;
    private CancellationTokenSource? _analysisRun;
    private bool _analysisRestartWanted;
    private CameraConfig _camera;
    private SegmentRecorder? _recorder;
    private (string? File, long Bytes, DateTimeOffset At) _growth;
    private DateTimeOffset? _lastGrowth;
    private DateTimeOffset _recorderSince;
    private DateTimeOffset _analysisSince;
    private FrameAnalysis? _latest;
    private GateSpec? _liveSpec;
    private IReadOnlySet<string> _crowded = new HashSet<string>(StringComparer.Ordinal);
    private string? _mainCodec;
    private readonly Queue<(string Type, DateTimeOffset At, JsonElement Data)> _unsaved = new();
    private readonly Queue<(DateTimeOffset From, DateTimeOffset To, string Reason)> _unsavedProtections = new();
    private bool _storeFailing;
    private Task _task = Task.CompletedTask;

    public CameraSupervisor(
        CameraConfig camera, AgentConfig agent, SegmentIndex index, EventOutbox outbox, byte[]? model, SemaphoreSlim analysisSlots, TimeProvider time, ILogger log)
    {
        _analysisSlots = analysisSlots;
        _camera = camera;
        _agent = agent;
        _index = index;
        _outbox = outbox;
        _model = model;
        _time = time;
        _log = log;
        Status = new CameraStatus(camera.Id, camera.Name, time.GetUtcNow());
        Frames = new LiveFrames(time);
        Status.UseGate(camera.Gate);
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
    public FrameAnalysis? Latest => Volatile.Read(ref _latest);

    /// <summary>The gate as analysed: lines and zones scaled to the analysed frame, the coordinates of <see cref="Latest"/>'s boxes.</summary>
    public GateSpec? LiveSpec => Volatile.Read(ref _liveSpec);

    /// <summary>Zones in a crowd episode now (raised and not yet cleared), for the live overlay.</summary>
    public IReadOnlySet<string> CrowdedZones => Volatile.Read(ref _crowded);

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
        lock (_runs)
        {
            // Between runs (a backoff after a failure) there is nothing to cancel: the next run reads the new spec.
            _analysisRestartWanted = true;
            _analysisRun?.Cancel();
        }
    }

    /// <summary>True once after <see cref="UseGate"/>: the analysis ended because it was asked to, and starts again now.</summary>
    private bool TakeAnalysisRestart()
    {
        lock (_runs)
        {
            var wanted = _analysisRestartWanted;
            _analysisRestartWanted = false;
            return wanted;
        }
    }

    public void Start()
    {
        var ct = _stop.Token;
        _recorderSince = _analysisSince = _time.GetUtcNow();
        _task = Task.WhenAll(
            Task.Run(() => SuperviseAsync("recorder", RecordOnceAsync, run => _recorderRun = run, () => false, ct), ct),
            Camera.Gate is null ? Task.CompletedTask : Task.Run(() => SuperviseAsync("analysis", AnalyseOnceAsync, run => _analysisRun = run, TakeAnalysisRestart, ct), ct),
            Task.Run(() => WatchAsync(ct), ct));
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

    private async Task SuperviseAsync(
        string part, Func<CancellationToken, Task> once, Action<CancellationTokenSource?> setRun, Func<bool> restartWanted, CancellationToken ct)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        while (!ct.IsCancellationRequested)
        {
            using var run = CancellationTokenSource.CreateLinkedTokenSource(ct);
            lock (_runs)
            {
                setRun(run);
            }

            var started = _time.GetUtcNow();
            try
            {
                await once(run.Token).ConfigureAwait(false);
                Status.Failed($"{part}: the stream ended");
                Log.PartEnded(_log, Camera.Id, part);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException)
            {
                // The watchdog cancelled a stalled run; it has said why.
            }
            catch (Exception e)
            {
                // Messages from the capture and record stages are already free of credentials.
                var why = Ffmpeg.Redact.Url(e.Message);
                Status.Failed($"{part}: {why}");
                Log.PartFailed(_log, Camera.Id, part, why);
            }
            finally
            {
                lock (_runs)
                {
                    setRun(null);
                }
            }

            // A restart that was asked for (a new gate spec) is no failure: no delay, and the backoff starts over.
            if (restartWanted())
            {
                backoff.Reset();
                Log.Restarting(_log, Camera.Id, part);
                continue;
            }

            // A run that worked for a while was a blip, not a dead camera: reconnect quickly.
            if (_time.GetUtcNow() - started > StallAfter * 3)
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
        _recorderSince = _time.GetUtcNow();
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

    private async Task AnalyseOnceAsync(CancellationToken ct)
    {
        var source = Camera.AnalysisSource;
        _analysisSince = _time.GetUtcNow();
        var probed = await VideoProbe.ProbeAsync(source, ct).ConfigureAwait(false);
        var info = AnalysisSize(probed);
        var spec = Camera.Gate!.ScaledTo(info.Width, info.Height);
        Volatile.Write(ref _liveSpec, spec);
        using var detector = Detectors.Create(_model!, new DetectorOptions());
        // ONNX Runtime's first run is slow (allocation, kernel choice): done now, it would hold up the first live
        // frames long enough for the queue to drop a dozen of them.
        using (var blank = new OpenCvSharp.Mat(info.Height, info.Width, OpenCvSharp.MatType.CV_8UC3, OpenCvSharp.Scalar.All(114)))
        {
            detector.Detect(blank);
        }

        using var pipeline = new GatePipeline(spec, Camera.AnalysisFps, detector, new PipelineOptions());
        var annotator = new Annotator(spec);
        var channel = Channel.CreateBounded<Frame>(
            new BoundedChannelOptions(FrameQueue) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.DropOldest },
            dropped =>
            {
                dropped.Dispose();
                Status.Dropped();
            });

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reader = new FfmpegFrameReader(_time);
        var decode = Task.Run(
            () => reader.RunAsync(source, info, channel.Writer, _time.GetUtcNow(), stop.Token, new FfmpegFrameReader.LiveOptions(Camera.Loop, Camera.AnalysisFps)),
            stop.Token);
        Status.Analysing(true);
        try
        {
            await foreach (var frame in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                using (frame)
                {
                    // Cameras take turns on the cores: eight single-threaded detectors on two cores thrash each
                    // other's caches (measured: 35 -> 210 ms per frame), while two at a time keep their speed.
                    await _analysisSlots.WaitAsync(ct).ConfigureAwait(false);
                    FrameAnalysis a;
                    try
                    {
                        a = pipeline.Process(frame);
                    }
                    finally
                    {
                        _analysisSlots.Release();
                    }

                    Status.Analysed(a, _time.GetUtcNow());
                    Volatile.Write(ref _latest, a);
                    annotator.Observe(a);
                    foreach (var e in a.Events)
                    {
                        Publish(e);
                    }

                    if (Frames.Wanted())
                    {
                        annotator.Draw(frame.Mat, a);
                        Cv2.ImEncode(".jpg", frame.Mat, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 80));
                        Frames.Publish(jpeg, frame.CaptureTime);
                    }
                }
            }

            await decode.ConfigureAwait(false);
        }
        finally
        {
            Status.Analysing(false);
            await stop.CancelAsync().ConfigureAwait(false);
            while (channel.Reader.TryRead(out var left))
            {
                left.Dispose();
            }

            // Crowd episodes still open when the stream goes are closed, so the console does not wait on them forever.
            foreach (var e in pipeline.Finish())
            {
                Publish(e);
            }

            try
            {
                await decode.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Already reported by the loop above, or cancelled by the stop.
            }
        }
    }

    /// <summary>
    /// The size frames are analysed at: at most <see cref="MaxAnalysisWidth"/> wide, scaled by ffmpeg. The
    /// detector sees a 416-pixel square whatever it is given, so a 720p or 1080p frame only costs more to
    /// pipe, compare for motion and shrink, and nothing in accuracy.
    /// </summary>
    internal static VideoInfo AnalysisSize(VideoInfo stream)
    {
        if (stream.Width <= MaxAnalysisWidth)
        {
            return stream;
        }

        // Even dimensions: ffmpeg's scaler and raw BGR frames both want them.
        var height = (int)Math.Round(stream.Height * (double)MaxAnalysisWidth / stream.Width / 2) * 2;
        return stream with { Width = MaxAnalysisWidth, Height = height };
    }

    /// <summary>Writes an event to the outbox first; everything else (protection, delivery) follows from there.</summary>
    private void Publish(GateEvent e)
    {
        switch (e)
        {
            case CrossingEvent { Crossing: var c }:
                Append("crossing", c.Time, new
                {
                    line = c.Line,
                    direction = c.Direction == Direction.In ? "in" : "out",
                    trackId = c.TrackId,
                    @class = c.Class.Name(),
                });
                break;
            case CrowdEvent { Change: CrowdChange.Raised, Episode: var ep }:
                Crowded(ep.Zone, true);
                Append("crowd-start", ep.AlertTime, new { zone = ep.Zone, startTime = ep.StartTime, peak = ep.Peak });
                Protect(ep.StartTime - Camera.PreRoll, ep.AlertTime + Camera.PostRoll, $"crowd in {ep.Zone}");
                break;
            case CrowdEvent { Change: CrowdChange.Cleared, Episode: var ep }:
                Crowded(ep.Zone, false);
                Append("crowd-end", ep.EndTime!.Value, new { zone = ep.Zone, startTime = ep.StartTime, peak = ep.Peak });
                Protect(ep.StartTime - Camera.PreRoll, ep.EndTime!.Value + Camera.PostRoll, $"crowd in {ep.Zone}");
                break;
        }
    }

    /// <summary>A copy on each change: the live metadata stream reads the set without a lock.</summary>
    private void Crowded(string zone, bool on)
    {
        var next = new HashSet<string>(Volatile.Read(ref _crowded), StringComparer.Ordinal);
        if (on ? next.Add(zone) : next.Remove(zone))
        {
            Volatile.Write(ref _crowded, next);
        }
    }

    /// <summary>
    /// Stores an event in the outbox. When the database cannot take it (a full disk), the event waits here, in
    /// order, and goes in with the next one that can be stored: the outage is logged once, nothing is dropped
    /// unless the wait grows past <see cref="MaxUnsaved"/>.
    /// </summary>
    private void Append(string type, DateTimeOffset at, object data)
    {
        lock (_unsaved)
        {
            if (_unsaved.Count >= MaxUnsaved)
            {
                Log.EventsDropped(_log, Camera.Id, _unsaved.Dequeue().Type);
            }

            _unsaved.Enqueue((type, at, JsonSerializer.SerializeToElement(data)));
            FlushUnsaved();
        }
    }

    /// <summary>Protects footage from retention; like events, a protection the disk cannot take yet waits and is retried.</summary>
    private void Protect(DateTimeOffset from, DateTimeOffset to, string reason)
    {
        lock (_unsaved)
        {
            _unsavedProtections.Enqueue((from, to, reason));
            FlushUnsaved();
        }
    }

    private void FlushUnsaved()
    {
        while (_unsavedProtections.TryPeek(out var p))
        {
            try
            {
                _index.Protect(Camera.Id, p.From, p.To, p.Reason);
                _unsavedProtections.Dequeue();
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                if (!_storeFailing)
                {
                    _storeFailing = true;
                    Log.EventsWaiting(_log, Camera.Id, ex.Message);
                }

                return;
            }
        }

        while (_unsaved.TryPeek(out var e))
        {
            try
            {
                _outbox.Append(Camera.Id, e.Type, e.At, e.Data);
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                if (!_storeFailing)
                {
                    _storeFailing = true;
                    Log.EventsWaiting(_log, Camera.Id, ex.Message);
                }

                return;
            }

            _unsaved.Dequeue();
            if (_storeFailing)
            {
                _storeFailing = false;
                Log.EventsStored(_log, Camera.Id);
            }
        }
    }

    /// <summary>Once a second: is the camera delivering? Offline/online events, and restarts of hung parts.</summary>
    private async Task WatchAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                lock (_unsaved)
                {
                    FlushUnsaved();
                }

                Watch(_time.GetUtcNow());
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void Watch(DateTimeOffset now)
    {
        if (_recorder is { } recorder)
        {
            Status.Recorded(recorder.Segments, recorder.Bytes, recorder.LastSegmentEnd);
            var file = recorder.CurrentFile;
            var bytes = file is not null && File.Exists(file) ? new FileInfo(file).Length : 0;
            if (bytes > 0 && (file != _growth.File || bytes != _growth.Bytes))
            {
                _growth = (file, bytes, now);
                _lastGrowth = now;
            }
        }

        var lastFrame = Status.LastFrameAt;
        lock (_runs)
        {
            if (_recorderRun is { IsCancellationRequested: false } r && now - Later(_lastGrowth, _recorderSince) > StallAfter)
            {
                Log.Stalled(_log, Camera.Id, "recorder", StallAfter.TotalSeconds);
                r.Cancel();
            }

            if (_analysisRun is { IsCancellationRequested: false } a && now - Later(lastFrame, _analysisSince) > StallAfter)
            {
                Log.Stalled(_log, Camera.Id, "analysis", StallAfter.TotalSeconds);
                a.Cancel();
            }
        }

        var lastActivity = Later(_lastGrowth, lastFrame);
        var live = lastActivity is { } at && now - at <= OfflineAfter;
        switch (Status.State)
        {
            case CameraState.Starting or CameraState.Offline when live:
                Status.SetState(CameraState.Online, now);
                Append("camera-online", now, new { });
                Log.Online(_log, Camera.Id);
                break;
            case CameraState.Online when !live:
                Status.SetState(CameraState.Offline, now);
                Append("camera-offline", now, new { reason = Status.LastError ?? $"no video for {OfflineAfter.TotalSeconds:0} s" });
                Log.Offline(_log, Camera.Id, Status.LastError ?? "no video");
                break;
            case CameraState.Starting when now - Status.Since > StartGrace:
                Status.SetState(CameraState.Offline, now);
                Append("camera-offline", now, new { reason = Status.LastError ?? "no video since the agent started" });
                Log.Offline(_log, Camera.Id, Status.LastError ?? "no video since start");
                break;
        }
    }

    private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : Later(a, b.Value);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "camera {Camera}: {Part} failed: {Why}; restarting with backoff")]
        public static partial void PartFailed(ILogger log, string camera, string part, string why);

        [LoggerMessage(Level = LogLevel.Warning, Message = "camera {Camera}: {Part} ended (the stream closed); restarting with backoff")]
        public static partial void PartEnded(ILogger log, string camera, string part);

        [LoggerMessage(Level = LogLevel.Warning, Message = "camera {Camera}: {Part} produced nothing for {Seconds} s; restarting it")]
        public static partial void Stalled(ILogger log, string camera, string part, double seconds);

        [LoggerMessage(Level = LogLevel.Error, Message = "camera {Camera}: events cannot be stored ({Why}); holding them in memory until they can")]
        public static partial void EventsWaiting(ILogger log, string camera, string why);

        [LoggerMessage(Level = LogLevel.Information, Message = "camera {Camera}: events are being stored again")]
        public static partial void EventsStored(ILogger log, string camera);

        [LoggerMessage(Level = LogLevel.Error, Message = "camera {Camera}: a {Type} event was dropped: the outbox has been unwritable for too long")]
        public static partial void EventsDropped(ILogger log, string camera, string type);

        [LoggerMessage(Level = LogLevel.Information, Message = "camera {Camera}: {Part} restarting with the new gate spec; the recording goes on")]
        public static partial void Restarting(ILogger log, string camera, string part);

        [LoggerMessage(Level = LogLevel.Information, Message = "camera {Camera}: online")]
        public static partial void Online(ILogger log, string camera);

        [LoggerMessage(Level = LogLevel.Warning, Message = "camera {Camera}: offline ({Why})")]
        public static partial void Offline(ILogger log, string camera, string why);

        [LoggerMessage(Level = LogLevel.Information, Message = "camera {Camera}: healed segment {File} cut off by the last stop ({Playable} playable)")]
        public static partial void Healed(ILogger log, string camera, string file, TimeSpan playable);
    }
}
