using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Pipeline;
using GateWatch.Agent.Track;
using OpenCvSharp;

namespace GateWatch.Agent.Annotate;

/// <summary>Draws what the pipeline saw onto a frame: lines with running counts, zones with occupancy, tracked boxes with ids.</summary>
internal sealed class Annotator(GateSpec spec)
{
    private static readonly Scalar LineColour = new(0, 215, 255);
    private static readonly Scalar ZoneColour = new(255, 160, 0);
    private static readonly Scalar CrowdColour = new(0, 0, 255);
    private static readonly Scalar PersonColour = new(80, 220, 80);
    private static readonly Scalar VehicleColour = new(220, 120, 220);
    private static readonly Scalar LostColour = new(150, 150, 150);
    private static readonly Scalar RegionColour = new(200, 200, 200);

    private readonly Dictionary<string, (int In, int Out)> _counts = spec.Lines.ToDictionary(l => l.Id, _ => (0, 0));
    private readonly HashSet<string> _crowded = [];

    /// <summary>Updates running counts from the frame's events; call once per frame, drawn or not.</summary>
    public void Observe(FrameAnalysis a)
    {
        foreach (var e in a.Events)
        {
            switch (e)
            {
                case Events.CrossingEvent c:
                    var (i, o) = _counts[c.Crossing.Line];
                    _counts[c.Crossing.Line] = c.Crossing.Direction == Direction.In ? (i + 1, o) : (i, o + 1);
                    break;
                case Events.CrowdEvent { Change: Crowd.CrowdChange.Raised } r:
                    _crowded.Add(r.Episode.Zone);
                    break;
                case Events.CrowdEvent { Change: Crowd.CrowdChange.Cleared } r:
                    _crowded.Remove(r.Episode.Zone);
                    break;
            }
        }
    }

    /// <summary>Boxes of one picture's detections with class and score, for a person checking what the detector saw.</summary>
    public static void DrawDetections(Mat img, IEnumerable<Detection> detections)
    {
        foreach (var d in detections)
        {
            var colour = d.Class.IsRoadVehicle() ? VehicleColour : PersonColour;
            var r = new Rect((int)d.Box.X1, (int)d.Box.Y1, (int)d.Box.Width, (int)d.Box.Height);
            Cv2.Rectangle(img, r, colour, 2);
            Label(img, $"{d.Class.Name()} {d.Score:0.00}", new Point(r.X, r.Y), colour);
        }
    }

    public void Draw(Mat img, FrameAnalysis a)
    {
        if (spec.DetectRegion is { } region)
        {
            Cv2.Polylines(img, [region.Select(p => new Point((int)p.X, (int)p.Y)).ToArray()], isClosed: true, RegionColour, 1, LineTypes.AntiAlias);
        }

        foreach (var z in spec.Zones)
        {
            var crowded = _crowded.Contains(z.Id);
            var pts = z.Polygon.Select(p => new Point((int)p.X, (int)p.Y)).ToArray();
            Cv2.Polylines(img, [pts], isClosed: true, crowded ? CrowdColour : ZoneColour, crowded ? 3 : 1, LineTypes.AntiAlias);
            a.ZoneCounts.TryGetValue(z.Id, out var n);
            Label(img, $"{z.Id}: {n}{(crowded ? " CROWD" : "")}", pts[0], crowded ? CrowdColour : ZoneColour);
        }

        foreach (var l in spec.Lines)
        {
            var pa = new Point((int)l.A.X, (int)l.A.Y);
            Cv2.Line(img, pa, new Point((int)l.B.X, (int)l.B.Y), LineColour, 2, LineTypes.AntiAlias);
            Cv2.Circle(img, new Point((int)l.InsidePoint.X, (int)l.InsidePoint.Y), 3, LineColour, -1);
            var (i, o) = _counts[l.Id];
            Label(img, $"{l.Id} in {i} out {o}", pa, LineColour);
        }

        foreach (var t in a.Tracks)
        {
            if (t.State == TrackState.Tentative)
            {
                continue;
            }

            var colour = !t.SeenNow ? LostColour : t.Class.IsRoadVehicle() ? VehicleColour : PersonColour;
            var r = new Rect((int)t.Box.X1, (int)t.Box.Y1, (int)t.Box.Width, (int)t.Box.Height);
            Cv2.Rectangle(img, r, colour, 2);
            Label(img, $"{t.Id} {t.Class.Name()}", new Point(r.X, r.Y), colour);
        }

        Label(img, $"frame {a.Frame}", new Point(8, img.Height - 8), new Scalar(255, 255, 255));
    }

    private static void Label(Mat img, string text, Point at, Scalar colour)
    {
        var origin = new Point(at.X, Math.Max(14, at.Y - 4));
        Cv2.PutText(img, text, origin, HersheyFonts.HersheySimplex, 0.45, Scalar.Black, 3, LineTypes.AntiAlias);
        Cv2.PutText(img, text, origin, HersheyFonts.HersheySimplex, 0.45, colour, 1, LineTypes.AntiAlias);
    }
}
