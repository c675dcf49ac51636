namespace GateWatch.Agent.Gate;

/// <summary>Plane geometry for gate lines and zones, in image pixels (y down).</summary>
internal static class Geometry
{
    /// <summary>Below this, lengths and areas in pixels are treated as zero.</summary>
    public const double Epsilon = 1e-6;

    public static double Cross(Point2 a, Point2 b) => (a.X * b.Y) - (a.Y * b.X);

    /// <summary>Signed area of triangle (a, b, p) times two: positive on one side of a->b, negative on the other.</summary>
    public static double Orientation(Point2 a, Point2 b, Point2 p) => Cross(b - a, p - a);

    /// <summary>Distance from <paramref name="p"/> to the infinite line through a and b, signed like <see cref="Orientation"/>.</summary>
    public static double SignedDistance(Point2 a, Point2 b, Point2 p)
    {
        var len = (b - a).Length;
        return len < Epsilon ? (p - a).Length : Orientation(a, b, p) / len;
    }

    /// <summary>Whether closed segments p1-p2 and q1-q2 share a point (touching counts).</summary>
    public static bool SegmentsIntersect(Point2 p1, Point2 p2, Point2 q1, Point2 q2)
    {
        var d1 = Math.Sign(Orientation(q1, q2, p1));
        var d2 = Math.Sign(Orientation(q1, q2, p2));
        var d3 = Math.Sign(Orientation(p1, p2, q1));
        var d4 = Math.Sign(Orientation(p1, p2, q2));
        if (d1 != d2 && d3 != d4 && d1 * d2 <= 0 && d3 * d4 <= 0)
        {
            return true;
        }

        return (d1 == 0 && OnSegment(q1, q2, p1))
            || (d2 == 0 && OnSegment(q1, q2, p2))
            || (d3 == 0 && OnSegment(p1, p2, q1))
            || (d4 == 0 && OnSegment(p1, p2, q2));
    }

    /// <summary>For a point known to be collinear with a-b, whether it lies within the segment's bounds.</summary>
    private static bool OnSegment(Point2 a, Point2 b, Point2 p) =>
        p.X >= Math.Min(a.X, b.X) - Epsilon && p.X <= Math.Max(a.X, b.X) + Epsilon
        && p.Y >= Math.Min(a.Y, b.Y) - Epsilon && p.Y <= Math.Max(a.Y, b.Y) + Epsilon;

    /// <summary>Even-odd rule; points exactly on an edge count as inside so a person standing on a zone border is counted.</summary>
    public static bool PointInPolygon(IReadOnlyList<Point2> polygon, Point2 p)
    {
        var inside = false;
        for (int i = 0, j = polygon.Count - 1; i < polygon.Count; j = i++)
        {
            var a = polygon[i];
            var b = polygon[j];
            if (Math.Abs(Orientation(a, b, p)) < Epsilon && OnSegment(a, b, p))
            {
                return true;
            }

            if ((a.Y > p.Y) != (b.Y > p.Y))
            {
                var xAtY = a.X + ((p.Y - a.Y) * (b.X - a.X) / (b.Y - a.Y));
                if (p.X < xAtY)
                {
                    inside = !inside;
                }
            }
        }

        return inside;
    }

    /// <summary>Shoelace area, positive for counter-clockwise in a y-up frame.</summary>
    public static double SignedArea(IReadOnlyList<Point2> polygon)
    {
        double sum = 0;
        for (int i = 0, j = polygon.Count - 1; i < polygon.Count; j = i++)
        {
            sum += Cross(polygon[j], polygon[i]);
        }

        return sum / 2;
    }

    /// <summary>Whether any two non-adjacent edges of the closed polygon touch.</summary>
    public static bool IsSelfIntersecting(IReadOnlyList<Point2> polygon)
    {
        var n = polygon.Count;
        for (var i = 0; i < n; i++)
        {
            var a1 = polygon[i];
            var a2 = polygon[(i + 1) % n];
            for (var j = i + 1; j < n; j++)
            {
                var adjacent = j == i + 1 || (i == 0 && j == n - 1);
                if (adjacent)
                {
                    continue;
                }

                if (SegmentsIntersect(a1, a2, polygon[j], polygon[(j + 1) % n]))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
