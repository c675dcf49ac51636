using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Tests.Support;
using GateWatch.Agent.Track;
using OpenCvSharp;

namespace GateWatch.Agent.Tests.Track;

/// <summary>
/// Two people walking at a door from opposite sides and passing each other on the line, as in the
/// CAVIAR corridor clips: a video drawn in memory, the detector played by boxes taken from the
/// drawing. While they overlap the detector sees only the one in front, or one box round both, which
/// is when a tracker on motion alone swaps who is who and the door counts one of them twice.
/// </summary>
public sealed class CrossingPathsTests
{
    private const double Fps = 10;
    private const int Width = 480;
    private const int Height = 320;
    private const int Frames = 60;

    /// <summary>A door at x = 240, the inside to the right.</summary>
    private static readonly GateLine Door = new("door", new Point2(240, 40), new Point2(240, 310), new Point2(400, 170));

    /// <summary>
    /// A walks in (red shirt, blue trousers), in front; B walks out (green shirt, yellow trousers), a
    /// little further back. A stops in the doorway to let B by and walks on once B has passed: while
    /// A stands, motion says next to nothing about which box is whose.
    /// </summary>
    private static readonly Walker A = new(k => k < 16 ? 100 + (8.0 * k) : k < 40 ? 228 : 228 + (8.0 * (k - 39)), 268, 112,
        new Scalar(40, 40, 210), new Scalar(170, 60, 30));

    private static readonly Walker B = new(k => 360 - (4.0 * k), 262, 106, new Scalar(50, 170, 50), new Scalar(40, 210, 230));

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 2)]
    [InlineData(false, 3)]
    [InlineData(false, 4)]
    [InlineData(false, 5)]
    [InlineData(true, 1)]
    [InlineData(true, 2)]
    [InlineData(true, 3)]
    [InlineData(true, 4)]
    [InlineData(true, 5)]
    public void People_passing_each_other_on_the_line_keep_their_identities_and_count_one_in_one_out(bool mergedBox, int seed)
    {
        var run = new GateRun(Door, Fps);
        var jitter = new Random(seed);
        int? idA = null, idB = null;
        for (var k = 0; k < Frames; k++)
        {
            using var frame = new Mat(Height, Width, MatType.CV_8UC3, new Scalar(128, 128, 128));
            B.Draw(frame, k); // further back: drawn first, so A hides B where they overlap
            A.Draw(frame, k);

            var detections = Detect(k, mergedBox, jitter);
            run.Step(detections, frame);

            // Identities are checked where both are seen apart: before they meet and after they part.
            if (detections.Count == 2 && k >= 4)
            {
                var a = Nearest(run.Tracker, A.FootX(k));
                var b = Nearest(run.Tracker, B.FootX(k));
                idA ??= a;
                idB ??= b;
                Assert.True(idA == a, $"frame {k}: A (x={A.FootX(k)}) is track {a}, was {idA}");
                Assert.True(idB == b, $"frame {k}: B (x={B.FootX(k)}) is track {b}, was {idB}");
            }
        }

        Assert.NotEqual(idA, idB);
        Assert.Equal(2, run.Crossings.Count);
        var entry = Assert.Single(run.Crossings, c => c.Direction == Direction.In);
        var exit = Assert.Single(run.Crossings, c => c.Direction == Direction.Out);
        Assert.Equal(idA, entry.TrackId);
        Assert.Equal(idB, exit.TrackId);
    }

    /// <summary>
    /// What the detector reports: both boxes while they are apart; while they overlap by more than half
    /// a width, only A's (it hides B) or one box round both.
    /// </summary>
    private static List<Detection> Detect(int k, bool mergedBox, Random jitter)
    {
        var a = Jitter(A.Box(k), jitter);
        var b = Jitter(B.Box(k), jitter);
        if (Math.Abs(A.FootX(k) - B.FootX(k)) >= 0.5 * A.Width)
        {
            return [new Detection(a, ObjectClass.Person, 0.85f), new Detection(b, ObjectClass.Person, 0.8f)];
        }

        var front = mergedBox
            ? new Box(Math.Min(a.X1, b.X1), Math.Min(a.Y1, b.Y1), Math.Max(a.X2, b.X2), Math.Max(a.Y2, b.Y2))
            : a;
        return [new Detection(front, ObjectClass.Person, 0.7f)];
    }

    private static Box Jitter(Box b, Random r)
    {
        float J() => (float)((r.NextDouble() * 4) - 2);
        return new Box(b.X1 + J(), b.Y1 + J(), b.X2 + J(), b.Y2 + J());
    }

    private static int Nearest(ByteTracker tracker, double footX) =>
        tracker.Tracks.Where(t => t.IsConfirmed).MinBy(t => Math.Abs(t.Foot.X - footX))?.Id
        ?? throw new InvalidOperationException("no confirmed track");

    /// <summary>A person drawn as trousers, shirt and head, walking along a row at a fixed speed.</summary>
    private sealed record Walker(Func<int, double> Path, double FootY, double H, Scalar Shirt, Scalar Trousers)
    {
        public double Width => 0.4 * H;

        public double FootX(int k) => Path(k);

        public Box Box(int k) => new(
            (float)(FootX(k) - (Width / 2)), (float)(FootY - H), (float)(FootX(k) + (Width / 2)), (float)FootY);

        public void Draw(Mat frame, int k)
        {
            var x = FootX(k);
            var half = Width / 2;
            Cv2.Rectangle(frame, new Point(x - half, FootY - (0.45 * H)), new Point(x + half, FootY), Trousers, -1);
            Cv2.Rectangle(frame, new Point(x - half, FootY - (0.8 * H)), new Point(x + half, FootY - (0.45 * H)), Shirt, -1);
            Cv2.Circle(frame, new Point(x, FootY - (0.9 * H)), (int)(0.1 * H), new Scalar(120, 160, 210), -1);
        }
    }
}
