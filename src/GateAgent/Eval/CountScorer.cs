using System.Globalization;
using System.Text.Json;

namespace GateWatch.Agent.Eval;

/// <summary>One band of true crowd sizes and how far the estimates were from it.</summary>
internal sealed record CountScore(string Band, int Pictures, double MeanTruth, double MeanEstimate, double Mae, double Rmse, double MeanRelativeError);

/// <summary>
/// Crowd-count estimates against the true counts (the <c>counts.csv</c> layout of ../shared/data/crowd:
/// <c>image,count,...</c>), overall and per band of true count, so a park can check the counter on its own pictures:
/// a counter good on average can still be useless where it matters (hundreds at a gate).
/// </summary>
internal static class CountScorer
{
    /// <summary>The bands: a few people, a group, a crowd. Lower bound inclusive.</summary>
    public static readonly IReadOnlyList<(string Name, double From, double To)> Bands =
    [
        ("0-20", 0, 20),
        ("20-100", 20, 100),
        ("100+", 100, double.PositiveInfinity),
    ];

    /// <summary>Reads counts.csv: a header naming <c>image</c> and <c>count</c> columns, then one picture per line.</summary>
    public static Dictionary<string, double> LoadTruth(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such truth file");
        }

        var lines = File.ReadAllLines(path);
        if (lines.Length == 0)
        {
            throw new FormatException($"{path}: empty; expected a header line with image and count columns");
        }

        var header = lines[0].Split(',').Select(h => h.Trim()).ToList();
        var imageAt = header.IndexOf("image");
        var countAt = header.IndexOf("count");
        if (imageAt < 0 || countAt < 0)
        {
            throw new FormatException($"{path}:1: the header '{lines[0]}' has no image and count columns");
        }

        var truth = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            var cells = lines[i].Split(',');
            if (cells.Length <= Math.Max(imageAt, countAt))
            {
                throw new FormatException($"{path}:{i + 1}: {cells.Length} columns, the header has {header.Count}");
            }

            var image = cells[imageAt].Trim();
            if (!double.TryParse(cells[countAt], NumberStyles.Float, CultureInfo.InvariantCulture, out var count) || count < 0 || !double.IsFinite(count))
            {
                throw new FormatException($"{path}:{i + 1}: count '{cells[countAt]}' is not a number of people");
            }

            if (image.Length == 0 || !truth.TryAdd(image, count))
            {
                throw new FormatException($"{path}:{i + 1}: {(image.Length == 0 ? "no image name" : $"{image} is listed twice")}");
            }
        }

        return truth;
    }

    /// <summary>Reads the count command's JSON lines: <c>image</c> and <c>count</c> from each.</summary>
    public static Dictionary<string, double> LoadCounts(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such counts file");
        }

        var counts = new Dictionary<string, double>(StringComparer.Ordinal);
        var n = 0;
        foreach (var line in File.ReadLines(path))
        {
            n++;
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                var image = root.GetProperty("image").GetString() ?? throw new FormatException("image is null");
                var count = root.GetProperty("count").GetDouble();
                if (root.TryGetProperty("frame", out _))
                {
                    throw new FormatException("a video's line (frame); score-count scores pictures");
                }

                if (!counts.TryAdd(image, count))
                {
                    throw new FormatException($"{image} has two lines");
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new FormatException($"{path}:{n}: {e.Message}");
            }
        }

        return counts;
    }

    /// <summary>"all" first, then each band that has pictures. Pictures without an estimate are not scored (the caller says how many).</summary>
    public static List<CountScore> Score(IReadOnlyDictionary<string, double> truth, IReadOnlyDictionary<string, double> estimates)
    {
        var pairs = truth.Where(t => estimates.ContainsKey(t.Key)).Select(t => (Truth: t.Value, Estimate: estimates[t.Key])).ToList();
        var scores = new List<CountScore> { Of("all", pairs) };
        foreach (var (name, from, to) in Bands)
        {
            var band = pairs.Where(p => p.Truth >= from && p.Truth < to).ToList();
            if (band.Count > 0)
            {
                scores.Add(Of(name, band));
            }
        }

        return scores;
    }

    private static CountScore Of(string band, List<(double Truth, double Estimate)> pairs)
    {
        if (pairs.Count == 0)
        {
            return new CountScore(band, 0, 0, 0, 0, 0, 0);
        }

        var mae = pairs.Average(p => Math.Abs(p.Estimate - p.Truth));
        var rmse = Math.Sqrt(pairs.Average(p => (p.Estimate - p.Truth) * (p.Estimate - p.Truth)));
        // A picture with nobody in it has no relative error; it is left out of that mean only.
        var relative = pairs.Where(p => p.Truth > 0).Select(p => Math.Abs(p.Estimate - p.Truth) / p.Truth).DefaultIfEmpty(0).Average();
        return new CountScore(band, pairs.Count, pairs.Average(p => p.Truth), pairs.Average(p => p.Estimate), mae, rmse, relative);
    }
}
