using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GateWatch.Agent.Eval;

/// <summary>The plate on one picture as a person read it; <see cref="Lines"/> is 0 when the truth does not say.</summary>
internal sealed record PlateTruth(string Image, string Plate, int Lines);

/// <summary>A picture's reads as the plates command wrote them, best first.</summary>
internal sealed record PlateReads(string Image, IReadOnlyList<string> Texts);

/// <summary>How many of a group of pictures were read right: the top read, and any of the reads.</summary>
internal sealed record PlateScore(string Group, int Pictures, int Exact, int Folded, int Canonical, int Anywhere, int Unread)
{
    public double ExactRate => Pictures == 0 ? 0 : (double)Exact / Pictures;

    public double FoldedRate => Pictures == 0 ? 0 : (double)Folded / Pictures;
}

/// <summary>
/// Scores plate reads against checked truth. "Exact" compares letters and digits only (dashes, dots and spaces
/// are print, not the plate); "folded" also counts O as 0 and I as 1, the look-alikes no font tells apart; the
/// "canonical" count compares the whole text, layout included, when the truth has one ("59-X1 234.56").
/// </summary>
internal static class PlateScorer
{
    public static string Alnum(string s) => new([.. s.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant)]);

    public static string Fold(string s) => Plates.PlateMatch.Key(s);

    public static List<PlateScore> Score(IReadOnlyList<PlateTruth> truth, IReadOnlyDictionary<string, PlateReads> reads)
    {
        var groups = new List<PlateScore> { ScoreGroup("all", truth, reads) };
        foreach (var g in truth.Where(t => t.Lines > 0).GroupBy(t => t.Lines).OrderBy(g => g.Key))
        {
            groups.Add(ScoreGroup(g.Key == 1 ? "one-line" : $"{g.Key}-line", [.. g], reads));
        }

        return groups.Count == 2 && groups[1].Pictures == groups[0].Pictures ? [groups[0]] : groups;
    }

    private static PlateScore ScoreGroup(string name, IReadOnlyList<PlateTruth> truth, IReadOnlyDictionary<string, PlateReads> reads)
    {
        int exact = 0, folded = 0, canonical = 0, anywhere = 0, unread = 0;
        foreach (var t in truth)
        {
            var texts = reads.TryGetValue(t.Image, out var r) ? r.Texts : [];
            if (texts.Count == 0)
            {
                unread++;
                continue;
            }

            var top = texts[0];
            exact += Alnum(top) == Alnum(t.Plate) ? 1 : 0;
            folded += Fold(top) == Fold(t.Plate) ? 1 : 0;
            canonical += string.Equals(top, t.Plate, StringComparison.Ordinal) ? 1 : 0;
            anywhere += texts.Any(x => Fold(x) == Fold(t.Plate)) ? 1 : 0;
        }

        return new PlateScore(name, truth.Count, exact, folded, canonical, anywhere, unread);
    }

    /// <summary>
    /// A truth table (tab-separated with a header that names "image" and "plate", optionally "lines"), or a folder
    /// of OpenALPR label files ("file, x, y, w, h, PLATE" tab-separated, one per picture).
    /// </summary>
    public static List<PlateTruth> LoadTruth(string path)
    {
        if (Directory.Exists(path))
        {
            var labels = Directory.EnumerateFiles(path, "*.txt").Order(StringComparer.Ordinal).ToList();
            var list = new List<PlateTruth>();
            foreach (var file in labels)
            {
                var lines = File.ReadAllLines(file);
                for (var i = 0; i < lines.Length; i++)
                {
                    if (lines[i].Trim().Length == 0)
                    {
                        continue;
                    }

                    var f = lines[i].Split('\t');
                    if (f.Length < 6 || f[0].Trim().Length == 0 || Alnum(f[5]).Length == 0)
                    {
                        throw new FormatException($"{file}:{i + 1}: not an OpenALPR label (file, x, y, w, h, plate separated by tabs)");
                    }

                    list.Add(new PlateTruth(f[0].Trim(), f[5].Trim(), 0));
                }
            }

            return list.Count > 0 ? list : throw new FormatException($"{path}: no OpenALPR label files (*.txt) in this folder");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such truth file or folder", path);
        }

        var rows = File.ReadAllLines(path);
        var header = rows.Length > 0 ? rows[0].Split('\t').Select(h => h.Trim().ToLowerInvariant()).ToList() : [];
        int image = header.IndexOf("image"), plate = header.IndexOf("plate"), linesAt = header.IndexOf("lines");
        if (image < 0 || plate < 0)
        {
            throw new FormatException($"{path}:1: the header must name the columns image and plate (tab-separated)");
        }

        var truth = new List<PlateTruth>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < rows.Length; i++)
        {
            if (rows[i].Trim().Length == 0)
            {
                continue;
            }

            var f = rows[i].Split('\t');
            if (f.Length <= Math.Max(image, plate) || f[image].Trim().Length == 0 || Alnum(f[plate]).Length == 0)
            {
                throw new FormatException($"{path}:{i + 1}: needs an image name and a plate with letters or digits");
            }

            var lines = 0;
            if (linesAt >= 0 && (f.Length <= linesAt || !int.TryParse(f[linesAt], NumberStyles.None, CultureInfo.InvariantCulture, out lines) || lines is < 1 or > 2))
            {
                throw new FormatException($"{path}:{i + 1}: lines must be 1 or 2");
            }

            if (!seen.Add(f[image].Trim()))
            {
                throw new FormatException($"{path}:{i + 1}: {f[image].Trim()} is listed twice");
            }

            truth.Add(new PlateTruth(f[image].Trim(), f[plate].Trim(), lines));
        }

        return truth.Count > 0 ? truth : throw new FormatException($"{path}: no rows after the header");
    }

    /// <summary>The plates command's output: one JSON object per line with "image" and "plates" [{"text"}].</summary>
    public static Dictionary<string, PlateReads> LoadReads(string path)
    {
        var reads = new Dictionary<string, PlateReads>(StringComparer.Ordinal);
        var n = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            n++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                var image = root.GetProperty("image").GetString() ?? throw new FormatException("image is null");
                var texts = root.GetProperty("plates").EnumerateArray().Select(p => p.GetProperty("text").GetString() ?? "").ToList();
                if (!reads.TryAdd(image, new PlateReads(image, texts)))
                {
                    throw new FormatException($"{image} has two lines");
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new FormatException($"{path}:{n}: not a plates line ({e.Message})");
            }
        }

        return reads;
    }
}
