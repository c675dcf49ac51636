using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;

namespace GateWatch.Agent.Track;

internal enum TrackState
{
    /// <summary>Seen too few times to be trusted; not counted anywhere yet.</summary>
    Tentative,

    /// <summary>Matched to a detection on the latest analysed frame.</summary>
    Tracked,

    /// <summary>Confirmed before, not matched now (occluded or missed); kept alive on its motion model.</summary>
    Lost,
}

internal sealed record TrackerOptions
{
    /// <summary>Score from which a detection is trusted for the first association pass and for starting tracks.</summary>
    public float HighScore { get; init; } = 0.4f;

    /// <summary>Score a detection needs to start a track; a one-off false positive still never reaches <see cref="MinHits"/>.</summary>
    public float NewTrackScore { get; init; } = 0.4f;

    /// <summary>Matches on this many frames make a track confirmed (about 0.3 s at 10 fps).</summary>
    public int MinHits { get; init; } = 3;

    /// <summary>How long a lost track waits to be found again: long enough for a person to pass behind another.</summary>
    public double MaxLostSeconds { get; init; } = 3.0;

    /// <summary>Minimum IoU for the high-score pass; low because at 7-10 fps a walking person moves a third of their width per frame.</summary>
    public float MatchIoU { get; init; } = 0.2f;

    /// <summary>Low-score detections must overlap more: they are only trusted to continue a clear track.</summary>
    public float LowMatchIoU { get; init; } = 0.4f;

    /// <summary>Re-finding a lost track by distance, in box heights, when its predicted box no longer overlaps.</summary>
    public double ReacquireHeights { get; init; } = 0.8;

    /// <summary>
    /// A lost track at least this much covered by a tracked box is taken as hidden behind that object and
    /// kept (and counted) longer: people walking in pairs hide each other for many seconds.
    /// </summary>
    public float OccludedCover { get; init; } = 0.5f;

    /// <summary>A detection overlapping a followed object more than this does not start a new identity.</summary>
    public float NewTrackMaxIoU { get; init; } = 0.3f;

    /// <summary>How long a hidden track may stay hidden before it is dropped.</summary>
    public double MaxOccludedSeconds { get; init; } = 10.0;

    /// <summary>Per-frame decay of a lost track's speed (0.9: halves in about 7 frames).</summary>
    public double LostVelocityDecay { get; init; } = 0.9;
}

/// <summary>One object followed over frames.</summary>
internal sealed class Track
{
    private readonly BoxKalman _kf;
    private readonly int[] _classVotes = new int[Enum.GetValues<ObjectClass>().Length];

    internal Track(int id, Detection d, long frame)
    {
        Id = id;
        _kf = new BoxKalman(d.Box);
        FirstFrame = frame;
        FirstFoot = d.Box.Foot;
        LastSeenFrame = frame;
        Hits = 1;
        MeanScore = d.Score;
        Class = d.Class;
        _classVotes[(int)d.Class]++;
    }

    public int Id { get; }

    public TrackState State { get; internal set; } = TrackState.Tentative;

    public bool IsConfirmed => State != TrackState.Tentative;

    /// <summary>Filtered box on the latest frame (a prediction while lost).</summary>
    public Box Box => _kf.Box;

    public Gate.Point2 Foot => Box.Foot;

    public ObjectClass Class { get; private set; }

    public long FirstFrame { get; }

    /// <summary>Where it was first seen, so a crossing during its tentative frames is not lost.</summary>
    public Point2 FirstFoot { get; }

    public long LastSeenFrame { get; private set; }

    public int Hits { get; private set; }

    /// <summary>Mean score of the detections matched to this track.</summary>
    public float MeanScore { get; private set; }

    /// <summary>Farthest the foot point has been from where the track was born, in box heights.</summary>
    public double Travel { get; private set; }

    /// <summary>Lost, but its predicted box lies behind an object being tracked: still there, just hidden.</summary>
    public bool Occluded { get; internal set; }

    public double Speed => _kf.Speed;

    internal void Predict(double lostDecay)
    {
        if (State == TrackState.Lost)
        {
            _kf.Coast(lostDecay);
        }
        else
        {
            _kf.Predict();
        }
    }

    internal void Hold() => _kf.Hold();

    internal void Update(Detection d, long frame)
    {
        _kf.Update(d.Box);
        LastSeenFrame = frame;
        Hits++;
        MeanScore += (d.Score - MeanScore) / Hits;
        Travel = Math.Max(Travel, (Foot - FirstFoot).Length / Math.Max(1, Box.Height));
        _classVotes[(int)d.Class]++;
        Class = (ObjectClass)Array.IndexOf(_classVotes, _classVotes.Max());
    }
}

/// <summary>
/// ByteTrack-style multi-object tracker: confident detections are matched first, then weak ones may
/// continue existing tracks (this is what carries a person through partial occlusion), and lost tracks
/// coast on a Kalman motion model until found again or expired.
/// </summary>
internal sealed class ByteTracker(TrackerOptions options, double fps)
{
    private readonly List<Track> _tracks = [];
    private readonly long _maxLostFrames = Math.Max(1, (long)Math.Round(options.MaxLostSeconds * fps));
    private readonly long _maxOccludedFrames = Math.Max(1, (long)Math.Round(options.MaxOccludedSeconds * fps));
    private int _nextId = 1;

    public IReadOnlyList<Track> Tracks => _tracks;

    /// <summary>A frame the motion gate skipped: nothing moved, so every track stays where it is and none ages.</summary>
    public void Hold()
    {
        foreach (var t in _tracks)
        {
            t.Hold();
        }
    }

    public void Update(IReadOnlyList<Detection> detections, long frame)
    {
        foreach (var t in _tracks)
        {
            t.Predict(options.LostVelocityDecay);
        }

        var high = detections.Where(d => d.Score >= options.HighScore).ToList();
        var low = detections.Where(d => d.Score < options.HighScore).ToList();

        // 1. Confident detections against every confirmed track, tracked or lost.
        var confirmed = _tracks.Where(t => t.IsConfirmed).ToList();
        var (m1, freeTracks, freeHigh) = Match(confirmed, high, options.MatchIoU);
        Apply(m1, frame);

        // 2. Weak detections may only continue tracks that were being followed until now.
        var stillTracked = freeTracks.Where(t => t.State == TrackState.Tracked).ToList();
        var (m2, _, _) = Match(stillTracked, low, options.LowMatchIoU);
        Apply(m2, frame);

        // 3. A track whose prediction drifted off its person (occlusion, a stop): re-find it by distance.
        var unmatched = freeTracks.Where(t => t.LastSeenFrame != frame).ToList();
        var (m3, _, freeHigh2) = MatchByDistance(unmatched, freeHigh);
        Apply(m3, frame);

        // 4. Tentative tracks need confident detections.
        var tentative = _tracks.Where(t => t.State == TrackState.Tentative).ToList();
        var (m4, _, freeHigh3) = Match(tentative, freeHigh2, options.MatchIoU);
        Apply(m4, frame);

        // A box largely on top of someone already followed is usually both of them at once, not a third person.
        foreach (var d in freeHigh3.Where(d => d.Score >= options.NewTrackScore && !OverlapsFollowed(d, frame)))
        {
            _tracks.Add(new Track(_nextId++, d, frame));
        }

        foreach (var t in _tracks.Where(t => t.LastSeenFrame != frame))
        {
            if (t.State == TrackState.Tracked)
            {
                t.State = TrackState.Lost;
            }
        }

        foreach (var t in _tracks)
        {
            t.Occluded = t.State == TrackState.Lost && IsBehindTrackedObject(t, frame);
        }

        _tracks.RemoveAll(t =>
            (t.State == TrackState.Tentative && t.LastSeenFrame != frame)
            || (t.State == TrackState.Lost && frame - t.LastSeenFrame > (t.Occluded ? _maxOccludedFrames : _maxLostFrames)));
    }

    /// <summary>Same kind only: a bicycle under its rider or a car passing a person is a new object.</summary>
    private bool OverlapsFollowed(Detection d, long frame) =>
        _tracks.Any(t => t.IsConfirmed && t.LastSeenFrame == frame && ObjectClasses.SameKind(t.Class, d.Class)
            && t.Box.IoU(d.Box) > options.NewTrackMaxIoU);

    private bool IsBehindTrackedObject(Track lost, long frame)
    {
        var box = lost.Box;
        foreach (var t in _tracks)
        {
            if (t.LastSeenFrame != frame || t == lost)
            {
                continue;
            }

            var o = t.Box;
            var iw = Math.Min(box.X2, o.X2) - Math.Max(box.X1, o.X1);
            var ih = Math.Min(box.Y2, o.Y2) - Math.Max(box.Y1, o.Y1);
            if (iw > 0 && ih > 0 && iw * ih >= options.OccludedCover * box.Area)
            {
                return true;
            }
        }

        return false;
    }

    private void Apply(List<(Track Track, Detection Det)> matches, long frame)
    {
        foreach (var (t, d) in matches)
        {
            t.Update(d, frame);
            if (t.State == TrackState.Lost || (t.State == TrackState.Tentative && t.Hits >= options.MinHits))
            {
                t.State = TrackState.Tracked;
            }
        }
    }

    private static (List<(Track, Detection)> Matches, List<Track> FreeTracks, List<Detection> FreeDets) Match(
        List<Track> tracks, List<Detection> dets, float minIoU)
    {
        var cost = new double[tracks.Count, dets.Count];
        for (var i = 0; i < tracks.Count; i++)
        {
            for (var j = 0; j < dets.Count; j++)
            {
                cost[i, j] = ObjectClasses.SameKind(tracks[i].Class, dets[j].Class) ? 1 - tracks[i].Box.IoU(dets[j].Box) : 2;
            }
        }

        return Collect(tracks, dets, Assignment.Solve(cost, 1 - minIoU));
    }

    private (List<(Track, Detection)>, List<Track>, List<Detection>) MatchByDistance(List<Track> tracks, List<Detection> dets)
    {
        var cost = new double[tracks.Count, dets.Count];
        for (var i = 0; i < tracks.Count; i++)
        {
            var tb = tracks[i].Box;
            for (var j = 0; j < dets.Count; j++)
            {
                var db = dets[j].Box;
                var dist = (new Point2(tb.CenterX, tb.CenterY) - new Point2(db.CenterX, db.CenterY)).Length;
                var scale = Math.Max(tb.Height, db.Height);
                var sizeRatio = Math.Max(tb.Height, db.Height) / Math.Max(1, Math.Min(tb.Height, db.Height));
                cost[i, j] = ObjectClasses.SameKind(tracks[i].Class, dets[j].Class) && sizeRatio < 1.6 ? dist / scale : 99;
            }
        }

        return Collect(tracks, dets, Assignment.Solve(cost, options.ReacquireHeights));
    }

    private static (List<(Track, Detection)>, List<Track>, List<Detection>) Collect(
        List<Track> tracks, List<Detection> dets, List<(int Row, int Col)> pairs)
    {
        var matches = pairs.Select(p => (tracks[p.Row], dets[p.Col])).ToList();
        var usedT = pairs.Select(p => p.Row).ToHashSet();
        var usedD = pairs.Select(p => p.Col).ToHashSet();
        return (matches,
            tracks.Where((_, i) => !usedT.Contains(i)).ToList(),
            dets.Where((_, j) => !usedD.Contains(j)).ToList());
    }
}
