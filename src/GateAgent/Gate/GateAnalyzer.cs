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
}

/// <summary>Turns tracks into gate facts: crossings per line, people per zone, crowd flags.</summary>
internal sealed class GateAnalyzer
{
    private readonly List<LineCounter> _lines;
    private readonly List<(GateZone Zone, CrowdRule Rule)> _zones;
    private readonly long _holdFrames;
    private readonly GateOptions _options;

    public GateAnalyzer(GateSpec spec, double fps, GateOptions options)
    {
        _lines = spec.Lines.Select(l => new LineCounter(l)).ToList();
        _zones = spec.Zones.Select(z => (z, new CrowdRule(z.Id, z.CrowdMin, z.CrowdSeconds, options.Crowd))).ToList();
        _holdFrames = (long)Math.Round(options.OccupancyHoldSeconds * fps);
        _options = options;
    }

    private bool IsClutter(Track.Track t) => t.Travel < _options.StaticTravel && t.MeanScore < _options.StaticClutterScore;

    public void Observe(IReadOnlyList<Track.Track> tracks, long frame, DateTimeOffset time, List<GateEvent> events, Dictionary<string, int> zoneCounts)
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

        foreach (var (zone, rule) in _zones)
        {
            var count = 0;
            foreach (var t in tracks)
            {
                if (t.IsConfirmed && t.Class == ObjectClass.Person && frame - t.LastSeenFrame <= _holdFrames
                    && !IsClutter(t) && Geometry.PointInPolygon(zone.Polygon, t.Foot))
                {
                    count++;
                }
            }

            zoneCounts[zone.Id] = count;
            var (change, episode) = rule.Observe(count, frame, time);
            if (change != CrowdChange.None)
            {
                events.Add(new CrowdEvent(episode!, change));
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

        foreach (var (_, rule) in _zones)
        {
            if (rule.Flush() is { } ended)
            {
                yield return new CrowdEvent(ended, CrowdChange.Cleared);
            }
        }
    }
}
