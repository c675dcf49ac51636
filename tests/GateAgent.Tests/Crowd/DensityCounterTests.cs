using System.Text.Json;
using GateWatch.Agent.Cli;
using GateWatch.Agent.Crowd;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Tests.Support;
using OpenCvSharp;

namespace GateWatch.Agent.Tests.Crowd;

/// <summary>The shipped density model and the count command on real crowd pictures (ShanghaiTech B test).</summary>
public sealed class DensityCounterTests : IDisposable
{
    private const string Images = "../shared/data/crowd/shanghaitech-partB-test/images";

    /// <summary>513 heads (counts.csv): a packed street, the test split's second-densest picture.</summary>
    private const string Crowd = Images + "/IMG_12.jpg";

    private readonly TempDir _dir = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));

    public void Dispose()
    {
        _timeout.Dispose();
        _dir.Dispose();
    }

    private static string ModelPath => Path.Combine(TestPaths.RepoRoot, "models", DensityCounter.DefaultName);

    [RequiresFileFact(Crowd)]
    public void A_crowd_is_counted_near_its_heads_and_a_zone_counts_only_its_part()
    {
        using var counter = DensityCounter.Load(ModelPath);
        using var picture = Cv2.ImRead(TestPaths.Resolve(Crowd));

        var map = counter.Estimate(picture);
        var total = map.Total();

        // Measured 375: the densest pictures are undercounted by about a quarter (bench/RESULTS.md, the 100+ band);
        // what matters at a gate is that hundreds read as hundreds, not as the 40 boxes find.
        Assert.InRange(total, 513 * 0.65, 513 * 1.2);
        var left = new List<Point2> { new(0, 0), new(512, 0), new(512, 768), new(0, 768) };
        var right = new List<Point2> { new(512, 0), new(1024, 0), new(1024, 768), new(512, 768) };
        Assert.Equal(total, map.Sum(left) + map.Sum(right), 3);
        Assert.True(map.Sum(left) > 0 && map.Sum(right) > 0);
    }

    [RequiresFileFact(Crowd)]
    public void A_dense_crowd_in_a_small_frame_is_counted_again_enlarged_to_the_trained_size()
    {
        using var counter = DensityCounter.Load(ModelPath);
        using var picture = Cv2.ImRead(TestPaths.Resolve(Crowd));
        // The agent's analysis frame: 640 wide, where the crowd's heads are 4-8 px.
        using var small = picture.Resize(new Size(640, 480), 0, 0, InterpolationFlags.Area);

        var map = counter.Estimate(small);

        // Looked at again at 1024 wide: cells of 8 / 1.6 = 5 of the small frame's pixels, and hundreds counted.
        Assert.Equal(5.0, map.Cell, 6);
        Assert.Equal((640, 480), (map.Width, map.Height));
        Assert.InRange(map.Total(), 513 * 0.6, 513 * 1.2);
    }

    [Fact]
    public void A_sparse_small_frame_is_not_enlarged()
    {
        using var counter = DensityCounter.Load(ModelPath);
        using var grey = new Mat(360, 640, MatType.CV_8UC3, Scalar.All(120));

        Assert.Equal(8.0, counter.Estimate(grey).Cell, 6);
    }

    [RequiresFileFact(Crowd)]
    public void A_big_frame_is_shrunk_for_the_model_and_mapped_back_to_its_own_pixels()
    {
        using var counter = DensityCounter.Load(ModelPath);
        using var picture = Cv2.ImRead(TestPaths.Resolve(Crowd));
        using var big = picture.Resize(new Size(2048, 1536));

        var map = counter.Estimate(big);
        var atOwnSize = counter.Estimate(picture).Total();

        Assert.Equal(2048.0 / DensityCounter.MaxSide * 8, map.Cell, 6);
        Assert.InRange(map.Total(), atOwnSize * 0.8, atOwnSize * 1.2);
    }

    /// <summary>
    /// A sparse scene must not read as a crowd: PETS 2009 S2.L1's frames 0, 300 and 700 hold 3, 6 and 8 people (its
    /// CVML annotations); measured 4.1, 6.3 and 9.6. The counter's floor on plain surfaces (DensityCounter.MinCell)
    /// is what keeps a near-empty frame near its people.
    /// </summary>
    [RequiresFileFact("../shared/data/pets2009-s2l1/vtest.mp4")]
    public void A_sparse_scene_reads_a_handful_of_people_not_a_crowd()
    {
        using var counter = DensityCounter.Load(ModelPath);
        foreach (var (frame, people) in new[] { (0, 3), (300, 6), (700, 8) })
        {
            var still = _dir.File($"pets-{frame}.png");
            FfmpegCli.Run("-i", TestPaths.Resolve("../shared/data/pets2009-s2l1/vtest.mp4"),
                "-vf", $"select=eq(n\\,{frame})", "-vsync", "0", "-frames:v", "1", still);
            using var picture = Cv2.ImRead(still);

            Assert.InRange(counter.Estimate(picture).Total(), people - 2.5, people + 3.5);
        }
    }

    [Fact]
    public void A_model_whose_bytes_changed_is_refused_naming_the_file()
    {
        var copy = Path.Combine(Directory.CreateDirectory(_dir.File("models")).FullName, DensityCounter.DefaultName);
        var bytes = File.ReadAllBytes(ModelPath);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(copy, bytes);

        var e = Assert.Throws<ModelException>(() => DensityCounter.Load(copy));
        Assert.Contains(copy, e.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", e.Message, StringComparison.Ordinal);

        var other = _dir.File("park.onnx");
        File.Copy(ModelPath, other);
        var missing = Assert.Throws<ModelException>(() => DensityCounter.Load(other));
        Assert.Contains(".sha256", missing.Message, StringComparison.Ordinal);
    }

    [RequiresFileFact(Crowd)]
    public async Task Count_writes_a_line_per_picture_with_the_zone_and_a_heat_map()
    {
        var input = Directory.CreateDirectory(_dir.File("in")).FullName;
        File.Copy(TestPaths.Resolve(Crowd), Path.Combine(input, "IMG_12.jpg"));
        File.Copy(TestPaths.Resolve(Images + "/IMG_2.jpg"), Path.Combine(input, "IMG_2.jpg"));
        var zone = _dir.File("zone.json");
        File.WriteAllText(zone, """{ "id": "left", "polygon": [[0, 0], [512, 0], [512, 768], [0, 768]] }""");
        var heat = Directory.CreateDirectory(_dir.File("heat")).FullName;
        var output = _dir.File("counts.jsonl");

        Assert.Equal(0, await CountCommand.RunAsync(["--input", input, "--out", output, "--zone", zone, "--heatmap", heat], _timeout.Token));

        var lines = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["IMG_12.jpg", "IMG_2.jpg"], lines.Select(l => l.GetProperty("image").GetString()));
        Assert.Equal(["image", "width", "height", "count", "zone", "zoneCount"], lines[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(1024, lines[0].GetProperty("width").GetInt32());
        Assert.All(lines, l => Assert.InRange(l.GetProperty("zoneCount").GetDouble(), 0, l.GetProperty("count").GetDouble()));
        Assert.True(File.Exists(Path.Combine(heat, "IMG_12.jpg")) && File.Exists(Path.Combine(heat, "IMG_2.jpg")));
    }

    [Fact]
    public async Task A_video_gives_a_line_per_estimated_frame_with_its_index()
    {
        var clip = _dir.File("clip.mp4");
        FfmpegCli.MakeTestClip(clip, frames: 25);
        var output = _dir.File("counts.jsonl");

        Assert.Equal(0, await CountCommand.RunAsync(["--input", clip, "--out", output, "--every", "10"], _timeout.Token));

        var lines = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([0, 10, 20], lines.Select(l => l.GetProperty("frame").GetInt32()));
        Assert.All(lines, l => Assert.Equal("clip.mp4", l.GetProperty("image").GetString()));
        Assert.All(lines, l => Assert.Equal(160, l.GetProperty("width").GetInt32()));
    }

    [RequiresFileFact(Crowd)]
    public async Task A_zone_outside_the_picture_is_refused_where_it_is_and_nothing_is_written()
    {
        var zone = _dir.File("zone.json");
        File.WriteAllText(zone, """{ "id": "gate", "polygon": [[0, 0], [1500, 0], [1500, 700], [0, 700]] }""");
        var output = _dir.File("counts.jsonl");

        var e = await Assert.ThrowsAsync<GateSpecException>(() =>
            CountCommand.RunAsync(["--input", TestPaths.Resolve(Crowd), "--out", output, "--zone", zone], _timeout.Token));

        Assert.StartsWith($"{zone}: $.polygon[1]: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("outside the 1024x768 picture IMG_12.jpg", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.partial*"));
    }

    [Theory]
    [InlineData("""{ "id": "z", "polygon": [[0, 0], [10, 0]] }""", "$.polygon", "at least 3 points")]
    [InlineData("""{ "id": "z", "polygon": [[0, 0], [10, 10], [10, 0], [0, 10]] }""", "$.polygon", "crosses itself")]
    [InlineData("""{ "id": "z", "polygon": [[0, 0], [10, 0], [20, 0]] }""", "$.polygon", "degenerate")]
    [InlineData("""{ "id": "z", "polygon": [[0, 0], [10, 0], [10]] }""", "$.polygon[2]", "a point [x, y]")]
    [InlineData("""{ "id": "z", "polygon": [[0, 0], [10, 0], [10, 10]], "colour": 1 }""", "$.colour", "unknown field")]
    public void A_zone_file_that_is_not_a_polygon_is_refused_where_it_is(string json, string at, string problem)
    {
        var zone = _dir.File("zone.json");
        File.WriteAllText(zone, json);

        var e = Assert.Throws<GateSpecException>(() => CountZone.Load(zone));

        Assert.StartsWith($"{zone}: {at}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
