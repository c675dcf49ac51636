using GateWatch.Agent.Capture;
using GateWatch.Agent.Crowd;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace GateWatch.Agent.Tests.Crowd;

/// <summary>The background density step of a live camera, with the shipped model on a real crowd picture.</summary>
public sealed class DensityStageTests : IDisposable
{
    /// <summary>513 heads (ShanghaiTech B test counts.csv).</summary>
    private const string Crowd = "../shared/data/crowd/shanghaitech-partB-test/images/IMG_12.jpg";

    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 7, 0, 0, TimeSpan.Zero);

    private readonly TempDir _dir = new();

    public void Dispose()
    {
        _dir.Dispose();
    }

    /// <summary>The left and right halves of the 1024x768 picture as two zones.</summary>
    private static readonly GateSpec Spec = new(null, null, (1024, 768), [],
    [
        new GateZone("left", [new(0, 0), new(512, 0), new(512, 768), new(0, 768)], 100, 2),
        new GateZone("right", [new(512, 0), new(1024, 0), new(1024, 768), new(512, 768)], 100, 2),
    ]);

    private static Frame FrameOf(Mat picture, long index, DateTimeOffset at)
    {
        var frame = Frame.Standalone(picture.Width, picture.Height);
        picture.CopyTo(frame.Mat);
        frame.Index = index;
        frame.CaptureTime = at;
        return frame;
    }

    private static async Task<DensityReading> NextAsync(DensityStage stage, DensityReading? after)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (stage.Latest is not { } r || ReferenceEquals(r, after))
        {
            await Task.Delay(20, timeout.Token);
        }

        return stage.Latest!;
    }

    [RequiresFileFact(Crowd)]
    public async Task A_frame_is_estimated_in_the_background_at_most_once_a_period_and_per_zone()
    {
        using var counter = DensityCounter.Load(Path.Combine(TestPaths.RepoRoot, "models", DensityCounter.DefaultName));
        using var picture = Cv2.ImRead(TestPaths.Resolve(Crowd));
        await using var stage = new DensityStage(counter, Spec, NullLogger.Instance, "gate");

        using (var frame = FrameOf(picture, 7, T0))
        {
            stage.Offer(frame);
        }

        // The frame was disposed as the analysis loop does at once: the estimate works on its own copy.
        var first = await NextAsync(stage, null);
        Assert.Equal(7, first.Frame);
        Assert.Equal(T0, first.Time);
        Assert.InRange(first.Zones["left"] + first.Zones["right"], 513 * 0.65, 513 * 1.2);
        Assert.True(first.Zones["left"] > 50 && first.Zones["right"] > 50);
        Assert.Equal((16, 12), (first.Grid.Columns, first.Grid.Rows));
        Assert.Equal(first.Zones["left"] + first.Zones["right"], first.Grid.Cells.Sum(), 1);

        // 1.5 s later nothing is due; 2 s after the first it is.
        using (var early = FrameOf(picture, 8, T0.AddSeconds(1.5)))
        {
            stage.Offer(early);
        }

        await Task.Delay(300);
        Assert.Same(first, stage.Latest);
        using (var due = FrameOf(picture, 9, T0.AddSeconds(2)))
        {
            stage.Offer(due);
        }

        Assert.Equal(9, (await NextAsync(stage, first)).Frame);
        Assert.Equal(0, stage.Failures);

        // The estimates run on the stage's own thread at nice 19, below every detector.
        var thread = Directory.GetDirectories("/proc/self/task")
            .Single(t => File.ReadAllText(Path.Combine(t, "comm")).Trim() == "density gate");
        var stat = File.ReadAllText(Path.Combine(thread, "stat"));
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal("19", fields[16]); // field 19 of stat, "nice", counting from the state after the name
    }

    [Fact]
    public async Task A_model_that_fails_leaves_no_reading_and_the_stage_goes_on()
    {
        // The detector passed off as a density model: it loads (its hash is beside it), then fails on every picture.
        var wrong = _dir.File("wrong.onnx");
        File.Copy(TestPaths.Model, wrong);
        File.WriteAllText(wrong + ".sha256", $"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(wrong)))}  wrong.onnx\n");
        using var counter = DensityCounter.Load(wrong);
        await using var stage = new DensityStage(counter, Spec, NullLogger.Instance, "gate");
        using var picture = new Mat(768, 1024, MatType.CV_8UC3, Scalar.All(90));

        for (var k = 0; k < 2; k++)
        {
            using (var frame = FrameOf(picture, k, T0.AddSeconds(2 * k)))
            {
                stage.Offer(frame);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (stage.Failures <= k)
            {
                await Task.Delay(20, timeout.Token);
            }
        }

        Assert.Equal(2, stage.Failures);
        Assert.Null(stage.Latest);
    }
}
