using GateWatch.Agent.Cli;
using GateWatch.Agent.Eval;
using GateWatch.Agent.Tests.Support;
using Xunit.Abstractions;

namespace GateWatch.Agent.Tests.Eval;

/// <summary>
/// The density counter's floor on crowds nobody here photographed: ShanghaiTech Part B's test split (never trained
/// on), every fourth picture to keep the suite short, through `count` and score-count's scorer. Skipped without
/// ../shared. The whole split's figures and the commands are in bench/RESULTS.md; the floors sit a little above them.
/// </summary>
public sealed class CrowdAccuracyTests(ITestOutputHelper output)
{
    private const string TestSplit = "../shared/data/crowd/shanghaitech-partB-test";

    [RequiresFileFact(TestSplit + "/counts.csv")]
    public async Task A_street_crowd_is_counted_within_the_floor()
    {
        var scores = await CountEveryFourthAsync("", (image, input) => File.Copy(image, Path.Combine(input, Path.GetFileName(image))));

        var all = scores[0];
        Assert.True(all.Mae <= MaeFloor, $"MAE {all.Mae:F2} > {MaeFloor}");
        Assert.True(all.Rmse <= RmseFloor, $"RMSE {all.Rmse:F2} > {RmseFloor}");
        // The counter must not read a dense crowd as a small one: the band a strike is in.
        var dense = scores.Single(s => s.Band == "100+");
        Assert.True(dense.MeanRelativeError <= 0.2, $"100+ band off by {dense.MeanRelativeError:P1} on average");
    }

    /// <summary>
    /// The same pictures at the agent's analysis size (640x480, as a 640-wide camera frame): the dense ones are
    /// counted again enlarged to the trained size (DensityCounter.DenseRecheck), so hundreds still read as hundreds.
    /// </summary>
    [RequiresFileFact(TestSplit + "/counts.csv")]
    public async Task A_street_crowd_in_a_640_wide_frame_is_counted_within_the_floor()
    {
        // Lossless .png copies; their counts are scored under the .jpg names the truth has.
        var scores = await CountEveryFourthAsync("640x480 ", (image, input) =>
        {
            using var picture = OpenCvSharp.Cv2.ImRead(image);
            using var small = picture.Resize(new OpenCvSharp.Size(640, 480), 0, 0, OpenCvSharp.InterpolationFlags.Area);
            OpenCvSharp.Cv2.ImWrite(Path.Combine(input, Path.GetFileNameWithoutExtension(image) + ".png"), small);
        });

        var all = scores[0];
        Assert.True(all.Mae <= SmallMaeFloor, $"MAE {all.Mae:F2} > {SmallMaeFloor}");
        Assert.True(all.Rmse <= SmallRmseFloor, $"RMSE {all.Rmse:F2} > {SmallRmseFloor}");
        var dense = scores.Single(s => s.Band == "100+");
        Assert.True(dense.MeanRelativeError <= 0.2, $"100+ band off by {dense.MeanRelativeError:P1} on average");
    }

    /// <summary>Every fourth test picture, put in a folder by <paramref name="place"/>, through `count` and the scorer.</summary>
    private async Task<List<CountScore>> CountEveryFourthAsync(string label, Action<string, string> place)
    {
        using var dir = new TempDir();
        var input = Directory.CreateDirectory(dir.File("in")).FullName;
        var images = Directory.GetFiles(Path.Combine(TestPaths.Resolve(TestSplit), "images"), "*.jpg")
            .OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)[4..], System.Globalization.CultureInfo.InvariantCulture))
            .Where((_, i) => i % 4 == 0)
            .ToList();
        foreach (var image in images)
        {
            place(image, input);
        }

        var counts = dir.File("counts.jsonl");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        Assert.Equal(0, await CountCommand.RunAsync(["--input", input, "--out", counts, "--threads", "2"], timeout.Token));

        var estimates = CountScorer.LoadCounts(counts).ToDictionary(kv => Path.ChangeExtension(kv.Key, ".jpg"), kv => kv.Value);
        var scores = CountScorer.Score(CountScorer.LoadTruth(TestPaths.Resolve(TestSplit + "/counts.csv")), estimates);
        foreach (var s in scores)
        {
            output.WriteLine($"{label}{s.Band}: {s.Pictures} pictures, true {s.MeanTruth:F1} estimated {s.MeanEstimate:F1}, MAE {s.Mae:F2} RMSE {s.Rmse:F2}");
        }

        Assert.Equal(images.Count, scores[0].Pictures);
        return scores;
    }

    // Measured on these 79 pictures: MAE 9.53, RMSE 13.88 (the whole split: 11.85 and 22.69).
    private const double MaeFloor = 11;

    private const double RmseFloor = 16;

    // Measured on these 79 pictures at 640x480: MAE 11.32, RMSE 16.23 (the whole split: 14.1 and 26.5; without the
    // second look at the trained size the whole split read 22.0 and 42.6).
    private const double SmallMaeFloor = 13;

    private const double SmallRmseFloor = 19;
}
