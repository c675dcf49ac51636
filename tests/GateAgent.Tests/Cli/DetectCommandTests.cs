using System.Text.Json;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Cli;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Cli;

/// <summary>`detect` end to end: the shipped model, real pictures and a real video, files on disk.</summary>
public sealed class DetectCommandTests : IDisposable
{
    private const string PersonJpg = "/usr/share/darknet/data/person.jpg";

    private readonly TempDir _dir = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));

    public void Dispose()
    {
        _timeout.Dispose();
        _dir.Dispose();
    }

    private string Out => _dir.File("detections.jsonl");

    private List<JsonElement> Lines() => File.ReadAllLines(Out).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    [RequiresFileFact(PersonJpg)]
    public async Task A_folder_gives_one_line_per_image_in_the_documented_shape_even_when_nothing_is_found()
    {
        var input = Directory.CreateDirectory(_dir.File("in")).FullName;
        Directory.CreateDirectory(Path.Combine(input, "sub"));
        File.Copy(PersonJpg, Path.Combine(input, "sub", "person.jpg"));
        using (var grey = new OpenCvSharp.Mat(240, 320, OpenCvSharp.MatType.CV_8UC3, new OpenCvSharp.Scalar(128, 128, 128)))
        {
            OpenCvSharp.Cv2.ImWrite(Path.Combine(input, "empty.png"), grey);
        }

        var annotate = _dir.File("annotated");
        var code = await DetectCommand.RunAsync(["--input", input, "--out", Out, "--annotate", annotate], _timeout.Token);

        Assert.Equal(0, code);
        var lines = Lines();
        Assert.Equal(["empty.png", "sub/person.jpg"], lines.Select(l => l.GetProperty("image").GetString()));
        Assert.Equal(["image", "width", "height", "detections"], lines[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, lines[0].GetProperty("detections").GetArrayLength());
        Assert.Equal(640, lines[1].GetProperty("width").GetInt32());
        Assert.Equal(424, lines[1].GetProperty("height").GetInt32());

        var person = lines[1].GetProperty("detections")[0];
        Assert.Equal(["class", "score", "box"], person.EnumerateObject().Select(p => p.Name));
        Assert.Equal("person", person.GetProperty("class").GetString());
        Assert.True(person.GetProperty("score").GetDouble() > 0.5);
        var box = person.GetProperty("box").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        Assert.True(new Agent.Detect.Box(box[0], box[1], box[2], box[3]).IoU(new Agent.Detect.Box(185, 95, 280, 380)) > 0.6, string.Join(",", box));
        Assert.True(File.Exists(Path.Combine(annotate, "sub", "person.jpg")));
    }

    [Fact]
    public async Task A_video_gives_a_line_per_analysed_frame_with_its_index()
    {
        var clip = _dir.File("clip.mp4");
        FfmpegCli.MakeTestClip(clip, frames: 12);

        var code = await DetectCommand.RunAsync(["--input", clip, "--out", Out, "--every", "5"], _timeout.Token);

        Assert.Equal(0, code);
        var lines = Lines();
        Assert.Equal([0L, 5L, 10L], lines.Select(l => l.GetProperty("frame").GetInt64()));
        Assert.All(lines, l => Assert.Equal("clip.mp4", l.GetProperty("image").GetString()));
    }

    [Fact]
    public async Task An_empty_folder_is_refused_and_nothing_is_written()
    {
        var input = Directory.CreateDirectory(_dir.File("none")).FullName;
        var e = await Assert.ThrowsAsync<UsageException>(() => DetectCommand.RunAsync(["--input", input, "--out", Out], _timeout.Token));
        Assert.Contains(input, e.Message, StringComparison.Ordinal);
        Assert.Contains("no images", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Out));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*partial*", SearchOption.AllDirectories));
    }

    [RequiresFileFact(PersonJpg)]
    public async Task A_file_that_is_not_an_image_is_named_and_nothing_is_half_written()
    {
        var input = Directory.CreateDirectory(_dir.File("mixed")).FullName;
        File.Copy(PersonJpg, Path.Combine(input, "a.jpg"));
        File.WriteAllText(Path.Combine(input, "b.jpg"), "this is text, not a JPEG");
        File.WriteAllText(Out, "earlier run\n");

        var e = await Assert.ThrowsAsync<FormatException>(() => DetectCommand.RunAsync(["--input", input, "--out", Out], _timeout.Token));

        Assert.Contains(Path.Combine(input, "b.jpg"), e.Message, StringComparison.Ordinal);
        Assert.Equal("earlier run\n", File.ReadAllText(Out));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*partial*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_video_that_cannot_be_decoded_is_named()
    {
        var bad = _dir.File("broken.mp4");
        File.WriteAllBytes(bad, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))]);
        var e = await Assert.ThrowsAsync<VideoSourceException>(() => DetectCommand.RunAsync(["--input", bad, "--out", Out], _timeout.Token));
        Assert.Contains("broken.mp4", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Out));
    }

    [RequiresFileFact(PersonJpg)]
    public async Task A_region_outside_the_picture_is_named_with_the_picture()
    {
        var spec = _dir.File("gate.json");
        File.WriteAllText(spec, """
            { "lines": [ { "id": "l", "a": [0, 5], "b": [9, 5], "insidePoint": [4, 9] } ],
              "detectRegion": [[2000, 2000], [2100, 2000], [2100, 2100]] }
            """);
        var e = await Assert.ThrowsAsync<FormatException>(() => DetectCommand.RunAsync(["--input", PersonJpg, "--out", Out, "--gate", spec], _timeout.Token));
        Assert.Contains("person.jpg", e.Message, StringComparison.Ordinal);
        Assert.Contains("outside", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Out));
    }

    [Theory]
    [InlineData("--tiling", "sometimes", "--tiling must be auto, on or off")]
    [InlineData("--min-score", "van=0.2", "--min-score")]
    [InlineData("--every", "0", "--every must be")]
    public async Task Bad_options_are_usage_errors(string option, string value, string says)
    {
        var e = await Assert.ThrowsAsync<UsageException>(() => DetectCommand.RunAsync(["--input", _dir.Path, "--out", Out, option, value], _timeout.Token));
        Assert.Contains(says, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_region_spec_scaled_to_the_picture_is_what_the_command_uses()
    {
        var spec = GateSpecLoader.Parse("""
            { "frameSize": [100, 100], "lines": [ { "id": "l", "a": [0, 50], "b": [100, 50], "insidePoint": [50, 90] } ],
              "detectRegion": [[10, 10], [90, 10], [90, 90], [10, 90]] }
            """, "g.json");
        var region = Agent.Pipeline.GatePipeline.RegionOf(spec.ScaledTo(200, 200))!;
        Assert.Equal(new OpenCvSharp.Rect(20, 20, 160, 160), region.Bounds);
    }
}
