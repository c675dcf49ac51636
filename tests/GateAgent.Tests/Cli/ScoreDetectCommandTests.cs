using System.Text.Json;
using GateWatch.Agent.Cli;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Cli;

/// <summary>
/// `score-detect` on a 3-image synthetic set (100x100 px) whose outcome is worked out by hand:
/// a.jpg: cars A1 [10,10,30,30], A2 [50,50,90,90]; car 0.9 on A1 (TP), car 0.6 on nothing (FP), car 0.4 on A2 (TP).
/// b.jpg: people P1 [10,10,20,40], P2 [40,10,50,40]; person 0.95 on nothing (FP), 0.8 on P1, 0.35 on P2 (TP); car 0.2 on nothing (FP).
/// c.jpg: cars C1 [0,0,40,40], C2 [60,60,100,100]; car 0.7 on C1 (TP), car 0.5 on C1 again (FP), bus 0.55 on C2 (FP; C2 missed).
/// </summary>
public sealed class ScoreDetectCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly string[] Detections =
    [
        """{"image":"a.jpg","width":100,"height":100,"detections":[{"class":"car","score":0.9,"box":[10,10,30,30]},{"class":"car","score":0.6,"box":[60,10,80,30]},{"class":"car","score":0.4,"box":[50,50,90,90]}]}""",
        """{"image":"b.jpg","width":100,"height":100,"detections":[{"class":"person","score":0.95,"box":[70,70,80,95]},{"class":"person","score":0.8,"box":[10,10,20,40]},{"class":"person","score":0.35,"box":[40,10,50,40]},{"class":"car","score":0.2,"box":[50,50,90,90]}]}""",
        """{"image":"c.jpg","width":100,"height":100,"detections":[{"class":"car","score":0.7,"box":[0,0,40,40]},{"class":"car","score":0.5,"box":[0,0,40,40]},{"class":"bus","score":0.55,"box":[60,60,100,100]}]}""",
    ];

    private static readonly Dictionary<string, string> YoloLabels = new()
    {
        ["a"] = "0 0.2 0.2 0.2 0.2\n0 0.7 0.7 0.4 0.4\n",
        ["b"] = "1 0.15 0.25 0.1 0.3\n1 0.45 0.25 0.1 0.3\n",
        ["c"] = "0 0.2 0.2 0.4 0.4\n0 0.8 0.8 0.4 0.4\n",
    };

    private const string Coco = """
        {
          "images": [ {"id": 1, "file_name": "a.jpg", "width": 100, "height": 100},
                      {"id": 2, "file_name": "b.jpg", "width": 100, "height": 100},
                      {"id": 3, "file_name": "c.jpg", "width": 100, "height": 100} ],
          "categories": [ {"id": 3, "name": "car"}, {"id": 1, "name": "person"}, {"id": 6, "name": "bus"} ],
          "annotations": [
            {"id": 1, "image_id": 1, "category_id": 3, "bbox": [10, 10, 20, 20]},
            {"id": 2, "image_id": 1, "category_id": 3, "bbox": [50, 50, 40, 40]},
            {"id": 3, "image_id": 2, "category_id": 1, "bbox": [10, 10, 10, 30]},
            {"id": 4, "image_id": 2, "category_id": 1, "bbox": [40, 10, 10, 30]},
            {"id": 5, "image_id": 3, "category_id": 3, "bbox": [0, 0, 40, 40]},
            {"id": 6, "image_id": 3, "category_id": 3, "bbox": [60, 60, 40, 40]}
          ]
        }
        """;

    private string WriteDetections(params string[] lines)
    {
        var path = _dir.File("detections.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>A YOLO set: labels/ with one file per image and classes.txt beside it, as in shared/data/vehicles.</summary>
    private string WriteYolo(IReadOnlyDictionary<string, string> labels, string classes = "car\nperson\nbus\n")
    {
        var dir = Directory.CreateDirectory(_dir.File("labels")).FullName;
        foreach (var (stem, text) in labels)
        {
            File.WriteAllText(Path.Combine(dir, stem + ".txt"), text);
        }

        File.WriteAllText(_dir.File("classes.txt"), classes);
        return dir;
    }

    private async Task<JsonElement> ScoreAsync(params string[] args)
    {
        var report = _dir.File("report.json");
        Assert.Equal(0, await ScoreDetectCommand.RunAsync([.. args, "--out", report]));
        return JsonDocument.Parse(File.ReadAllText(report)).RootElement;
    }

    private static JsonElement Row(JsonElement report, string cls) =>
        cls == "any" ? report.GetProperty("any") : report.GetProperty("classes").EnumerateArray().Single(c => c.GetProperty("class").GetString() == cls);

    private static (int Labels, int Detections, int Tp, int Fp, int Fn) Counts(JsonElement row) =>
        (row.GetProperty("labels").GetInt32(), row.GetProperty("detections").GetInt32(), row.GetProperty("truePositives").GetInt32(),
         row.GetProperty("falsePositives").GetInt32(), row.GetProperty("falseNegatives").GetInt32());

    private static double? Number(JsonElement row, string name) =>
        row.GetProperty(name).ValueKind == JsonValueKind.Null ? null : row.GetProperty(name).GetDouble();

    private static void AssertGolden(JsonElement report)
    {
        Assert.Equal(3, report.GetProperty("images").GetInt32());
        Assert.Equal(["person", "car", "bus"], report.GetProperty("classes").EnumerateArray().Select(c => c.GetProperty("class").GetString()));

        // Cars ranked 0.9 TP, 0.7 TP, 0.6 FP, 0.5 FP, 0.4 TP, 0.2 FP of 4: AP = 1/4 + 1/4 + 1/4 * 3/5.
        var car = Row(report, "car");
        Assert.Equal((4, 5, 3, 2, 1), Counts(car));
        Assert.Equal(0.6, Number(car, "precision")!.Value, 9);
        Assert.Equal(0.75, Number(car, "recall")!.Value, 9);
        Assert.Equal(13.0 / 20, Number(car, "ap50")!.Value, 9);

        // People ranked FP, TP, TP: the envelope lifts the first recall step to 2/3 (7/12 without it).
        var person = Row(report, "person");
        Assert.Equal((2, 3, 2, 1, 0), Counts(person));
        Assert.Equal(2.0 / 3, Number(person, "ap50")!.Value, 9);

        var bus = Row(report, "bus");
        Assert.Equal((0, 1, 0, 1, 0), Counts(bus));
        Assert.Equal(0, Number(bus, "precision"));
        Assert.Null(Number(bus, "recall"));
        Assert.Null(Number(bus, "ap50"));

        // Any class: the bus on C2 is a find; ranked FP T T T F T F T T F over 6 labels: AP = (3 * 3/4 + 3 * 2/3) / 6.
        var any = Row(report, "any");
        Assert.Equal((6, 9, 6, 3, 0), Counts(any));
        Assert.Equal(17.0 / 24, Number(any, "ap50")!.Value, 9);
        Assert.Equal(((13.0 / 20) + (2.0 / 3)) / 2, report.GetProperty("meanAp50").GetDouble(), 9);
    }

    [Fact]
    public async Task Yolo_golden_set_gives_the_hand_computed_counts_and_AP()
    {
        var labels = WriteYolo(YoloLabels);
        AssertGolden(await ScoreAsync("--detections", WriteDetections(Detections), "--labels", labels));
    }

    [Fact]
    public async Task Coco_labels_of_the_same_set_score_the_same()
    {
        var coco = _dir.File("instances.json");
        File.WriteAllText(coco, Coco);
        AssertGolden(await ScoreAsync("--detections", WriteDetections(Detections), "--labels", coco));
    }

    [Fact]
    public async Task Score_threshold_moves_precision_and_recall_but_not_AP()
    {
        var labels = WriteYolo(YoloLabels);
        var car = Row(await ScoreAsync("--detections", WriteDetections(Detections), "--labels", labels, "--score", "0.65"), "car");
        Assert.Equal((4, 2, 2, 0, 2), Counts(car));
        Assert.Equal(13.0 / 20, Number(car, "ap50")!.Value, 9);
    }

    [Fact]
    public async Task Map_renames_label_classes_and_counts_those_left_out()
    {
        var labels = WriteYolo(
            new Dictionary<string, string> { ["a"] = "0 0.15 0.25 0.1 0.3\n1 0.5 0.5 0.2 0.2\n2 0.9 0.1 0.1 0.1\n2 0.9 0.3 0.1 0.1\n" },
            classes: "pedestrian\ncycle\ntraffic_signs\n");
        var report = await ScoreAsync(
            "--detections", WriteDetections("""{"image":"a.jpg","width":100,"height":100,"detections":[{"class":"person","score":0.9,"box":[10,10,20,40]},{"class":"bicycle","score":0.9,"box":[40,40,60,60]}]}"""),
            "--labels", labels, "--map", "pedestrian=person,cycle=bicycle");

        Assert.Equal((1, 1, 1, 0, 0), Counts(Row(report, "person")));
        Assert.Equal((1, 1, 1, 0, 0), Counts(Row(report, "bicycle")));
        Assert.Equal("""{"traffic_signs":2}""", report.GetProperty("ignoredLabelClasses").GetRawText().Replace(" ", "").Replace("\n", ""));
    }

    [Fact]
    public async Task Without_map_a_label_class_that_is_no_product_class_is_left_out()
    {
        var labels = WriteYolo(new Dictionary<string, string> { ["a"] = "0 0.15 0.25 0.1 0.3\n" }, classes: "pedestrian\n");
        var report = await ScoreAsync(
            "--detections", WriteDetections("""{"image":"a.jpg","width":100,"height":100,"detections":[{"class":"person","score":0.9,"box":[10,10,20,40]}]}"""),
            "--labels", labels);
        Assert.Equal((0, 1, 0, 1, 0), Counts(Row(report, "person")));
        Assert.Equal(1, report.GetProperty("ignoredLabelClasses").GetProperty("pedestrian").GetInt32());
    }

    [Theory]
    [InlineData("pedestrian", "--map: 'pedestrian' is not label=product")]
    [InlineData("pedestrian=human", "--map: 'human' is not a product class")]
    [InlineData("pedestrain=person", "--map: ")]
    public async Task Bad_map_is_a_command_line_error(string map, string message)
    {
        var labels = WriteYolo(YoloLabels, classes: "car\npedestrian\nbus\n");
        var e = await Assert.ThrowsAsync<UsageException>(() =>
            ScoreDetectCommand.RunAsync(["--detections", WriteDetections(Detections), "--labels", labels, "--map", map]));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Min_height_makes_short_labels_dont_care_both_ways()
    {
        // a.jpg: a 40 px car found, a 10 px car found, a 10 px car missed. Only the 40 px one counts at --min-height 20.
        var labels = WriteYolo(new Dictionary<string, string> { ["a"] = "0 0.2 0.2 0.2 0.4\n0 0.6 0.1 0.1 0.1\n0 0.8 0.1 0.1 0.1\n" });
        var detections = WriteDetections(
            """{"image":"a.jpg","width":100,"height":100,"detections":[{"class":"car","score":0.9,"box":[10,0,30,40]},{"class":"car","score":0.8,"box":[55,5,65,15]}]}""");

        var without = Row(await ScoreAsync("--detections", detections, "--labels", labels), "car");
        Assert.Equal((3, 2, 2, 0, 1), Counts(without));

        var report = await ScoreAsync("--detections", detections, "--labels", labels, "--min-height", "20");
        var car = Row(report, "car");
        Assert.Equal((1, 1, 1, 0, 0), Counts(car));
        Assert.Equal(1, car.GetProperty("ignored").GetInt32());
        Assert.Equal(1.0, Number(car, "ap50"));
        Assert.Equal(2, report.GetProperty("dontCareLabels").GetInt32());
    }

    [Fact]
    public async Task An_image_with_labels_and_no_detections_line_is_all_misses()
    {
        var labels = WriteYolo(YoloLabels);
        var report = await ScoreAsync("--detections", WriteDetections(Detections[0], Detections[1]), "--labels", labels);
        Assert.Equal((4, 3, 2, 1, 2), Counts(Row(report, "car")));
        Assert.Contains("label files with no line", Assert.Single(report.GetProperty("warnings").EnumerateArray()).GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_without_a_label_file_is_an_error_naming_the_detections_line_and_nothing_is_written()
    {
        var labels = WriteYolo(YoloLabels);
        var detections = WriteDetections(Detections[0], """{"image":"d.jpg","width":100,"height":100,"detections":[]}""");
        var report = _dir.File("report.json");
        var e = await Assert.ThrowsAsync<FormatException>(() =>
            ScoreDetectCommand.RunAsync(["--detections", detections, "--labels", labels, "--out", report]));
        Assert.StartsWith($"{detections}:2: image d.jpg has no label file", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.Path, "*report*"));
    }

    [Fact]
    public async Task A_bad_label_file_is_an_error_naming_it_and_its_line()
    {
        var labels = WriteYolo(new Dictionary<string, string>(YoloLabels) { ["b"] = "1 0.15 0.25 0.1 0.3\n7 0.45 0.25 0.1 0.3\n" });
        var e = await Assert.ThrowsAsync<FormatException>(() =>
            ScoreDetectCommand.RunAsync(["--detections", WriteDetections(Detections), "--labels", labels]));
        Assert.Equal($"{Path.Combine(labels, "b.txt")}:2: class id 7 is not in the class list (ids 0-2)", e.Message);
    }

    [Fact]
    public async Task Missing_class_list_or_labels_are_command_line_errors()
    {
        var labels = WriteYolo(YoloLabels);
        File.Delete(_dir.File("classes.txt"));
        var e = await Assert.ThrowsAsync<UsageException>(() =>
            ScoreDetectCommand.RunAsync(["--detections", WriteDetections(Detections), "--labels", labels]));
        Assert.Contains("--classes", e.Message, StringComparison.Ordinal);

        File.WriteAllText(_dir.File("names.txt"), "car\nperson\nbus\n");
        Assert.Equal(0, await ScoreDetectCommand.RunAsync(["--detections", WriteDetections(Detections), "--labels", labels, "--classes", _dir.File("names.txt")]));

        await Assert.ThrowsAsync<UsageException>(() =>
            ScoreDetectCommand.RunAsync(["--detections", WriteDetections(Detections), "--labels", _dir.File("nowhere")]));
        await Assert.ThrowsAsync<UsageException>(() =>
            ScoreDetectCommand.RunAsync(["--detections", WriteDetections(Detections), "--labels", labels, "--score", "1.5"]));
    }
}
