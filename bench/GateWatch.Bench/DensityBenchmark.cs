using System.Diagnostics;
using System.Globalization;
using GateWatch.Agent.Cli;
using GateWatch.Agent.Crowd;
using GateWatch.Agent.Detect;
using OpenCvSharp;

namespace GateWatch.Bench;

/// <summary>
/// What a crowd estimate costs: milliseconds per 1024x768 picture (ShanghaiTech B's size) and per 1280x720 frame on
/// 1 and 2 threads, against one inference of the detector measured in the same run, and the share of a core a
/// camera gives it at one estimate every densitySeconds.
/// </summary>
internal static class DensityBenchmark
{
    public const string Usage = """
        GateWatch.Bench density [options]
          --pictures DIR     crowd pictures (default: ../shared/data/crowd/shanghaitech-partB-test/images)
          --runs N           estimates per size and thread count (default 20)
          --every S          one estimate every S seconds per camera, for the share of a core (default 2)
        """;

    public static Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var cl = CommandLine.Parse(args, new HashSet<string> { "--pictures", "--runs", "--every" }, new HashSet<string>());
        var root = RepoPaths.FindRoot();
        var folder = cl.Get("--pictures") ?? Path.Combine(root, "..", "shared", "data", "crowd", "shanghaitech-partB-test", "images");
        var runs = cl.GetInt("--runs", 20, 2, 10_000);
        var every = cl.GetInt("--every", 2, 1, 3600);
        var file = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).FirstOrDefault()
            ?? throw new BenchException($"{folder}: no JPEG pictures");
        using var picture = Cv2.ImRead(file);
        using var frame = picture.Resize(new Size(1280, 720));
        // The agent's analysis frame, 640 wide: a sparse scene costs one estimate, a dense crowd two (the second look).
        using var analysis = picture.Resize(new Size(640, 480), 0, 0, InterpolationFlags.Area);
        using var dense = DensePicture(folder);

        var ic = CultureInfo.InvariantCulture;
        var inferMs = DetectorInference(picture, runs);
        Console.WriteLine(string.Format(ic, "reference: one detector inference ({0}, 640x384, 1 thread) {1:0.0} ms", ModelFile.DefaultName, inferMs));
        Console.WriteLine("| picture | threads | median ms / estimate | / one inference | share of one core at one estimate every " + every + " s |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var threads in new[] { 1, 2 })
        {
            using var counter = DensityCounter.Load(Path.Combine(root, "models", DensityCounter.DefaultName), threads);
            foreach (var (what, mat) in new[]
            {
                ($"{picture.Width}x{picture.Height} ({Path.GetFileName(file)})", picture),
                ("1280x720 (the same, resized)", frame),
                ("640x480 (the same, resized: the agent's analysis frame)", analysis),
                ("640x480 dense crowd (looked at twice: 640 and 1024 wide)", dense),
            })
            {
                var ms = Median(Time(() => counter.Estimate(mat), runs));
                Console.WriteLine(string.Format(ic, "| {0} | {1} | {2:0} | {3:0.0} | {4:0.0} % |", what, threads, ms, ms / inferMs, ms * threads / (every * 1000.0) * 100));
            }
        }

        return Task.FromResult(0);
    }

    /// <summary>The folder's picture with the most estimated people, at 640x480: one that takes the dense second look.</summary>
    private static Mat DensePicture(string folder)
    {
        var root = RepoPaths.FindRoot();
        using var counter = DensityCounter.Load(Path.Combine(root, "models", DensityCounter.DefaultName), 2);
        Mat? best = null;
        var most = -1.0;
        foreach (var path in Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).Take(40))
        {
            using var p = Cv2.ImRead(path);
            var small = p.Resize(new Size(640, 480), 0, 0, InterpolationFlags.Area);
            var n = counter.Estimate(small).Total();
            if (n > most)
            {
                best?.Dispose();
                (best, most) = (small, n);
            }
            else
            {
                small.Dispose();
            }
        }

        return most >= DensityCounter.DenseRecheck ? best! : throw new BenchException($"{folder}: no picture dense enough for the second look");
    }

    private static double DetectorInference(Mat picture, int runs)
    {
        var root = RepoPaths.FindRoot();
        using var detector = Detectors.Load(Path.Combine(root, "models", ModelFile.DefaultName), new DetectorOptions());
        detector.Preprocess(picture);
        return Median(Time(detector.InferOnly, runs));
    }

    private static List<double> Time(Action work, int runs)
    {
        // Two warm-up runs: ONNX Runtime's first calls allocate and pick kernels, which a running agent has done.
        work();
        work();
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            work();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return times;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
