using GateWatch.Agent.Crowd;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Events;
using GateWatch.Agent.Track;

namespace GateWatch.Agent.Gate;

internal sealed record GateOptions
{
    /// <summary>
    /// A person lost by the tracker still counts in a zone for this long at their predicted spot: people
    /// hidden behind others are still there, and a guard's "how many" includes them.
    /// </summary>
    public double OccupancyHoldSeconds { get; init; } = 1.5;

    /// <summary>
    /// A track that has never moved half its height and whose detections average below this score is
    /// taken for clutter (a traffic cone, a bollard: NanoDet scores those as people at 0.3-0.45) and not
    /// counted. A real person standing still is kept by either test: they walked in, or they score higher.
    /// </summary>
    public float StaticClutterScore { get; init; } = 0.5f;

    /// <summary>Travel (in box heights) below which a track has not really moved.</summary>
    public double StaticTravel { get; init; } = 0.5;

    public CrowdOptions Crowd { get; init; } = new();

    /// <summary>
    /// A density reading older than this many estimate periods is not used (zones count tracks): the estimates have
    /// stopped (a failing model, a stalled background task), and a crowd that left must not stay on the count.
    /// Three periods let one slow estimate (the cores busy with the detectors) come late without a fallback.
    /// </summary>
    public double DensityMaxAgePeriods { get; init; } = 3;
}

/// <summary>
/// A zone's most people in one minute of capture time (and its highest density estimate then): what the console
/// charts per gate and hour. Minutes with nobody in the zone are not sent.
/// </summary>
internal sealed record ZonePeakEvent(string Zone, DateTimeOffset Minute, long LastFrame, int Peak, double? Estimate) : GateEvent(LastFrame, Minute);

/// <summary>Turns tracks into gate facts: crossings per line, people per zone, crowd flags.</summary>
internal sealed class GateAnalyzer
{
    private readonly List<LineCounter> _lines;
    private readonly List<ZoneState> _zones;
    private readonly long _holdFrames;
    private readonly GateOptions _options;
    private readonly TimeSpan _densityMaxAge;

    public GateAnalyzer(GateSpec spec, double fps, GateOptions options)
    {
        _lines = spec.Lines.Select(l => new LineCounter(l)).ToList();
        _zones = spec.Zones.Select(z => new ZoneState(z, new CrowdRule(z.Id, z.CrowdMin, z.CrowdSeconds, options.Crowd))).ToList();
        _holdFrames = (long)Math.Round(options.OccupancyHoldSeconds * fps);
        _options = options;
        _densityMaxAge = TimeSpan.FromSeconds(options.DensityMaxAgePeriods * spec.DensitySeconds);
    }

    /// <summary>
    /// Zones counted by the density estimate in the last frame (the rest count their tracks). A new set only when a
    /// zone switches, so the frames in between share one instead of each allocating its own.
    /// </summary>
    public IReadOnlySet<string> DenseZones { get; private set; } = new HashSet<string>(StringComparer.Ordinal);

    private bool IsClutter(Track.Track t) => t.Travel < _options.StaticTravel && t.MeanScore < _options.StaticClutterScore;

    /// <param name="density">The camera's newest density estimate, or null on a camera without one.</param>
    public void Observe(
        IReadOnlyList<Track.Track> tracks, long frame, DateTimeOffset time, List<GateEvent> events, Dictionary<string, int> zoneCounts,
        DensityReading? density = null)
    {
        foreach (var t in tracks)
        {
            // Only positions the detector just confirmed move a track across a line; a prediction could
            // walk a vanished person through the gate.
            if (!t.IsConfirmed || t.LastSeenFrame != frame)
            {
                continue;
            }

            foreach (var line in _lines)
            {
                if (line.Observe(t, frame, time) is { } crossing)
                {
                    events.Add(new CrossingEvent(crossing));
                }
            }
        }

        var live = tracks.Select(t => t.Id).ToHashSet();
        foreach (var line in _lines)
        {
            events.AddRange(line.Forget(live).Select(c => new CrossingEvent(c)));
        }

        var fresh = density is not null && time - density.Time <= _densityMaxAge && density.Time <= time ? density : null;
        foreach (var state in _zones)
        {
            var zone = state.Zone;
            var tracked = 0;
            foreach (var t in tracks)
            {
                if (t.IsConfirmed && t.Class == ObjectClass.Person && frame - t.LastSeenFrame <= _holdFrames
                    && !IsClutter(t) && Geometry.PointInPolygon(zone.Polygon, t.Foot))
                {
                    tracked++;
                }
            }

            double? estimate = fresh is not null && fresh.Zones.TryGetValue(zone.Id, out var e) ? e : null;
            var wasDense = state.Switch.Dense;
            var count = state.Switch.Choose(tracked, estimate);
            if (state.Switch.Dense != wasDense)
            {
                DenseZones = _zones.Where(z => z.Switch.Dense).Select(z => z.Zone.Id).ToHashSet(StringComparer.Ordinal);
            }

            zoneCounts[zone.Id] = count;
            var (change, episode) = state.Rule.Observe(count, frame, time, estimate, state.Switch.Dense);
            if (change != CrowdChange.None)
            {
                events.Add(new CrowdEvent(episode!, change));
            }

            if (state.Minute(count, estimate, frame, time) is { } peak)
            {
                events.Add(peak);
            }
        }
    }

    /// <summary>End of stream: a crowd still present ends at its last frame, a crossing not yet settled is closed.</summary>
    public IEnumerable<GateEvent> Finish()
    {
        foreach (var c in _lines.SelectMany(l => l.Finish()))
        {
            yield return new CrossingEvent(c);
        }

        foreach (var state in _zones)
        {
            if (state.Rule.Flush() is { } ended)
            {
                yield return new CrowdEvent(ended, CrowdChange.Cleared);
            }

            if (state.Close() is { } peak)
            {
                yield return peak;
            }
        }
    }

    /// <summary>One zone's crowd rule, its tracks/estimate switch and the minute whose peak it is collecting.</summary>
    private sealed class ZoneState(GateZone zone, CrowdRule rule)
    {
        private DateTimeOffset? _minute;
        private long _lastFrame;
        private int _peak;
        private double? _estimate;

        public GateZone Zone { get; } = zone;

        public CrowdRule Rule { get; } = rule;

        public OccupancySwitch Switch { get; } = new();

        /// <summary>Adds a frame to the current minute; returns the previous minute's peak when this frame starts a new one.</summary>
        public ZonePeakEvent? Minute(int count, double? estimate, long frame, DateTimeOffset time)
        {
            var minute = new DateTimeOffset(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
            var closed = _minute is { } m && m != minute ? Close() : null;
            _minute = minute;
            _lastFrame = frame;
            _peak = Math.Max(_peak, count);
            if (estimate is { } e)
            {
                _estimate = Math.Max(_estimate ?? 0, e);
            }

            return closed;
        }

        public ZonePeakEvent? Close()
        {
            var peak = _minute is { } m && (_peak > 0 || _estimate >= 0.5)
                ? new ZonePeakEvent(Zone.Id, m, _lastFrame, _peak, _estimate is { } e ? Math.Round(e, 1) : null)
                : null;
            _minute = null;
            _peak = 0;
            _estimate = null;
            return peak;
        }
    }
}
