using GateWatch.Agent.Gate;

namespace GateWatch.Agent.Tests.Gate;

public sealed class GeometryTests
{
    private static Point2 P(double x, double y) => new(x, y);

    private static List<Point2> Poly(params (double X, double Y)[] points) => points.Select(p => P(p.X, p.Y)).ToList();

    [Fact]
    public void Crossing_segments_intersect()
    {
        Assert.True(Geometry.SegmentsIntersect(P(0, 0), P(10, 10), P(0, 10), P(10, 0)));
        Assert.True(Geometry.SegmentsIntersect(P(5, -5), P(5, 5), P(0, 0), P(10, 0)));
    }

    [Fact]
    public void Segments_touching_at_an_end_intersect()
    {
        // T-junction: q ends on p's interior.
        Assert.True(Geometry.SegmentsIntersect(P(0, 0), P(10, 0), P(5, 0), P(5, 7)));
        // End to end.
        Assert.True(Geometry.SegmentsIntersect(P(0, 0), P(10, 0), P(10, 0), P(15, 9)));
    }

    [Fact]
    public void Collinear_overlapping_segments_intersect()
    {
        Assert.True(Geometry.SegmentsIntersect(P(0, 0), P(10, 0), P(5, 0), P(15, 0)));
        Assert.True(Geometry.SegmentsIntersect(P(0, 0), P(10, 10), P(2, 2), P(3, 3)));
    }

    [Fact]
    public void Parallel_disjoint_segments_do_not_intersect()
    {
        Assert.False(Geometry.SegmentsIntersect(P(0, 0), P(10, 0), P(0, 1), P(10, 1)));
    }

    [Fact]
    public void Collinear_disjoint_segments_do_not_intersect()
    {
        Assert.False(Geometry.SegmentsIntersect(P(0, 0), P(10, 0), P(11, 0), P(20, 0)));
        Assert.False(Geometry.SegmentsIntersect(P(0, 0), P(0, 10), P(0, -5), P(0, -1)));
    }

    [Fact]
    public void Segments_that_would_meet_only_if_extended_do_not_intersect()
    {
        // The infinite lines cross at (15, 0), beyond the end of the first segment.
        Assert.False(Geometry.SegmentsIntersect(P(0, 0), P(10, 0), P(15, -5), P(15, 5)));
    }

    [Fact]
    public void Point_inside_a_square_is_inside()
    {
        var square = Poly((0, 0), (10, 0), (10, 10), (0, 10));
        Assert.True(Geometry.PointInPolygon(square, P(5, 5)));
        Assert.True(Geometry.PointInPolygon(square, P(0.5, 9.5)));
    }

    [Fact]
    public void Point_outside_a_square_is_outside()
    {
        var square = Poly((0, 0), (10, 0), (10, 10), (0, 10));
        Assert.False(Geometry.PointInPolygon(square, P(-1, 5)));
        Assert.False(Geometry.PointInPolygon(square, P(11, 5)));
        Assert.False(Geometry.PointInPolygon(square, P(5, 10.5)));
        // On the line through an edge, but past its end.
        Assert.False(Geometry.PointInPolygon(square, P(15, 0)));
    }

    [Fact]
    public void Point_on_an_edge_or_corner_counts_as_inside()
    {
        var square = Poly((0, 0), (10, 0), (10, 10), (0, 10));
        Assert.True(Geometry.PointInPolygon(square, P(5, 0)));
        Assert.True(Geometry.PointInPolygon(square, P(10, 4)));
        Assert.True(Geometry.PointInPolygon(square, P(0, 10)));
        var triangle = Poly((0, 0), (10, 0), (0, 10));
        Assert.True(Geometry.PointInPolygon(triangle, P(5, 5))); // on the hypotenuse
    }

    [Fact]
    public void Concave_polygon_notch_is_outside()
    {
        // A "U": the notch between the arms (x 4..6, y 4..10) is not in the polygon.
        var u = Poly((0, 0), (10, 0), (10, 10), (6, 10), (6, 4), (4, 4), (4, 10), (0, 10));
        Assert.False(Geometry.PointInPolygon(u, P(5, 7)));
        Assert.True(Geometry.PointInPolygon(u, P(2, 7)));
        Assert.True(Geometry.PointInPolygon(u, P(8, 7)));
        Assert.True(Geometry.PointInPolygon(u, P(5, 2)));
        // A ray from (5, 7) leftwards or rightwards passes through both arms: the even-odd rule must cope.
        Assert.False(Geometry.PointInPolygon(u, P(5, 9.9)));
    }

    [Fact]
    public void SignedDistance_has_opposite_signs_on_the_two_sides()
    {
        // Vertical line x = 100, a above b (y down).
        var a = P(100, 0);
        var b = P(100, 200);
        var right = Geometry.SignedDistance(a, b, P(130, 50));
        var left = Geometry.SignedDistance(a, b, P(70, 50));
        Assert.Equal(30, Math.Abs(right), 6);
        Assert.Equal(30, Math.Abs(left), 6);
        Assert.Equal(-Math.Sign(left), Math.Sign(right));
        Assert.Equal(Math.Sign(Geometry.Orientation(a, b, P(130, 50))), Math.Sign(right));
        Assert.Equal(0, Geometry.SignedDistance(a, b, P(100, 500)), 9);
    }

    [Fact]
    public void SignedDistance_flips_sign_when_the_line_is_reversed()
    {
        var p = P(3, 4);
        var forward = Geometry.SignedDistance(P(0, 0), P(10, 0), p);
        var backward = Geometry.SignedDistance(P(10, 0), P(0, 0), p);
        Assert.Equal(4, Math.Abs(forward), 9);
        Assert.Equal(-forward, backward, 9);
    }

    [Fact]
    public void Bow_tie_polygon_is_self_intersecting()
    {
        var bowTie = Poly((0, 0), (10, 10), (10, 0), (0, 10));
        Assert.True(Geometry.IsSelfIntersecting(bowTie));
    }

    [Fact]
    public void Simple_polygons_are_not_self_intersecting()
    {
        Assert.False(Geometry.IsSelfIntersecting(Poly((0, 0), (10, 0), (10, 10), (0, 10))));
        Assert.False(Geometry.IsSelfIntersecting(Poly((0, 0), (10, 0), (10, 10), (6, 10), (6, 4), (4, 4), (4, 10), (0, 10))));
        Assert.False(Geometry.IsSelfIntersecting(Poly((0, 0), (10, 0), (5, 8))));
    }

    [Fact]
    public void SignedArea_of_a_square_is_its_area_with_orientation_sign()
    {
        var ccw = Poly((0, 0), (10, 0), (10, 10), (0, 10));
        var cw = Enumerable.Reverse(ccw).ToList();
        Assert.Equal(100, Geometry.SignedArea(ccw), 9);
        Assert.Equal(-100, Geometry.SignedArea(cw), 9);
    }

    [Fact]
    public void SignedArea_of_a_triangle_and_of_collinear_points()
    {
        Assert.Equal(12, Math.Abs(Geometry.SignedArea(Poly((0, 0), (6, 0), (0, 4)))), 9);
        Assert.Equal(0, Geometry.SignedArea(Poly((0, 0), (5, 5), (10, 10))), 9);
    }

    [Fact]
    public void SignedArea_of_a_concave_polygon_subtracts_the_notch()
    {
        var u = Poly((0, 0), (10, 0), (10, 10), (6, 10), (6, 4), (4, 4), (4, 10), (0, 10));
        Assert.Equal(100 - 12, Math.Abs(Geometry.SignedArea(u)), 9);
    }
}
