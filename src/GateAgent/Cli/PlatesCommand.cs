using System.Diagnostics;
using System.Text.Json;
using GateWatch.Agent.Plates;
using OpenCvSharp;

namespace GateWatch.Agent.Cli;

/// <summary>`plates`: the agent's plate reader on stills (whole frames, vehicle crops or plate crops), one JSON line per picture.</summary>
internal static class PlatesCommand
{
    public const string Usage = """
        GateAgent plates --input IMAGE|DIR --out READS.jsonl [options]
          --region vn|any      plate grammar: Vietnam's (default) or none, for foreign plates
          --threads N          OCR threads (default 1)
          --plate-models DIR   PP-OCRv4 models (default: models/ppocr beside the agent; models/get-plates.sh)
        """;

    private static readonly HashSet<string> Options = ["--input", "--out", "--region", "--threads", "--plate-models"];

    /// <summary>The candidates worth a person's look: beyond a few they are other text on the vehicle.</summary>
    private const int MaxReads = 5;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var cl = CommandLine.Parse(args, Options, new HashSet<string>());
        var input = cl.Require("--input");
        var outPath = cl.Require("--out");
        var region = ParseRegion(cl.Get("--region"));
        var threads = cl.GetInt("--threads", 1, 1, Environment.ProcessorCount * 4);
        var pictures = Directory.Exists(input) ? ImageInputs.FromFolder(input)
            : File.Exists(input) ? [(input, Path.GetFileName(input))]
            : throw new UsageException($"{input}: no such file or folder");

        using var reader = PlateReader.Load(cl.Get("--plate-models") ?? PlateModels.DefaultDirectory, threads);
        await using var outputs = new OutputFiles();
        var writer = outputs.Create(outPath);
        var watch = new Stopwatch();
        var found = 0;
        foreach (var (path, name) in pictures)
        {
            ct.ThrowIfCancellationRequested();
            using var image = ImageInputs.Read(path);

            watch.Start();
            var reads = reader.Read(image, region).Take(MaxReads).ToList();
            watch.Stop();
            found += reads.Count(r => r.Valid);
            await writer.WriteLineAsync(Json(name, reads)).ConfigureAwait(false);
        }

        await outputs.CommitAsync().ConfigureAwait(false);
        Console.Error.WriteLine(
            $"{pictures.Count} pictures, {found} plates that fit the grammar, {watch.Elapsed.TotalMilliseconds / pictures.Count:F0} ms per picture: {outPath}");
        return 0;
    }

    public static PlateRegion ParseRegion(string? value) => value switch
    {
        null or "vn" => PlateRegion.Vietnam,
        "any" => PlateRegion.Any,
        _ => throw new UsageException($"--region must be vn or any, got '{value}'"),
    };

    private static string Json(string name, List<PlateRead> reads)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("image", name);
            w.WriteStartArray("plates");
            foreach (var r in reads)
            {
                w.WriteStartObject();
                w.WriteString("text", r.Text);
                w.WriteNumber("confidence", Math.Round(r.Confidence, 3));
                w.WriteStartArray("box");
                w.WriteNumberValue(r.Box.Left);
                w.WriteNumberValue(r.Box.Top);
                w.WriteNumberValue(r.Box.Right);
                w.WriteNumberValue(r.Box.Bottom);
                w.WriteEndArray();
                w.WriteBoolean("valid", r.Valid);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
