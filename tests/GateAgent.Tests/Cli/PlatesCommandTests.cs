using System.Text.Json;
using GateWatch.Agent.Cli;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Plates;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Cli;

/// <summary>`plates` end to end with the real PP-OCRv4 models (models/get-plates.sh fetches them; setup.sh runs it).</summary>
public sealed class PlatesCommandTests : IDisposable
{
    private const string EuPhoto = "../shared/data/plates/openalpr-eu/eu1.jpg";

    private readonly TempDir _dir = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));

    public void Dispose()
    {
        _timeout.Dispose();
        _dir.Dispose();
    }

    private string Out => _dir.File("reads.jsonl");

    [RequiresFileFact(EuPhoto)]
    public async Task A_photo_gives_one_line_with_the_plate_first_and_its_box_on_the_plate()
    {
        var code = await PlatesCommand.RunAsync(["--input", TestPaths.Resolve(EuPhoto), "--out", Out, "--region", "any"], _timeout.Token);

        Assert.Equal(0, code);
        var line = JsonDocument.Parse(File.ReadAllLines(Out).Single()).RootElement;
        Assert.Equal("eu1.jpg", line.GetProperty("image").GetString());
        var top = line.GetProperty("plates")[0];
        Assert.Equal("M5XSX", top.GetProperty("text").GetString());
        var box = top.GetProperty("box").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        // The labelled plate is at x 396-599, y 340-386 (truth.tsv): the read's box lies on it.
        Assert.InRange((box[0] + box[2]) / 2, 396, 599);
        Assert.InRange((box[1] + box[3]) / 2, 340, 386);
        Assert.InRange(top.GetProperty("confidence").GetDouble(), 0.5, 1);
    }

    [Fact]
    public async Task A_picture_without_text_has_a_line_with_no_plates()
    {
        var input = Directory.CreateDirectory(_dir.File("in")).FullName;
        using (var grey = new OpenCvSharp.Mat(240, 320, OpenCvSharp.MatType.CV_8UC3, new OpenCvSharp.Scalar(90, 120, 90)))
        {
            OpenCvSharp.Cv2.ImWrite(Path.Combine(input, "wall.png"), grey);
        }

        Assert.Equal(0, await PlatesCommand.RunAsync(["--input", input, "--out", Out], _timeout.Token));
        Assert.Equal("""{"image":"wall.png","plates":[]}""", File.ReadAllText(Out).Trim());
    }

    [Fact]
    public async Task A_file_that_is_not_an_image_is_named_and_nothing_is_written()
    {
        var input = Directory.CreateDirectory(_dir.File("in")).FullName;
        File.WriteAllText(Path.Combine(input, "broken.jpg"), "not a jpeg");

        var e = await Assert.ThrowsAsync<FormatException>(() => PlatesCommand.RunAsync(["--input", input, "--out", Out], _timeout.Token));

        Assert.Contains("broken.jpg", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Out));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public async Task Missing_or_altered_models_are_refused_with_the_file_and_the_remedy()
    {
        var models = Directory.CreateDirectory(_dir.File("models")).FullName;
        var image = _dir.File("x.png");
        using (var grey = new OpenCvSharp.Mat(32, 32, OpenCvSharp.MatType.CV_8UC3, OpenCvSharp.Scalar.All(0)))
        {
            OpenCvSharp.Cv2.ImWrite(image, grey);
        }

        var missing = await Assert.ThrowsAsync<ModelException>(() => PlatesCommand.RunAsync(["--input", image, "--out", Out, "--plate-models", models], _timeout.Token));
        Assert.Contains(PlateModels.DetectorFile, missing.Message, StringComparison.Ordinal);
        Assert.Contains("get-plates.sh", missing.Message, StringComparison.Ordinal);

        foreach (var f in new[] { PlateModels.DetectorFile, PlateModels.RecognizerFile, PlateModels.DictionaryFile })
        {
            File.Copy(Path.Combine(PlateModels.DefaultDirectory, f), Path.Combine(models, f));
        }

        await using (var rec = File.OpenWrite(Path.Combine(models, PlateModels.RecognizerFile)))
        {
            rec.Seek(1000, SeekOrigin.Begin);
            rec.WriteByte(0x5a);
        }

        var altered = await Assert.ThrowsAsync<ModelException>(() => PlatesCommand.RunAsync(["--input", image, "--out", Out, "--plate-models", models], _timeout.Token));
        Assert.Contains(PlateModels.RecognizerFile, altered.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", altered.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Out));
    }

    [Fact]
    public async Task An_unknown_region_is_a_usage_error() =>
        await Assert.ThrowsAsync<UsageException>(() => PlatesCommand.RunAsync(["--input", "x.jpg", "--out", Out, "--region", "fr"], _timeout.Token));
}
