using System.Text.Json;

namespace GateWatch.Agent.Eval;

internal sealed record PredictedCrossing(string Line, string Direction, long Frame);

internal sealed record PredictedCrowd(string Zone, long StartFrame, long EndFrame);

/// <summary>The events of an analysis run, as read back from its JSON Lines.</summary>
internal sealed record PredictedEvents(
    IReadOnlyList<PredictedCrossing> Crossings,
    IReadOnlyList<PredictedCrowd> Crowds,
    IReadOnlyDictionary<string, SortedDictionary<long, int>> Occupancy);

internal sealed record TruthLine(string Id, IReadOnlyList<(long Frame, string Direction)> Events);

internal sealed record TruthZone(string Id, IReadOnlyList<(long Start, long End)> Episodes, IReadOnlyList<int> Occupancy);

internal sealed record Truth(int Frames, IReadOnlyList<TruthLine> Lines, IReadOnlyList<TruthZone> Zones);

internal sealed record LineScore(string Line, int TruePositives, int Predicted, int Actual, int PredIn, int PredOut, int TrueIn, int TrueOut)
{
    public double Precision => Predicted == 0 ? (Actual == 0 ? 1 : 0) : (double)TruePositives / Predicted;
    public double Recall => Actual == 0 ? 1 : (double)TruePositives / Actual;
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

internal sealed record ZoneScore(string Zone, int EpisodesFound, int EpisodesTrue, int FalseAlarms, double? OccupancyMae);

internal sealed record ScoreReport(IReadOnlyList<LineScore> Lines, LineScore Overall, IReadOnlyList<ZoneScore> Zones);

/// <summary>The scoring protocol of shared/eval/README.md, as pure functions over events and ground truth.</summary>
internal static class Scorer
{
    /// <summary>A predicted crossing matches a true one of the same line and direction within this many frames.</summary>
    public const int CrossingTolerance = 15;

    /// <summary>A crowd episode is found when a prediction overlaps it and starts within this many frames of it.</summary>
    public const int CrowdStartTolerance = 20;

    public static ScoreReport Score(PredictedEvents predicted, Truth truth)
    {
        var lines = truth.Lines.Select(l => ScoreLine(l, predicted.Crossings.Where(c => c.Line == l.Id).ToList())).ToList();
        var overall = new LineScore("all",
            lines.Sum(l => l.TruePositives), lines.Sum(l => l.Predicted), lines.Sum(l => l.Actual),
            lines.Sum(l => l.PredIn), lines.Sum(l => l.PredOut), lines.Sum(l => l.TrueIn), lines.Sum(l => l.TrueOut));
        var zones = truth.Zones.Select(z => ScoreZone(z, predicted, truth.Frames)).ToList();
        return new ScoreReport(lines, overall, zones);
    }

    private static LineScore ScoreLine(TruthLine line, List<PredictedCrossing> predicted)
    {
        var matched = 0;
        foreach (var direction in new[] { "in", "out" })
        {
            var truthFrames = line.Events.Where(e => e.Direction == direction).Select(e => e.Frame).ToList();
            var used = new bool[truthFrames.Count];
            foreach (var p in predicted.Where(p => p.Direction == direction).OrderBy(p => p.Frame))
            {
                var best = -1;
                for (var i = 0; i < truthFrames.Count; i++)
                {
                    var gap = Math.Abs(truthFrames[i] - p.Frame);
                    if (!used[i] && gap <= CrossingTolerance && (best < 0 || gap < Math.Abs(truthFrames[best] - p.Frame)))
                    {
                        best = i;
                    }
                }

                if (best >= 0)
                {
                    used[best] = true;
                    matched++;
                }
            }
        }

        return new LineScore(line.Id, matched, predicted.Count, line.Events.Count,
            predicted.Count(p => p.Direction == "in"), predicted.Count(p => p.Direction == "out"),
            line.Events.Count(e => e.Direction == "in"), line.Events.Count(e => e.Direction == "out"));
    }

    private static ZoneScore ScoreZone(TruthZone zone, PredictedEvents predicted, int frames)
    {
        var crowds = predicted.Crowds.Where(c => c.Zone == zone.Id).ToList();
        bool Matches(PredictedCrowd p, (long Start, long End) e) =>
            p.StartFrame <= e.End && p.EndFrame >= e.Start && Math.Abs(p.StartFrame - e.Start) <= CrowdStartTolerance;

        var found = zone.Episodes.Count(e => crowds.Any(p => Matches(p, e)));
        var falseAlarms = crowds.Count(p => !zone.Episodes.Any(e => Matches(p, e)));

        double? mae = null;
        if (predicted.Occupancy.TryGetValue(zone.Id, out var counts) && counts.Count > 0 && zone.Occupancy.Count > 0)
        {
            // Frames the product did not report (skipped by the motion gate) hold the last reported count.
            double error = 0;
            var last = 0;
            var n = Math.Min(frames, zone.Occupancy.Count);
            for (var f = 0; f < n; f++)
            {
                if (counts.TryGetValue(f, out var c))
                {
                    last = c;
                }

                error += Math.Abs(last - zone.Occupancy[f]);
            }

            mae = error / n;
        }

        return new ZoneScore(zone.Id, found, zone.Episodes.Count, falseAlarms, mae);
    }

    /// <summary>Reads analysis JSON Lines; a malformed line is an error naming the file and line number.</summary>
    public static PredictedEvents ReadEvents(string path)
    {
        var crossings = new List<PredictedCrossing>();
        var crowds = new List<PredictedCrowd>();
        var occupancy = new Dictionary<string, SortedDictionary<long, int>>(StringComparer.Ordinal);
        var lineNo = 0;
        foreach (var text in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(text);
                var e = doc.RootElement;
                switch (e.GetProperty("type").GetString())
                {
                    case "crossing":
                        crossings.Add(new PredictedCrossing(e.GetProperty("line").GetString()!, e.GetProperty("direction").GetString()!, e.GetProperty("frame").GetInt64()));
                        break;
                    case "crowd":
                        crowds.Add(new PredictedCrowd(e.GetProperty("zone").GetString()!, e.GetProperty("startFrame").GetInt64(), e.GetProperty("endFrame").GetInt64()));
                        break;
                    case "occupancy":
                        var zone = e.GetProperty("zone").GetString()!;
                        if (!occupancy.TryGetValue(zone, out var perFrame))
                        {
                            occupancy[zone] = perFrame = [];
                        }

                        perFrame[e.GetProperty("frame").GetInt64()] = e.GetProperty("count").GetInt32();
                        break;
                    default:
                        throw new FormatException("unknown event type");
                }
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new FormatException($"{path}:{lineNo}: not a GateWatch event ({ex.Message})", ex);
            }
        }

        return new PredictedEvents(crossings, crowds, occupancy);
    }

    public static Truth ReadTruth(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            var lines = new List<TruthLine>();
            foreach (var l in root.GetProperty("lines").EnumerateObject())
            {
                var events = l.Value.GetProperty("events").EnumerateArray()
                    .Select(e => (e[0].GetInt64(), e[2].GetString()!)).ToList();
                lines.Add(new TruthLine(l.Name, events));
            }

            // A truth file written before episodes less than 2 s apart were joined still scores by the
            // protocol as it is now; one without its clock is taken as it stands.
            double? fps = root.TryGetProperty("fps", out var clock) ? clock.GetDouble() : null;
            var zones = new List<TruthZone>();
            if (root.TryGetProperty("zones", out var zs))
            {
                foreach (var z in zs.EnumerateObject())
                {
                    var episodes = z.Value.GetProperty("episodes").EnumerateArray().Select(e => (e[0].GetInt64(), e[1].GetInt64())).ToList();
                    if (fps is { } f)
                    {
                        episodes = TruthBuilder.MergeEpisodes(episodes, f);
                    }

                    var occ = z.Value.TryGetProperty("occupancy", out var o) ? o.EnumerateArray().Select(v => v.GetInt32()).ToList() : [];
                    zones.Add(new TruthZone(z.Name, episodes, occ));
                }
            }

            var frames = root.TryGetProperty("frames", out var fr) ? fr.GetInt32() : zones.Select(z => z.Occupancy.Count).DefaultIfEmpty(0).Max();
            return new Truth(frames, lines, zones);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new FormatException($"{path}: not a ground-truth file of shared/eval/README.md's format ({ex.Message})", ex);
        }
    }
}
