namespace GateWatch.Agent.Spatial;

/// <summary>
/// A point in image pixels (y down). Its own small namespace because detection, tracking and gate
/// geometry all speak in points, and none of them should depend on another for it.
/// </summary>
internal readonly record struct Point2(double X, double Y)
{
    public static Point2 operator -(Point2 a, Point2 b) => new(a.X - b.X, a.Y - b.Y);
    public double Length => Math.Sqrt((X * X) + (Y * Y));
    public override string ToString() => $"({X:0.#}, {Y:0.#})";
}
