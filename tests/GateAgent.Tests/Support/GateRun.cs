using GateWatch.Agent.Detect;
using GateWatch.Agent.Events;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Track;
using OpenCvSharp;

namespace GateWatch.Agent.Tests.Support;

/// <summary>Tracker and gate over one line, fed a frame at a time as the pipeline feeds them; collects the crossings.</summary>
internal sealed class GateRun
{
    private readonly GateAnalyzer _gate;
    private readonly double _fps;
    private long _frame;

    public GateRun(GateLine line, double fps = 10)
    {
        _fps = fps;
        Tracker = new ByteTracker(new TrackerOptions(), fps);
        _gate = new GateAnalyzer(new GateSpec(Video: null, Fps: fps, FrameSize: null, Lines: [line], Zones: []), fps, new GateOptions());
    }

    public ByteTracker Tracker { get; }

    public List<Crossing> Crossings { get; } = [];

    /// <param name="image">The frame's pixels, for the tracker's appearance model; null for motion only.</param>
    public void Step(IReadOnlyList<Detection> detections, Mat? image = null)
    {
        var f = _frame++;
        Tracker.Update(detections, f, image);
        var events = new List<GateEvent>();
        _gate.Observe(Tracker.Tracks, f, DateTimeOffset.UnixEpoch + TimeSpan.FromSeconds(f / _fps), events, new Dictionary<string, int>());
        Crossings.AddRange(events.OfType<CrossingEvent>().Select(e => e.Crossing));
    }
}
