using GateWatch.Agent.Detect;

namespace GateWatch.Agent.Track;

internal static class BoxOverlap
{
    /// <summary>Area two boxes share; IoU alone cannot say that a small box lies inside a large one.</summary>
    public static float Intersection(Box a, Box b)
    {
        var iw = Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1);
        var ih = Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1);
        return iw > 0 && ih > 0 ? iw * ih : 0;
    }
}
