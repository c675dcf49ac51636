using GateWatch.Agent.Detect;
using GateWatch.Agent.Pipeline;
using GateWatch.Agent.Track;
using OpenCvSharp;

namespace GateWatch.Agent.Plates;

/// <summary>
/// The best few pictures of each vehicle being tracked, kept until the vehicle crosses (and its plate is read
/// from them) or is lost. "Best" is large and sharp: the plate is read once per vehicle, from the views where it
/// is biggest and least blurred, never from every frame.
/// </summary>
internal sealed class PlateViews(int keep = PlateViews.DefaultKeep) : IDisposable
{
    /// <summary>Three views: enough for the vote to outweigh one bad read, few enough to read within a second or two.</summary>
    public const int DefaultKeep = 3;

    /// <summary>A vehicle shorter than this in the analysed frame carries a plate of a few pixels: not worth a read.</summary>
    public const int MinHeight = 48;

    /// <summary>Sharpness is judged on a thumbnail this high, so that a big view does not cost more to judge.</summary>
    private const int JudgeHeight = 96;

    private readonly Dictionary<int, List<View>> _tracks = [];

    public static bool IsVehicle(ObjectClass c) => c is ObjectClass.Car or ObjectClass.Motorcycle or ObjectClass.Bus or ObjectClass.Truck;

    /// <summary>Offers this frame's view of each confirmed vehicle seen in it; forgets vehicles the tracker no longer has.</summary>
    public void Observe(Mat frame, IReadOnlyList<TrackView> tracks)
    {
        foreach (var t in tracks)
        {
            if (t.SeenNow && t.State == TrackState.Tracked && IsVehicle(t.Class))
            {
                Offer(frame, t);
            }
        }

        foreach (var gone in _tracks.Keys.Where(id => !tracks.Any(t => t.Id == id)).ToList())
        {
            Drop(gone);
        }
    }

    /// <summary>The kept views of a track, best first, handed over: the caller disposes them.</summary>
    public List<Mat> Take(int trackId)
    {
        if (!_tracks.Remove(trackId, out var views))
        {
            return [];
        }

        return [.. views.OrderByDescending(v => v.Score).Select(v => v.Picture)];
    }

    private void Offer(Mat frame, TrackView t)
    {
        var box = Expand(t.Box, frame.Width, frame.Height);
        if (box.Height < MinHeight || box.Width < MinHeight / 2)
        {
            return;
        }

        if (!_tracks.TryGetValue(t.Id, out var views))
        {
            _tracks[t.Id] = views = [];
        }

        var area = (double)box.Width * box.Height;
        var worst = views.Count < keep ? null : views.MinBy(v => v.Score);
        if (worst is not null && area * 2 < worst.Area)
        {
            // Far smaller than what is kept already: it cannot win, whatever its sharpness.
            return;
        }

        using var roi = new Mat(frame, box);
        var sharpness = Sharpness(roi);
        var score = area * sharpness;
        if (worst is not null)
        {
            if (score <= worst.Score)
            {
                return;
            }

            views.Remove(worst);
            worst.Picture.Dispose();
        }

        views.Add(new View(roi.Clone(), score, area));
    }

    /// <summary>The square root of the Laplacian's variance: high for crisp edges, low for motion blur and defocus.</summary>
    private static double Sharpness(Mat bgr)
    {
        using var grey = new Mat();
        Cv2.CvtColor(bgr, grey, ColorConversionCodes.BGR2GRAY);
        using var small = new Mat();
        var scale = Math.Min(1.0, (double)JudgeHeight / grey.Height);
        Cv2.Resize(grey, small, new Size(Math.Max(1, (int)(grey.Width * scale)), Math.Max(1, (int)(grey.Height * scale))));
        using var lap = new Mat();
        Cv2.Laplacian(small, lap, MatType.CV_32F);
        Cv2.MeanStdDev(lap, out _, out var std);
        return Math.Max(1e-3, std.Val0);
    }

    /// <summary>The box with a margin (a plate sits at the box's edge and the box is never exact), inside the frame.</summary>
    private static Rect Expand(Box b, int width, int height)
    {
        var mx = b.Width * 0.08f;
        var my = b.Height * 0.08f;
        var x1 = Math.Clamp((int)(b.X1 - mx), 0, width);
        var y1 = Math.Clamp((int)(b.Y1 - my), 0, height);
        var x2 = Math.Clamp((int)Math.Ceiling(b.X2 + mx), 0, width);
        var y2 = Math.Clamp((int)Math.Ceiling(b.Y2 + my), 0, height);
        return new Rect(x1, y1, x2 - x1, y2 - y1);
    }

    private void Drop(int id)
    {
        if (_tracks.Remove(id, out var views))
        {
            foreach (var v in views)
            {
                v.Picture.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var id in _tracks.Keys.ToList())
        {
            Drop(id);
        }
    }

    private sealed record View(Mat Picture, double Score, double Area);
}
