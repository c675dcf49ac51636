using System.Diagnostics;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Events;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Motion;
using GateWatch.Agent.Track;

namespace GateWatch.Agent.Pipeline;

internal sealed record PipelineOptions
{
    public DetectorOptions Detector { get; init; } = new();

    public SceneOptions Scene { get; init; } = new() { Tiling = new TilingOptions { MaxTilesPerFrame = 1 } };

    public TrackerOptions Tracker { get; init; } = new();

    public MotionOptions Motion { get; init; } = new();

    public GateOptions Gate { get; init; } = new();

    /// <summary>Off for evaluation runs that must analyse every frame.</summary>
    public bool MotionGating { get; init; } = true;

    /// <summary>
    /// For a file's analysis: the density counter run inline, every densitySeconds of the video's time, so a run
    /// gives the same result each time. A live camera estimates in the background instead (DensityStage) and passes
    /// its newest reading to <see cref="GatePipeline.Process"/>.
    /// </summary>
    public Crowd.DensityCounter? InlineDensity { get; init; }
}

/// <summary>Milliseconds spent per stage on one frame; <see cref="Density"/> only on frames estimated inline.</summary>
internal readonly record struct StageTimes(double Motion, double Detect, double Track, double Gate, double Density = 0);

internal sealed record TrackView(int Id, Box Box, ObjectClass Class, TrackState State, bool SeenNow);

/// <summary>Everything the pipeline learned from one frame.</summary>
internal sealed record FrameAnalysis(
    long Frame,
    DateTimeOffset Time,
    bool Detected,
    IReadOnlyList<TrackView> Tracks,
    IReadOnlyList<GateEvent> Events,
    IReadOnlyDictionary<string, int> ZoneCounts,
    StageTimes Times)
{
    /// <summary>How many views of the frame the model ran on (0 when the motion gate skipped the detector).</summary>
    public int Views { get; init; }

    /// <summary>The density estimate the zones were read with (null: none, or too old to use).</summary>
    public Crowd.DensityReading? Density { get; init; }

    /// <summary>Zones counted by the density estimate in this frame rather than by their tracks.</summary>
    public IReadOnlySet<string> DenseZones { get; init; } = new HashSet<string>();
}

/// <summary>
/// One camera's analysis: motion gate -> detector -> tracker -> gate rules, one frame at a time.
/// Not thread-safe: a camera's frames are analysed in order, by one consumer.
/// </summary>
internal sealed class GatePipeline : IDisposable
{
    private readonly SceneDetector _detector;
    private readonly DetectionRegion? _region;
    private readonly MotionGate _motion;
    private readonly ByteTracker _tracker;
    private readonly GateAnalyzer _gate;
    private readonly PipelineOptions _options;
    private readonly Crowd.DensitySchedule _inlineSchedule;
    private Crowd.DensityReading? _inlineLatest;

    public GatePipeline(GateSpec spec, double fps, IObjectDetector detector, PipelineOptions options)
    {
        Spec = spec;
        _detector = new SceneDetector(detector, options.Scene);
        _region = RegionOf(spec);
        _options = options;
        _motion = new MotionGate(options.Motion);
        _tracker = new ByteTracker(options.Tracker, fps);
        _gate = new GateAnalyzer(spec, fps, options.Gate);
        _inlineSchedule = new Crowd.DensitySchedule(spec.DensitySeconds);
    }

    public GateSpec Spec { get; }

    /// <param name="density">A live camera's newest density estimate (null: none, or the pipeline estimates inline).</param>
    public FrameAnalysis Process(Frame frame, Crowd.DensityReading? density = null)
    {
        var t0 = Stopwatch.GetTimestamp();
        var moving = _tracker.Tracks.Any(t => t.State == TrackState.Tracked && t.Speed > _options.Motion.MovingTrackSpeed);
        var detect = !_options.MotionGating || _motion.NeedsDetection(frame.Mat, frame.CaptureTime, moving);
        var t1 = Stopwatch.GetTimestamp();

        List<Detection>? detections = null;
        if (detect)
        {
            detections = _detector.Detect(frame.Mat, _region, _options.MotionGating ? Focus : null);
        }

        var t2 = Stopwatch.GetTimestamp();
        if (detections is not null)
        {
            _tracker.Update(detections, frame.Index, frame.Mat);
        }
        else
        {
            _tracker.Hold();
        }

        var t3 = Stopwatch.GetTimestamp();
        density ??= Inline(frame);
        var t4 = Stopwatch.GetTimestamp();
        var events = new List<GateEvent>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        _gate.Observe(_tracker.Tracks, frame.Index, frame.CaptureTime, events, counts, density);
        var t5 = Stopwatch.GetTimestamp();

        var views = _tracker.Tracks
            .Select(t => new TrackView(t.Id, t.Box, t.Class, t.State, t.LastSeenFrame == frame.Index))
            .ToList();
        return new FrameAnalysis(frame.Index, frame.CaptureTime, detect, views, events, counts, new StageTimes(
            Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds,
            Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds,
            Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds,
            Stopwatch.GetElapsedTime(t4, t5).TotalMilliseconds,
            Stopwatch.GetElapsedTime(t3, t4).TotalMilliseconds))
        {
            Views = detect ? _detector.LastViews.Count : 0,
            Density = density,
            DenseZones = _gate.DenseZones,
        };
    }

    /// <summary>The inline estimate for a file's analysis, made when one is due; the newest one otherwise.</summary>
    private Crowd.DensityReading? Inline(Frame frame)
    {
        if (_options.InlineDensity is not { } counter || Spec.Zones.Count == 0)
        {
            return null;
        }

        if (_inlineSchedule.Take(frame.CaptureTime))
        {
            _inlineLatest = Crowd.DensityStage.Estimate(counter, Spec, frame.Mat, frame.Index, frame.CaptureTime);
        }

        return _inlineLatest;
    }

    /// <summary>
    /// Where tiles are worth running on this frame: what moved, and what is being followed (a still object keeps its
    /// box checked). Tiles elsewhere are skipped; the whole view still runs, so a still scene costs one inference.
    /// </summary>
    private List<OpenCvSharp.Rect> Focus()
    {
        var focus = new List<OpenCvSharp.Rect>(_motion.ChangedAreas);
        foreach (var t in _tracker.Tracks)
        {
            if (t.State != TrackState.Tentative)
            {
                var b = t.Box;
                focus.Add(new OpenCvSharp.Rect((int)(b.X1 - (b.Width / 4)), (int)(b.Y1 - (b.Height / 4)), (int)(b.Width * 1.5f), (int)(b.Height * 1.5f)));
            }
        }

        return focus;
    }

    /// <summary>The spec's detection region for the detect stage; null when it has none (the whole frame).</summary>
    public static DetectionRegion? RegionOf(GateSpec spec) =>
        spec.DetectRegion is { } r ? new DetectionRegion(r.Select(p => new OpenCvSharp.Point2f((float)p.X, (float)p.Y)).ToList()) : null;

    /// <summary>End of stream: closes episodes still open.</summary>
    public IReadOnlyList<GateEvent> Finish() => _gate.Finish().ToList();

    public void Dispose() => _motion.Dispose();
}
