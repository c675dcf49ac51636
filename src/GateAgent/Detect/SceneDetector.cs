using OpenCvSharp;

namespace GateWatch.Agent.Detect;

/// <summary>The part of a camera's picture where road users are counted: a polygon around the lanes.</summary>
internal sealed class DetectionRegion
{
    private readonly Point2f[] _polygon;

    public DetectionRegion(IReadOnlyList<Point2f> polygon)
    {
        _polygon = [.. polygon];
        var xs = _polygon.Select(p => p.X).ToArray();
        var ys = _polygon.Select(p => p.Y).ToArray();
        var x1 = (int)Math.Floor(xs.Min());
        var y1 = (int)Math.Floor(ys.Min());
        Bounds = new Rect(x1, y1, Math.Max(1, (int)Math.Ceiling(xs.Max()) - x1), Math.Max(1, (int)Math.Ceiling(ys.Max()) - y1));
    }

    public Rect Bounds { get; }

    public IReadOnlyList<Point2f> Polygon => _polygon;

    /// <summary>Whether a road user stands in the region: its box's foot point, where it touches the road.</summary>
    public bool Contains(Box b) => Cv2.PointPolygonTest(_polygon, new Point2f(b.CenterX, b.Y2), false) >= 0;
}

internal sealed record SceneOptions
{
    public TilingOptions Tiling { get; init; } = new();

    public MergeOptions Merge { get; init; } = new();
}

/// <summary>
/// Detection where it matters, near native resolution: the region of interest is shown to the model whole and,
/// when that would shrink it too much, as overlapping tiles too; on video only the tiles where something moves
/// (or a tracked object is) are looked at. The views' boxes are merged into one box per road user.
/// </summary>
internal sealed class SceneDetector(IObjectDetector detector, SceneOptions options)
{
    /// <summary>When each tile (by its place in the plan) last ran, in calls: the turn order of <see cref="TilingOptions.MaxTilesPerFrame"/>.</summary>
    private readonly Dictionary<Rect, long> _lastRun = [];
    private long _calls;

    public IObjectDetector Model => detector;

    /// <summary>The views the last call ran the model on (the whole region first); one without tiling.</summary>
    public IReadOnlyList<Rect> LastViews { get; private set; } = [];

    /// <param name="focus">
    /// On video, where something moved or is tracked (source pixels): tiles elsewhere are skipped. Asked only when
    /// the frame has tiles. Null looks everywhere.
    /// </param>
    public List<Detection> Detect(Mat frame, DetectionRegion? region = null, Func<IReadOnlyList<Rect>>? focus = null)
    {
        var area = region?.Bounds ?? new Rect(0, 0, frame.Width, frame.Height);
        area = DetectionPlan.Clip(area, frame.Size());
        var views = DetectionPlan.Views(frame.Size(), area, detector.InputSize, options.Tiling);
        var areas = focus is not null && views.Count > 1 ? focus() : null;
        var wanted = views.Where(v => v.Whole || areas is null || areas.Any(f => f.IntersectsWith(v.Area))).ToList();
        if (areas is not null && options.Tiling.MaxTilesPerFrame is { } most && wanted.Count - 1 > most)
        {
            // The tiles waiting longest go first; ties (never run) in plan order.
            var turn = wanted.Where(v => !v.Whole).OrderBy(v => _lastRun.GetValueOrDefault(v.Area, -1)).Take(most).ToHashSet();
            wanted = wanted.Where(v => v.Whole || turn.Contains(v)).ToList();
        }

        _calls++;
        var found = new List<(View, List<Detection>)>();
        foreach (var view in wanted)
        {
            _lastRun[view.Area] = _calls;
            found.Add((view, DetectIn(frame, view.Area)));
        }

        LastViews = wanted.Select(v => v.Area).ToList();
        var merged = RoadUsers.Merge(found, area, options.Merge);
        return region is null ? merged : merged.Where(d => region.Contains(d.Box)).ToList();
    }

    private List<Detection> DetectIn(Mat frame, Rect area)
    {
        if (area.X == 0 && area.Y == 0 && area.Width == frame.Width && area.Height == frame.Height)
        {
            return detector.Detect(frame);
        }

        using var roi = new Mat(frame, area);
        var found = detector.Detect(roi);
        for (var i = 0; i < found.Count; i++)
        {
            var b = found[i].Box;
            found[i] = found[i] with { Box = new Box(b.X1 + area.X, b.Y1 + area.Y, b.X2 + area.X, b.Y2 + area.Y) };
        }

        return found;
    }
}
