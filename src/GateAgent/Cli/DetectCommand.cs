using System.Text;
using System.Text.Json;
using GateWatch.Agent.Annotate;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Pipeline;
using OpenCvSharp;

namespace GateWatch.Agent.Cli;

/// <summary>
/// `detect`: the agent's detection stage (views, merging, riders, thresholds) on stills or a video, one JSON line
/// per picture, so what the detector sees can be checked against a park's own labels with score-detect.
/// </summary>
internal static class DetectCommand
{
    public const string Usage = """
        GateAgent detect --input IMAGE|DIR|VIDEO --out DETECTIONS.jsonl [options]
          --gate SPEC.json     use the spec's detectRegion (scaled from its frameSize to each picture)
          --annotate DIR       also write each picture with its boxes drawn in
          --min-score S        report from this score: one number, or per class over the default 0.5
                               ("person=0.6,motorcycle=0.4"); 0.05 for score-detect's AP
          --tiling MODE        auto (default: tiles when the region shrinks below 0.6x in the model), on, off
          --every N            video: analyse every Nth frame (default 1)
          --threads N          detector threads (default 1)
          --model FILE         detector model (default: the shipped models/yolox_nano_640x384.onnx)
        """;

    private static readonly HashSet<string> Options = ["--input", "--out", "--gate", "--annotate", "--min-score", "--tiling", "--every", "--threads", "--model"];

    /// <summary>Frames decoded ahead of the detector: enough to cover ffmpeg's bursts, few enough to bound memory at 1080p.</summary>
    private const int FrameQueue = 4;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var cl = CommandLine.Parse(args, Options, new HashSet<string>());
        var input = cl.Require("--input");
        var outPath = cl.Require("--out");
        var threads = cl.GetInt("--threads", 1, 1, Environment.ProcessorCount * 4);
        var every = cl.GetInt("--every", 1, 1, 10_000);
        var thresholds = ScoreThresholds.Default;
        if (cl.Get("--min-score") is { } ms)
        {
            try
            {
                thresholds = ScoreThresholds.Parse(ms);
            }
            catch (FormatException e)
            {
                throw new UsageException($"--min-score: {e.Message}");
            }
        }

        var tiling = cl.Get("--tiling") switch
        {
            null or "auto" => TilingMode.Auto,
            "on" => TilingMode.On,
            "off" => TilingMode.Off,
            var t => throw new UsageException($"--tiling must be auto, on or off, got '{t}'"),
        };
        var spec = cl.Get("--gate") is { } g ? GateSpecLoader.Load(g) : null;
        var annotate = cl.Get("--annotate");

        var detectorOptions = new DetectorOptions { Threads = threads, MinScore = Math.Min(0.1f, MinOf(thresholds)) };
        using var model = Detectors.Load(cl.Get("--model") ?? ModelFile.DefaultPath, detectorOptions);
        var scene = new SceneDetector(model, new SceneOptions { Tiling = new TilingOptions { Mode = tiling } });
        var run = new Run(scene, spec, thresholds, annotate);

        await using var outputs = new OutputFiles();
        var writer = outputs.Create(outPath);
        if (Directory.Exists(input))
        {
            var images = ImageInputs.FromFolder(input);
            foreach (var (image, name) in images)
            {
                ct.ThrowIfCancellationRequested();
                await run.ImageAsync(writer, image, name).ConfigureAwait(false);
            }
        }
        else if (File.Exists(input) && ImageInputs.IsImage(input))
        {
            await run.ImageAsync(writer, input, Path.GetFileName(input)).ConfigureAwait(false);
        }
        else if (File.Exists(input))
        {
            await run.VideoAsync(writer, input, every, ct).ConfigureAwait(false);
        }
        else
        {
            throw new UsageException($"{input}: no such file or folder");
        }

        await outputs.CommitAsync().ConfigureAwait(false);
        Console.Error.WriteLine($"{run.Pictures} pictures, {run.Found} detections ({model.Name}, {run.Views} model views): {outPath}");
        return 0;
    }

    private static float MinOf(ScoreThresholds t) => Enum.GetValues<ObjectClass>().Min(c => t[c]);

    /// <summary>One detect run's state: the stage, the region per picture size, the counters for the summary line.</summary>
    private sealed class Run(SceneDetector scene, GateSpec? spec, ScoreThresholds thresholds, string? annotate)
    {
        private readonly Dictionary<(int, int), DetectionRegion?> _regions = [];

        public int Pictures { get; private set; }

        public long Found { get; private set; }

        public long Views { get; private set; }

        public async Task ImageAsync(StreamWriter writer, string path, string name)
        {
            using var image = ImageInputs.Read(path);

            var detections = Detect(image, path);
            await writer.WriteLineAsync(Json(name, null, image, detections)).ConfigureAwait(false);
            if (annotate is not null)
            {
                Draw(image, detections, Path.Combine(annotate, name));
            }
        }

        public Task VideoAsync(StreamWriter writer, string path, int every, CancellationToken ct)
        {
            var name = Path.GetFileName(path);
            return VideoFrames.ForEachAsync(path, every, FrameQueue, async frame =>
            {
                var detections = Detect(frame.Mat, path);
                await writer.WriteLineAsync(Json(name, frame.Index, frame.Mat, detections)).ConfigureAwait(false);
                if (annotate is not null)
                {
                    Draw(frame.Mat, detections, Path.Combine(annotate, $"{Path.GetFileNameWithoutExtension(name)}-{frame.Index:D6}.jpg"));
                }
            }, ct);
        }

        private List<Detection> Detect(Mat picture, string path)
        {
            var region = Region(picture.Width, picture.Height, path);
            var detections = scene.Detect(picture, region).Where(thresholds.Passes).OrderByDescending(d => d.Score).ToList();
            Pictures++;
            Found += detections.Count;
            Views += scene.LastViews.Count;
            return detections;
        }

        private DetectionRegion? Region(int width, int height, string path)
        {
            if (spec?.DetectRegion is null)
            {
                return null;
            }

            if (!_regions.TryGetValue((width, height), out var region))
            {
                region = GatePipeline.RegionOf(spec.ScaledTo(width, height));
                var b = region!.Bounds;
                if (b.X >= width || b.Y >= height || b.X + b.Width <= 0 || b.Y + b.Height <= 0)
                {
                    throw new FormatException($"{path}: the gate spec's detectRegion ({b.X},{b.Y} {b.Width}x{b.Height}) lies outside this {width}x{height} picture");
                }

                _regions[(width, height)] = region;
            }

            return region;
        }

        private static void Draw(Mat picture, List<Detection> detections, string path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var canvas = picture.Clone();
            Annotator.DrawDetections(canvas, detections);
            Cv2.ImWrite(Path.ChangeExtension(path, ".jpg"), canvas);
        }
    }

    /// <summary>Exactly the documented line: image, frame (video only), width, height, detections best first.</summary>
    internal static string Json(string image, long? frame, Mat picture, IReadOnlyList<Detection> detections)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("image", image);
            if (frame is { } f)
            {
                w.WriteNumber("frame", f);
            }

            w.WriteNumber("width", picture.Width);
            w.WriteNumber("height", picture.Height);
            w.WriteStartArray("detections");
            foreach (var d in detections)
            {
                w.WriteStartObject();
                w.WriteString("class", d.Class.Name());
                w.WriteNumber("score", Math.Round(d.Score, 3));
                w.WriteStartArray("box");
                // Boxes of objects cut by the picture's edge reach past it in the model's estimate; the picture holds them.
                w.WriteNumberValue(Math.Round(Math.Clamp(d.Box.X1, 0, picture.Width), 1));
                w.WriteNumberValue(Math.Round(Math.Clamp(d.Box.Y1, 0, picture.Height), 1));
                w.WriteNumberValue(Math.Round(Math.Clamp(d.Box.X2, 0, picture.Width), 1));
                w.WriteNumberValue(Math.Round(Math.Clamp(d.Box.Y2, 0, picture.Height), 1));

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
