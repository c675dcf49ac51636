using GateWatch.Agent.Motion;
using OpenCvSharp;

namespace GateWatch.Agent.Tests.Motion;

public sealed class MotionGateTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    private static Mat Scene(int squareX)
    {
        var m = new Mat(720, 1280, MatType.CV_8UC3, new Scalar(90, 90, 90));
        Cv2.Rectangle(m, new Rect(squareX, 400, 60, 120), new Scalar(30, 200, 240), -1);
        return m;
    }

    [Fact]
    public void The_first_frame_is_all_change()
    {
        using var gate = new MotionGate(new MotionOptions());
        using var f = Scene(100);
        Assert.True(gate.NeedsDetection(f, T0, anyTrackMoving: false));
        Assert.Equal([new Rect(0, 0, 1280, 720)], gate.ChangedAreas);
    }

    [Fact]
    public void Changed_areas_are_where_the_object_was_and_went_in_frame_pixels()
    {
        using var gate = new MotionGate(new MotionOptions());
        using var a = Scene(100);
        using var b = Scene(1000);
        gate.NeedsDetection(a, T0, false);

        Assert.True(gate.NeedsDetection(b, T0.AddSeconds(0.2), false));

        Assert.Contains(gate.ChangedAreas, r => r.Contains(new Point(130, 460)));
        Assert.Contains(gate.ChangedAreas, r => r.Contains(new Point(1030, 460)));
        Assert.DoesNotContain(gate.ChangedAreas, r => r.Contains(new Point(600, 100)));
    }

    [Fact]
    public void A_still_frame_has_no_changed_area()
    {
        using var gate = new MotionGate(new MotionOptions());
        using var a = Scene(100);
        gate.NeedsDetection(a, T0, false);
        Assert.False(gate.NeedsDetection(a, T0.AddSeconds(0.2), false));
        Assert.Empty(gate.ChangedAreas);
    }
}
