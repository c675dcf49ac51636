using GateWatch.Agent.Detect;

namespace GateWatch.Agent.Tests.Support;

/// <summary>Detections as a detector would report them, placed by the foot point.</summary>
internal static class Synthetic
{
    /// <summary>A standing person: box 0.4 h wide and h tall, bottom-centre at the foot point.</summary>
    public static Detection Person(double footX, double footY, float score = 0.9f, double height = 100) =>
        At(footX, footY, 0.4 * height, height, ObjectClass.Person, score);

    public static Detection Car(double footX, double footY, float score = 0.9f) =>
        At(footX, footY, 120, 60, ObjectClass.Car, score);

    public static Detection At(double footX, double footY, double width, double height, ObjectClass cls, float score) =>
        new(new Box((float)(footX - (width / 2)), (float)(footY - height), (float)(footX + (width / 2)), (float)footY), cls, score);
}
