using System.Globalization;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Cli;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;

namespace GateWatch.Bench;

/// <summary>
/// What tiling costs on a busy 720p street: the pipeline over a clip made of real street frames, every frame a
/// new picture full of road users, with tiling off and on, against bare inference and ffmpeg decoding measured
/// in the same run.
/// </summary>
internal static class TilingBenchmark
{
    public const string Usage = """
        GateWatch.Bench tiling [options]
          --images DIR       street frames (default: ../shared/data/vehicles/kathmandu-road-np/images)
          --model FILE       detector (default: models/yolox_nano_640x384.onnx)
          --threads N        detector threads (default 1)
        """;

    /// <summary>Lines across the frame's lower half so the gate stage does its usual work; nothing here is scored.</summary>
    private const string Gate = """
        { "frameSize": [1280, 720], "fps": 5,
          "lines": [ { "id": "road", "a": [0, 560], "b": [1280, 560], "insidePoint": [640, 700] } ] }
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var cl = CommandLine.Parse(args, new HashSet<string> { "--images", "--model", "--threads" }, new HashSet<string>());
        var root = RepoPaths.FindRoot();
        var images = cl.Get("--images") ?? Path.Combine(root, "..", "shared", "data", "vehicles", "kathmandu-road-np", "images");
        var model = cl.Get("--model") ?? Path.Combine(root, "models", ModelFile.DefaultName);
        var threads = cl.GetInt("--threads", 1, 1, 16);
        if (!Directory.Exists(images) || Directory.GetFiles(images, "*.jpg").Length == 0)
        {
            throw new BenchException($"{images}: no JPEG street frames; pass --images DIR");
        }

        var temp = Directory.CreateTempSubdirectory("gatewatch-tiling-");
        try
        {
            var clip = Path.Combine(temp.FullName, "street.mp4");
            Console.Error.WriteLine($"making a 1280x720 clip of {images}/*.jpg");
            await FfmpegCli.RunAsync(
                ["-hide_banner", "-nostats", "-loglevel", "error", "-framerate", "5", "-pattern_type", "glob", "-i", Path.Combine(images, "*.jpg"),
                 "-vf", "scale=1280:720", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10", clip],
                sink: null, ct).ConfigureAwait(false);
            var info = await VideoProbe.ProbeAsync(clip, ct).ConfigureAwait(false);
            var spec = GateSpecLoader.Parse(Gate, "(tiling bench gate)");
            using var detector = Detectors.Load(model, new DetectorOptions { Threads = threads });
            using var first = await ThroughputBenchmark.FirstFrameAsync(clip, info, ct).ConfigureAwait(false);

            var decode = await ThroughputBenchmark.DecodeAsync(clip, info, threads, ct).ConfigureAwait(false);
            var infer = ThroughputBenchmark.Infer(detector, first, threads, 50);
            await ThroughputBenchmark.RunPipelineAsync(clip, info, spec, 5, detector, threads, gating: false, ct, TilingMode.Off).ConfigureAwait(false);
            var off = await ThroughputBenchmark.RunPipelineAsync(clip, info, spec, 5, detector, threads, gating: false, ct, TilingMode.Off).ConfigureAwait(false);
            var on = await ThroughputBenchmark.RunPipelineAsync(clip, info, spec, 5, detector, threads, gating: false, ct, TilingMode.Auto).ConfigureAwait(false);
            var gated = await ThroughputBenchmark.RunPipelineAsync(clip, info, spec, 5, detector, threads, gating: true, ct, TilingMode.Auto).ConfigureAwait(false);

            var ic = CultureInfo.InvariantCulture;
            string Row(string what, Agent.Pipeline.AnalysisStats s) => string.Format(
                ic, "| {0} | {1:0.0} | {2:0.00} | {3:0.0} | {4:0.00} | {5:0.00} |",
                what, s.FramesPerSecond, (double)s.Views / Math.Max(1, s.Frames), s.DetectMs / Math.Max(1, s.Frames),
                s.FramesPerSecond / infer.PerSecond, s.FramesPerSecond / decode.FramesPerSecond);
            Console.WriteLine($"clip: {info.FrameCount} frames {info.Width}x{info.Height} from {images}; model {detector.Name}; {threads} thread(s)");
            Console.WriteLine(string.Format(ic, "references: ffmpeg decode {0:0.0} frames/s; bare inference {1:0.0}/s ({2:0.0} ms)", decode.FramesPerSecond, infer.PerSecond, infer.InferenceMs));
            Console.WriteLine("| pipeline, every frame a new street | frames/s | model views / frame | detect ms / frame | / bare inference | / decode |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            Console.WriteLine(Row("tiling off (whole frame letterboxed)", off));
            Console.WriteLine(Row("tiling auto (whole + 2x2 tiles)", on));
            Console.WriteLine(Row("tiling auto, motion gating on: the agent live (whole view + 1 tile in turn)", gated));
            Console.WriteLine(string.Format(ic, "tiling costs {0:0.00}x the detect time of one whole-frame view on this busy scene", on.DetectMs / Math.Max(1e-9, off.DetectMs)));
            return 0;
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }
}
