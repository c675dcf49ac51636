using GateWatch.Agent.Detect;
using GateWatch.Agent.Track;

namespace GateWatch.Agent.Gate;

internal enum Direction
{
    In,
    Out,
}

internal sealed record Crossing(string Line, Direction Direction, long Frame, DateTimeOffset Time, int TrackId, ObjectClass Class);

/// <summary>
/// Counts tracks crossing one finite gate line. A crossing is committed only when the foot point has
/// left the line's band on the far side, and a track standing on the line (within the band) has no
/// side to flip between: so jitter on the line counts nothing, a full crossing counts once, and a
/// U-turn that really crossed counts in and then out.
/// </summary>
internal sealed class LineCounter(GateLine line)
{
    /// <summary>Half-width of the line's band as a fraction of the person's box height (about 10 px for a 100 px person).</summary>
    private const double BandFraction = 0.1;

    /// <summary>Band half-width never below this: compression noise alone moves a foot point by a pixel or two.</summary>
    private const double MinBandPixels = 2.0;

    private readonly Dictionary<int, State> _states = [];

    public GateLine Line => line;

    /// <summary>Feeds the track's latest observed position; returns the crossing it completes, if any.</summary>
    public Crossing? Observe(Track.Track track, long frame, DateTimeOffset time)
    {
        var foot = track.Foot;
        var band = Math.Max(MinBandPixels, BandFraction * track.Box.Height);
        if (!_states.TryGetValue(track.Id, out var s))
        {
            // First sight of a confirmed track: start from where it was born so its tentative frames count.
            s = new State { Last = track.FirstFoot, Side = SideOf(track.FirstFoot, band) };
            _states[track.Id] = s;
        }

        if (Geometry.SegmentsIntersect(s.Last, foot, line.A, line.B))
        {
            s.TouchedFrame = frame;
            s.TouchedTime = time;
        }

        s.Last = foot;
        var side = SideOf(foot, band);
        if (side == 0)
        {
            return null;
        }

        Crossing? crossing = null;
        if (s.Side != 0 && side != s.Side && s.TouchedFrame is { } touched)
        {
            crossing = new Crossing(line.Id, side > 0 ? Direction.In : Direction.Out, touched, s.TouchedTime, track.Id, track.Class);
        }

        // Back on a definite side: a touch that did not end on the far side (lingering, a U-turn short of
        // crossing) is forgotten, and so is passing beyond the segment's end.
        s.Side = side;
        s.TouchedFrame = null;
        return crossing;
    }

    /// <summary>Drops state of tracks the tracker no longer holds.</summary>
    public void Forget(IReadOnlySet<int> liveTrackIds)
    {
        foreach (var id in _states.Keys.Where(id => !liveTrackIds.Contains(id)).ToList())
        {
            _states.Remove(id);
        }
    }

    /// <summary>+1 inside (the insidePoint's side), -1 outside, 0 within the band around the line.</summary>
    private int SideOf(Point2 p, double band)
    {
        var d = Geometry.SignedDistance(line.A, line.B, p) * line.InsideSign;
        return d > band ? 1 : d < -band ? -1 : 0;
    }

    private sealed class State
    {
        public Point2 Last { get; set; }

        public int Side { get; set; }

        public long? TouchedFrame { get; set; }

        public DateTimeOffset TouchedTime { get; set; }
    }
}
