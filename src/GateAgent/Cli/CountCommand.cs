using System.Globalization;
using System.Text;
using GateWatch.Agent.Crowd;
using OpenCvSharp;

namespace GateWatch.Agent.Cli;

/// <summary>
/// `count`: the crowd density estimate on stills or a video, one JSON line per picture, so a park can check the
/// counter on its own pictures with score-count (and see where it puts the people with --heatmap).
/// </summary>
internal static class CountCommand
{
    public const string Usage = """
        GateAgent count --input IMAGE|DIR|VIDEO --out COUNTS.jsonl [options]
          --zone ZONE.json     also the estimate inside {"id": ..., "polygon": [[x, y], ...]} (picture pixels)
          --heatmap DIR        also write each picture with the density laid over it
          --every N            video: estimate every Nth frame (default 10)
          --threads N          model threads (default 1)
          --model FILE         density model (default: the shipped models/crowd_density.onnx)
        """;

    private static readonly HashSet<string> Options = ["--input", "--out", "--zone", "--heatmap", "--every", "--threads", "--model"];

    /// <summary>Frames decoded ahead of the model: a still crowd needs no more, and 1080p frames are 6 MB each.</summary>
    private const int FrameQueue = 2;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var cl = CommandLine.Parse(args, Options, new HashSet<string>());
        var input = cl.Require("--input");
        var outPath = cl.Require("--out");
        var every = cl.GetInt("--every", 10, 1, 100_000);
        var threads = cl.GetInt("--threads", 1, 1, Environment.ProcessorCount * 4);
        var zone = cl.Get("--zone") is { } z ? CountZone.Load(z) : null;
        var heatmap = cl.Get("--heatmap");
        if (heatmap is not null && !Directory.Exists(heatmap))
        {
            throw new UsageException($"--heatmap {heatmap}: no such folder");
        }

        if (!File.Exists(input) && !Directory.Exists(input))
        {
            throw new UsageException($"--input {input}: no such file or folder");
        }

        using var counter = DensityCounter.Load(cl.Get("--model"), threads);
        var run = new Run(counter, zone, heatmap);
        await using var outputs = new OutputFiles();
        var writer = outputs.Create(outPath);
        if (Directory.Exists(input))
        {
            foreach (var (path, name) in ImageInputs.FromFolder(input))
            {
                ct.ThrowIfCancellationRequested();
                await run.ImageAsync(writer, path, name).ConfigureAwait(false);
            }
        }
        else if (ImageInputs.IsImage(input))
        {
            await run.ImageAsync(writer, input, Path.GetFileName(input)).ConfigureAwait(false);
        }
        else
        {
            await run.VideoAsync(writer, input, every, ct).ConfigureAwait(false);
        }

        await outputs.CommitAsync().ConfigureAwait(false);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run.Pictures} pictures, {run.People:F1} people in all: {outPath}"));
        return 0;
    }

    private sealed class Run(DensityCounter counter, CountZone? zone, string? heatmap)
    {
        public int Pictures { get; private set; }

        public double People { get; private set; }

        public async Task ImageAsync(StreamWriter writer, string path, string name)
        {
            using var image = ImageInputs.Read(path);

            await writer.WriteLineAsync(Estimate(image, name, null)).ConfigureAwait(false);
        }

        public Task VideoAsync(StreamWriter writer, string path, int every, CancellationToken ct) =>
            VideoFrames.ForEachAsync(path, every, FrameQueue, frame => writer.WriteLineAsync(Estimate(frame.Mat, Path.GetFileName(path), frame.Index)), ct);

        private string Estimate(Mat picture, string name, long? frame)
        {
            zone?.RequireInside(picture.Width, picture.Height, name);
            var map = counter.Estimate(picture);
            var count = map.Total();
            var inZone = zone is null ? (double?)null : map.Sum(zone.Polygon);
            Pictures++;
            People += count;
            if (heatmap is not null)
            {
                var file = frame is { } f ? $"{Path.GetFileNameWithoutExtension(name)}-{f:D6}.jpg" : Path.ChangeExtension(name, ".jpg");
                Heatmap.Write(picture, map, count, zone, Path.Combine(heatmap, file));
            }

            var json = new StringBuilder();
            var inv = CultureInfo.InvariantCulture;
            json.Append("{\"image\":").Append(System.Text.Json.JsonSerializer.Serialize(name));
            if (frame is { } index)
            {
                json.Append(inv, $",\"frame\":{index}");
            }

            json.Append(inv, $",\"width\":{picture.Width},\"height\":{picture.Height},\"count\":{Math.Round(count, 1)}");
            if (inZone is { } zc)
            {
                json.Append(",\"zone\":").Append(System.Text.Json.JsonSerializer.Serialize(zone!.Id)).Append(inv, $",\"zoneCount\":{Math.Round(zc, 1)}");
            }

            return json.Append('}').ToString();
        }
    }
}
