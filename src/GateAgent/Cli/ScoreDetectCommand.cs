using System.Globalization;
using System.Text.Json;
using GateWatch.Agent.Eval;
using Spectre.Console;

namespace GateWatch.Agent.Cli;

/// <summary>`score-detect`: the detector's output against a park's own annotated frames (YOLO or COCO labels).</summary>
internal static class ScoreDetectCommand
{
    public const string Usage = """
        GateAgent score-detect --detections D.jsonl --labels YOLO_DIR|COCO.json [options]
          per-class precision and recall at a score threshold, and AP at IoU 0.5 over all scores, of detect's
          output against annotated images; the row "any" matches any detected class to any labelled class.
          YOLO boxes are scaled by each detections line's width and height; an image with labels and no
          detections line is all misses (a warning), one with a detections line and no labels an error
          --classes FILE       YOLO class names, one per line, 0-based (default: classes.txt in the
                               labels folder or its parent)
          --map a=b,...        score label class a as product class b (pedestrian=person,cycle=bicycle);
                               label classes that are no product class are left out (counted in the report)
          --min-height PX      label boxes shorter than PX pixels are don't-care: not a miss when nothing
                               finds them, not a false positive for a detection on them
          --score S            score threshold for precision and recall (default 0.3)
          --out REPORT.json    also write the table as JSON
        """;

    private const double DefaultScore = 0.3;

    private static readonly HashSet<string> Options = ["--detections", "--labels", "--classes", "--map", "--min-height", "--score", "--out"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var cl = CommandLine.Parse(args, Options, new HashSet<string>());
        var detections = ExistingFile(cl.Require("--detections"));
        var labels = cl.Require("--labels");
        var score = GetDouble(cl, "--score", 0, 1) ?? DefaultScore;
        var minHeight = GetDouble(cl, "--min-height", 0, double.MaxValue);
        Dictionary<string, string> map;
        try
        {
            map = LabelRules.ParseMap(cl.Get("--map"));
        }
        catch (FormatException e)
        {
            throw new UsageException($"--map: {e.Message}");
        }

        var rules = new LabelRules(map, minHeight);
        var outPath = cl.Get("--out");
        await using var outputs = new OutputFiles();
        var report = outPath is null ? null : outputs.Create(outPath); // a bad --out folder is refused before the work

        DetectionDataset dataset;
        if (Directory.Exists(labels))
        {
            var classes = ExistingFile(cl.Get("--classes") ?? FindClasses(labels));
            var names = DetectionFiles.ParseClassNames(File.ReadAllText(classes), classes);
            CheckMapped(map, names, classes);
            dataset = DetectionDatasetLoader.LoadYolo(detections, labels, names, rules);
        }
        else if (File.Exists(labels) && labels.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            if (cl.Has("--classes"))
            {
                throw new UsageException("--classes is for YOLO labels; a COCO file names its own categories");
            }

            var coco = DetectionFiles.ParseCoco(File.ReadAllText(labels), labels);
            CheckMapped(map, coco.Categories, labels);
            dataset = DetectionDatasetLoader.LoadCoco(detections, labels, coco, rules);
        }
        else
        {
            throw new UsageException($"--labels {labels}: neither a folder of YOLO label files nor a COCO .json file");
        }

        foreach (var w in dataset.Warnings)
        {
            Console.Error.WriteLine($"warning: {w}");
        }

        var scores = DetectionScorer.Score(dataset.Images, score);
        Print(scores, dataset, score);
        if (report is not null)
        {
            await report.WriteAsync(JsonSerializer.Serialize(new
            {
                detections,
                labels,
                iou = DetectionScorer.IouThreshold,
                score,
                minHeight,
                images = dataset.Images.Count,
                dontCareLabels = dataset.DontCare,
                ignoredLabelClasses = dataset.IgnoredClasses,
                classes = scores.Classes,
                any = scores.Any,
                meanAp50 = scores.MeanAp50,
                warnings = dataset.Warnings,
            }, Json)).ConfigureAwait(false);
            await outputs.CommitAsync().ConfigureAwait(false);
        }

        return 0;
    }

    private static void Print(DetectionReport scores, DetectionDataset dataset, double threshold)
    {
        static string F(double? v) => v is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "-";
        var t = new Table().Title($"Detector at IoU {DetectionScorer.IouThreshold}, {dataset.Images.Count} images")
            .AddColumns("class", "labels", $"detected\n>={threshold}", "TP", "FP", "FN", "precision", "recall", "AP50");
        foreach (var r in scores.Classes.Append(scores.Any))
        {
            t.AddRow(Markup.Escape(r.Class), r.Labels.ToString(), r.Detections.ToString(), r.TruePositives.ToString(),
                r.FalsePositives.ToString(), r.FalseNegatives.ToString(), F(r.Precision), F(r.Recall), F(r.Ap50));
        }

        AnsiConsole.Write(t);
        AnsiConsole.WriteLine($"mean AP50 over classes with labels: {F(scores.MeanAp50)}");
        if (dataset.DontCare > 0)
        {
            AnsiConsole.WriteLine($"{dataset.DontCare} label boxes were don't-care (below --min-height, or COCO iscrowd)");
        }

        if (dataset.IgnoredClasses.Count > 0)
        {
            AnsiConsole.WriteLine("left out, no product class: " +
                string.Join(", ", dataset.IgnoredClasses.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}")) +
                " boxes (see --map)");
        }
    }

    /// <summary>A --map entry for a class the labels do not have is a typo that would silently score nothing.</summary>
    private static void CheckMapped(Dictionary<string, string> map, IReadOnlyCollection<string> labelClasses, string source)
    {
        if (map.Keys.FirstOrDefault(k => !labelClasses.Contains(k)) is { } unknown)
        {
            throw new UsageException($"--map: {source} has no class '{unknown}' (it has {string.Join(", ", labelClasses)})");
        }
    }

    private static string FindClasses(string labelsDir)
    {
        var here = Path.Combine(labelsDir, "classes.txt");
        var parent = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(labelsDir).TrimEnd(Path.DirectorySeparatorChar))!, "classes.txt");
        return File.Exists(here) ? here
            : File.Exists(parent) ? parent
            : throw new UsageException($"no classes.txt in {labelsDir} or its parent: name the class list with --classes");
    }

    private static string ExistingFile(string path) => File.Exists(path) ? path : throw new UsageException($"{path}: no such file");

    private static double? GetDouble(CommandLine cl, string name, double min, double max)
    {
        if (cl.Get(name) is not { } text)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new UsageException($"{name} must be a number from {min} to {(max == double.MaxValue ? "up" : max)}, got '{text}'");
    }
}
