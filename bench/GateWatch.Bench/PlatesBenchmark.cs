using System.Diagnostics;
using System.Globalization;
using GateWatch.Agent.Cli;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Plates;
using OpenCvSharp;

namespace GateWatch.Bench;

/// <summary>
/// What reading plates costs: milliseconds per read on plate crops and on whole vehicle photos (what a lane
/// camera's vehicle view is like), against one inference of the detector measured in the same run, and the CPU a
/// camera adds at a vehicle every few seconds, each read from the agent's three views.
/// </summary>
internal static class PlatesBenchmark
{
    public const string Usage = """
        GateWatch.Bench plates [options]
          --crops DIR        plate crops (default: ../shared/data/plates/vn-crops)
          --photos DIR       vehicle photos (default: ../shared/data/plates/openalpr-br)
          --every S          a vehicle every S seconds per camera, for the added CPU (default 5)
        """;

    /// <summary>A car approaching a lane camera: its longer side in a 1280x720 frame over the last views before the line.</summary>
    private static readonly int[] ViewSides = [480, 440, 400];

    public static Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var cl = CommandLine.Parse(args, new HashSet<string> { "--crops", "--photos", "--every" }, new HashSet<string>());
        var root = RepoPaths.FindRoot();
        var crops = cl.Get("--crops") ?? Path.Combine(root, "..", "shared", "data", "plates", "vn-crops");
        var photos = cl.Get("--photos") ?? Path.Combine(root, "..", "shared", "data", "plates", "openalpr-br");
        var every = cl.GetInt("--every", 5, 1, 3600);
        using var reader = PlateReader.Load(Path.Combine(root, "models", "ppocr"), threads: 1);
        using var detector = Detectors.Load(Path.Combine(root, "models", ModelFile.DefaultName), new DetectorOptions());

        var crop = Time(reader, crops, PlateRegion.Vietnam);
        var photo = Time(reader, photos, PlateRegion.Any);
        var (vehicle, views, right) = TimeVehicles(reader, photos);

        // The reference: the detector's one inference, the unit of the agent's per-frame work.
        using (var first = Cv2.ImRead(Directory.GetFiles(photos, "*.jpg").Order(StringComparer.Ordinal).First()))
        {
            detector.Preprocess(first);
        }

        for (var i = 0; i < 5; i++)
        {
            detector.InferOnly();
        }

        var clock = Stopwatch.StartNew();
        const int Runs = 50;
        for (var i = 0; i < Runs; i++)
        {
            detector.InferOnly();
        }

        var inferMs = clock.Elapsed.TotalMilliseconds / Runs;
        var ic = CultureInfo.InvariantCulture;
        Console.WriteLine($"plate reader: PP-OCRv4 mobile det + rec, 1 thread; detector {detector.Name}, 1 thread");
        Console.WriteLine(string.Format(ic, "reference: one detector inference {0:0.0} ms", inferMs));
        Console.WriteLine("| pictures | n | median ms / read | mean ms / read | / one inference |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (what, t) in new[] { ($"plate crops ({crops})", crop), ($"vehicle photos ({photos}), as they are", photo), ("the same, as a vehicle's views of 480, 440, 400 px read as the agent does", vehicle) })
        {
            Console.WriteLine(string.Format(ic, "| {0} | {1} | {2:0} | {3:0} | {4:0.0} |", what, t.Count, Median(t), t.Average(), Median(t) / inferMs));
        }

        // A vehicle is read once, when it crosses, from its best view, and from the next ones only while unsure.
        var perVehicle = vehicle.Average();
        Console.WriteLine(string.Format(ic,
            "a vehicle every {0} s: {1:0} ms of CPU per vehicle (mean, {2:0.00} views read of {3}), {4:0.0} % of one core per camera ({5:0.00} detector inferences' worth per second)",
            every, perVehicle, views, PlateViews.DefaultKeep, perVehicle / (every * 1000.0) * 100, perVehicle / every / inferMs));
        if (right >= 0)
        {
            Console.WriteLine(string.Format(ic, "read right (folded, against {0}/truth.tsv) at those view sizes: {1} of {2} ({3:P1})", photos, right, vehicle.Count, (double)right / vehicle.Count));
        }
        return Task.FromResult(0);
    }

    private static List<double> Time(PlateReader reader, string folder, PlateRegion region)
    {
        var files = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new BenchException($"{folder}: no JPEG pictures");
        }

        Console.Error.WriteLine($"reading {files.Count} pictures in {folder}");
        var times = new List<double>();
        foreach (var f in files)
        {
            using var picture = Cv2.ImRead(f);
            var clock = Stopwatch.StartNew();
            reader.Read(picture, region);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        // The first read pays ONNX Runtime's warm-up; it is not what a running agent pays.
        times.RemoveAt(0);
        return times;
    }

    /// <summary>
    /// Each photo as the views a lane camera's agent keeps of a car approaching (the longer side 480, 440 and 400 px:
    /// a car in a 1280x720 frame), read the way PlateStage reads them: best first, stopping at a sure read.
    /// </summary>
    private static (List<double> Times, double ViewsRead, int Right) TimeVehicles(PlateReader reader, string folder)
    {
        var truthFile = Path.Combine(folder, "truth.tsv");
        var truth = File.Exists(truthFile) ? Agent.Eval.PlateScorer.LoadTruth(truthFile).ToDictionary(t => t.Image, t => t.Plate) : null;
        var times = new List<double>();
        var read = 0;
        var right = 0;
        foreach (var f in Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal))
        {
            using var photo = Cv2.ImRead(f);
            var views = ViewSides.Select(side =>
            {
                var scale = (double)side / Math.Max(photo.Width, photo.Height);
                var v = new Mat();
                Cv2.Resize(photo, v, new Size((int)(photo.Width * scale), (int)(photo.Height * scale)), 0, 0, InterpolationFlags.Area);
                return v;
            }).ToList();
            var clock = Stopwatch.StartNew();
            var reads = new List<PlateRead?>();
            foreach (var v in views)
            {
                read++;
                reads.Add(reader.Read(v, PlateRegion.Any).FirstOrDefault());
                if (reads[^1] is { Valid: true, Confidence: >= PlateStage.SureRead })
                {
                    break;
                }
            }

            times.Add(clock.Elapsed.TotalMilliseconds);
            if (truth?.GetValueOrDefault(Path.GetFileName(f)) is { } plate
                && Agent.Eval.PlateScorer.Fold(PlateVote.Decide(reads).Text) == Agent.Eval.PlateScorer.Fold(plate))
            {
                right++;
            }
            views.ForEach(v => v.Dispose());
        }

        return (times, (double)read / times.Count, truth is null ? -1 : right);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
