using GateWatch.Agent.Detect;
using OpenCvSharp;

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

    /// <summary>
    /// Appearance distance (0..1) below which a detection surely looks like the track (same person,
    /// other pose or light). Strict: in a crowd of dark coats a loose "same" moves identities around.
    /// </summary>
    public double SameLook { get; init; } = 0.25;

    /// <summary>
    /// When two candidates compete, a pair this much worse-looking than a competitor that surely
    /// looks the same is ruled out, whatever the boxes say: this is what stops two people passing
    /// each other from swapping identities.
    /// </summary>
    public double SwapMargin { get; init; } = 0.25;

    /// <summary>
    /// Appearance only decides between pairs that motion rates about equal: a competitor whose motion cost is
    /// more than this above the pair's (IoU cost, or box heights when re-finding) is no rival. Without it a look
    /// overruled a detection lying exactly on its track's box (IoU 0.95) in PETS's grey crowd, losing a person.
    /// </summary>
    public double MotionTie { get; init; } = 0.25;

    /// <summary>Weight of each new view in a track's running appearance (an exponential moving average).</summary>
    public double LookUpdate { get; init; } = 0.1;

    /// <summary>
    /// Weighted votes another class needs, as a multiple of the current class's, to take over a track:
    /// a van called a truck now and then stays a car.
    /// </summary>
    public double ClassSwitchRatio { get; init; } = 2.0;

    /// <summary>A person box this much inside a two-wheeler's box of the same frame is its rider, not a pedestrian.</summary>
    public float RiderInside { get; init; } = 0.9f;
}

/// <summary>One object followed over frames.</summary>
internal sealed class Track
{
    private readonly BoxKalman _kf;
    private readonly double[] _classVotes = new double[Enum.GetValues<ObjectClass>().Length];

    internal Track(int id, Detection d, long frame, Appearance? look)
    {
        Id = id;
        _kf = new BoxKalman(d.Box);
        FirstFrame = frame;
        FirstFoot = d.Box.Foot;
        LastSeenFrame = frame;
        Hits = 1;
        MeanScore = d.Score;
        Class = d.Class;
        _classVotes[(int)d.Class] += d.Score;
        Look = look;
    }

    public int Id { get; }

    public TrackState State { get; internal set; } = TrackState.Tentative;

    public bool IsConfirmed => State != TrackState.Tentative;

    /// <summary>Filtered box on the latest frame (a prediction while lost).</summary>
    public Box Box => _kf.Box;

    public Point2 Foot => Box.Foot;

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

    /// <summary>Running appearance from its clear views; null until it was seen once apart from others (or without pictures).</summary>
    public Appearance? Look { get; private set; }

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

    /// <param name="look">The detection's appearance when it was seen clear of others; null leaves the running look as it is.</param>
    internal void Update(Detection d, long frame, Appearance? look, TrackerOptions options)
    {
        _kf.Update(d.Box);
        LastSeenFrame = frame;
        Hits++;
        MeanScore += (d.Score - MeanScore) / Hits;
        Travel = Math.Max(Travel, (Foot - FirstFoot).Length / Math.Max(1, Box.Height));
        Vote(d, options.ClassSwitchRatio);
        if (look is not null)
        {
            if (Look is null)
            {
                Look = look;
            }
            else
            {
                // The first views are averaged evenly, then the look follows slowly (turning, shade).
                Look.Blend(look, Math.Max(options.LookUpdate, 1.0 / Hits));
            }
        }
    }

    /// <summary>
    /// Score-weighted class vote with hysteresis: the class only changes when another has clearly more
    /// weight, so a track whose detector output wavers between car and truck is reported as one of them.
    /// </summary>
    private void Vote(Detection d, double switchRatio)
    {
        _classVotes[(int)d.Class] += d.Score;
        var best = Array.IndexOf(_classVotes, _classVotes.Max());
        if (_classVotes[best] > switchRatio * _classVotes[(int)Class])
        {
            Class = (ObjectClass)best;
        }
    }
}

/// <summary>
/// ByteTrack-style multi-object tracker: confident detections are matched first, then weak ones may
/// continue existing tracks (this is what carries a person through partial occlusion), and lost tracks
/// coast on a Kalman motion model until found again or expired. With the frame's pixels, each track
/// also keeps a running appearance, which decides between candidates that motion alone cannot tell
/// apart (two people passing each other, one hidden behind the other for a moment).
/// </summary>
internal sealed class ByteTracker(TrackerOptions options, double fps)
{
    /// <summary>Another detection covering this much of a box mixes its colours into the box's histogram.</summary>
    private const float MixedCover = 0.15f;

    /// <summary>A detection holding this much of two followed objects' boxes shows both of them at once.</summary>
    private const float HoldsTrack = 0.3f;

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

    /// <param name="image">The frame the detections came from (BGR); without it the tracker uses motion only.</param>
    public void Update(IReadOnlyList<Detection> detections, long frame, Mat? image = null)
    {
        foreach (var t in _tracks)
        {
            t.Predict(options.LostVelocityDecay);
        }

        var seen = Describe(detections, image);
        var high = seen.Where(s => s.Det.Score >= options.HighScore).ToList();
        var low = seen.Where(s => s.Det.Score < options.HighScore).ToList();

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

        // A box largely on top of someone already followed is usually both of them at once, not a third
        // person; and a person inside a motorbike's box is its rider, counted with the motorbike.
        foreach (var s in freeHigh3.Where(s => s.Det.Score >= options.NewTrackScore && !OverlapsFollowed(s.Det, frame)
            && !IsRider(s.Det, detections)))
        {
            _tracks.Add(new Track(_nextId++, s.Det, frame, s.Clear ? s.Look : null));
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

    /// <summary>
    /// Each detection's appearance, and whether it shows one object alone: a box overlapped by another
    /// detection, or holding two followed objects (a merged box, or the front one of two people
    /// passing), would teach a track a mixture of both, so such views inform matching but not the look.
    /// </summary>
    private List<Seen> Describe(IReadOnlyList<Detection> detections, Mat? image)
    {
        var result = new List<Seen>(detections.Count);
        foreach (var d in detections)
        {
            var look = Appearance.Measure(image, d.Box);
            var clear = look is not null
                && !detections.Any(o => o != d && BoxOverlap.Intersection(d.Box, o.Box) > MixedCover * d.Box.Area)
                && _tracks.Count(t => t.IsConfirmed && BoxOverlap.Intersection(d.Box, t.Box) > HoldsTrack * t.Box.Area) < 2;
            result.Add(new Seen(d, look, clear));
        }

        return result;
    }

    /// <summary>Same kind only: a bicycle under its rider or a car passing a person is a new object.</summary>
    private bool OverlapsFollowed(Detection d, long frame) =>
        _tracks.Any(t => t.IsConfirmed && t.LastSeenFrame == frame && ObjectClasses.SameKind(t.Class, d.Class)
            && t.Box.IoU(d.Box) > options.NewTrackMaxIoU);

    private bool IsRider(Detection d, IReadOnlyList<Detection> all) =>
        d.Class == ObjectClass.Person
        && all.Any(o => o.Class is ObjectClass.Motorcycle or ObjectClass.Bicycle
            && BoxOverlap.Intersection(d.Box, o.Box) >= options.RiderInside * d.Box.Area);

    private bool IsBehindTrackedObject(Track lost, long frame) =>
        _tracks.Any(t => t.LastSeenFrame == frame && t != lost
            && BoxOverlap.Intersection(lost.Box, t.Box) >= options.OccludedCover * lost.Box.Area);

    private void Apply(List<(Track Track, Seen Seen)> matches, long frame)
    {
        foreach (var (t, s) in matches)
        {
            t.Update(s.Det, frame, s.Clear ? s.Look : null, options);
            if (t.State == TrackState.Lost || (t.State == TrackState.Tentative && t.Hits >= options.MinHits))
            {
                t.State = TrackState.Tracked;
            }
        }
    }

    private (List<(Track, Seen)> Matches, List<Track> FreeTracks, List<Seen> FreeDets) Match(
        List<Track> tracks, List<Seen> dets, float minIoU) =>
        Solve(tracks, dets, 1 - minIoU, (t, d) =>
        {
            var iou = t.Box.IoU(d.Box);
            return ObjectClasses.SameKind(t.Class, d.Class) && iou >= minIoU ? 1 - iou : null;
        });

    private (List<(Track, Seen)>, List<Track>, List<Seen>) MatchByDistance(List<Track> tracks, List<Seen> dets) =>
        Solve(tracks, dets, options.ReacquireHeights, (t, d) =>
        {
            var tb = t.Box;
            var db = d.Box;
            var dist = (new Point2(tb.CenterX, tb.CenterY) - new Point2(db.CenterX, db.CenterY)).Length;
            var scale = Math.Max(tb.Height, db.Height);
            var sizeRatio = Math.Max(tb.Height, db.Height) / Math.Max(1, Math.Min(tb.Height, db.Height));
            var cost = dist / scale;
            return ObjectClasses.SameKind(t.Class, d.Class) && sizeRatio < 1.6 && cost <= options.ReacquireHeights ? cost : null;
        });

    /// <summary>
    /// One association pass. <paramref name="motionCost"/> is null where the pair is impossible by
    /// position or kind, and is the cost otherwise. Where motion leaves a choice (a detection two
    /// tracks could take, a track two detections could continue), appearance rules out a pair when a
    /// competitor surely looks like it and this pair clearly does not. It only vetoes, it does not add
    /// to the cost: on the PETS crowd, a look mixed into every cost moved identities between people
    /// in similar coats (one crowd flag missed), while the veto keeps the counts as motion had them.
    /// </summary>
    private (List<(Track, Seen)>, List<Track>, List<Seen>) Solve(
        List<Track> tracks, List<Seen> dets, double maxMotionCost, Func<Track, Detection, double?> motionCost)
    {
        var n = tracks.Count;
        var m = dets.Count;
        var motion = new double?[n, m];
        var look = new double?[n, m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                motion[i, j] = motionCost(tracks[i], dets[j].Det);
            }
        }

        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                if (motion[i, j] is not null && tracks[i].Look is { } tl && dets[j].Look is { } dl && Contested(motion, i, j))
                {
                    look[i, j] = tl.DistanceTo(dl);
                }
            }
        }

        var cost = new double[n, m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                cost[i, j] = motion[i, j] is not { } c || LooksSwapped(look, motion, i, j) ? maxMotionCost + 1 : c;
            }
        }

        var pairs = Assignment.Solve(cost, maxMotionCost);
        var matches = pairs.Select(p => (tracks[p.Row], dets[p.Col])).ToList();
        var usedT = pairs.Select(p => p.Row).ToHashSet();
        var usedD = pairs.Select(p => p.Col).ToHashSet();
        return (matches,
            tracks.Where((_, i) => !usedT.Contains(i)).ToList(),
            dets.Where((_, j) => !usedD.Contains(j)).ToList());
    }

    private static bool Contested(double?[,] motion, int i, int j)
    {
        var rivals = 0;
        for (var k = 0; k < motion.GetLength(0); k++)
        {
            rivals += motion[k, j] is not null ? 1 : 0;
        }

        for (var k = 0; k < motion.GetLength(1); k++)
        {
            rivals += motion[i, k] is not null ? 1 : 0;
        }

        // The pair itself is counted twice.
        return rivals > 2;
    }

    /// <summary>
    /// Whether another candidate (track for this detection, or detection for this track), possible by
    /// motion too, looks like the same object while this pair looks clearly different.
    /// </summary>
    private bool LooksSwapped(double?[,] look, double?[,] motion, int i, int j)
    {
        if (look[i, j] is not { } d || motion[i, j] is not { } mine)
        {
            return false;
        }

        bool Rival(double? cost) => cost is { } c && c <= mine + options.MotionTie;
        for (var k = 0; k < look.GetLength(0); k++)
        {
            if (k != i && Rival(motion[k, j]) && look[k, j] is { } other && other < options.SameLook && d > other + options.SwapMargin)
            {
                return true;
            }
        }

        for (var k = 0; k < look.GetLength(1); k++)
        {
            if (k != j && Rival(motion[i, k]) && look[i, k] is { } other && other < options.SameLook && d > other + options.SwapMargin)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A detection with its appearance; <see cref="Clear"/>: seen apart from others, so fit to learn a look from.</summary>
    private readonly record struct Seen(Detection Det, Appearance? Look, bool Clear);
}
