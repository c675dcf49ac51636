using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using GateWatch.Agent.Gate;

namespace GateWatch.Agent.Eval;

/// <summary>
/// Ground truth for any gate spec from per-frame annotated boxes (PETS CVML XML), by the rules of
/// shared/eval/README.md, so the product can be scored on lines and zones it was not tuned on.
/// </summary>
internal static class TruthBuilder
{
    /// <summary>Annotated boxes per frame: (track id, foot point).</summary>
    public static SortedDictionary<int, List<(int Id, Point2 Foot)>> ReadCvml(string path)
    {
        var frames = new SortedDictionary<int, List<(int, Point2)>>();
        try
        {
            foreach (var frame in XDocument.Load(path).Root!.Elements("frame"))
            {
                var n = int.Parse(frame.Attribute("number")!.Value, CultureInfo.InvariantCulture);
                var list = frames[n] = [];
                foreach (var o in frame.Descendants("object"))
                {
                    var box = o.Element("box")!;
                    double A(string k) => double.Parse(box.Attribute(k)!.Value, CultureInfo.InvariantCulture);
                    list.Add((int.Parse(o.Attribute("id")!.Value, CultureInfo.InvariantCulture), new Point2(A("xc"), A("yc") + (A("h") / 2))));
                }
            }
        }
        catch (Exception e) when (e is System.Xml.XmlException or NullReferenceException or FormatException)
        {
            throw new FormatException($"{path}: not a CVML annotation file ({e.Message})", e);
        }

        return frames;
    }

    /// <summary>True crowd episodes closer than this are one gathering that thinned for a moment (shared/eval/README.md).</summary>
    public const double EpisodeMergeSeconds = 2;

    /// <summary>
    /// [first, last] frame runs where occupancy &gt;= crowdMin lasted at least crowdSeconds, with runs
    /// less than <see cref="EpisodeMergeSeconds"/> apart joined. Only runs that qualify on their own are
    /// joined: a blip of a few crowded frames near a gathering does not stretch it.
    /// </summary>
    public static List<(long Start, long End)> Episodes(IReadOnlyList<int> occupancy, int crowdMin, double crowdSeconds, double fps)
    {
        var minFrames = crowdSeconds * fps;
        var runs = new List<(long Start, long End)>();
        for (var f = 0; f < occupancy.Count; f++)
        {
            if (occupancy[f] < crowdMin)
            {
                continue;
            }

            var start = f;
            while (f + 1 < occupancy.Count && occupancy[f + 1] >= crowdMin)
            {
                f++;
            }

            if (f - start + 1 >= minFrames)
            {
                runs.Add((start, f));
            }
        }

        return MergeEpisodes(runs, fps);
    }

    /// <summary>
    /// Joins consecutive episodes whose gap is shorter than <see cref="EpisodeMergeSeconds"/>. The gap is
    /// the frames between them (next start - previous end - 1), the same way a run's length is counted,
    /// and the product's crowd rule clears a flag after the same time below crowdMin.
    /// </summary>
    public static List<(long Start, long End)> MergeEpisodes(IEnumerable<(long Start, long End)> episodes, double fps)
    {
        var merged = new List<(long Start, long End)>();
        foreach (var e in episodes.OrderBy(e => e.Start))
        {
            if (merged.Count > 0 && e.Start - merged[^1].End - 1 < EpisodeMergeSeconds * fps)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, e.End));
            }
            else
            {
                merged.Add(e);
            }
        }

        return merged;
    }

    public static string Build(SortedDictionary<int, List<(int Id, Point2 Foot)>> frames, GateSpec spec, double fps)
    {
        var frameCount = frames.Count == 0 ? 0 : frames.Keys.Max() + 1;
        var tracks = new Dictionary<int, List<(int Frame, Point2 Foot)>>();
        foreach (var (n, objects) in frames)
        {
            foreach (var (id, foot) in objects)
            {
                if (!tracks.TryGetValue(id, out var path))
                {
                    tracks[id] = path = [];
                }

                path.Add((n, foot));
            }
        }

        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteNumber("frames", frameCount);
            w.WriteNumber("fps", fps);
            w.WriteStartObject("lines");
            foreach (var line in spec.Lines)
            {
                var events = new List<(int Frame, int Id, string Dir)>();
                foreach (var (id, path) in tracks)
                {
                    for (var i = 1; i < path.Count; i++)
                    {
                        var (p, q) = (path[i - 1].Foot, path[i].Foot);
                        var end = Math.Sign(Geometry.Orientation(line.A, line.B, q)) * line.InsideSign;
                        if (end != 0 && Geometry.SegmentsIntersect(p, q, line.A, line.B)
                            && Math.Sign(Geometry.Orientation(line.A, line.B, p)) * line.InsideSign != end)
                        {
                            events.Add((path[i].Frame, id, end > 0 ? "in" : "out"));
                        }
                    }
                }

                events.Sort();
                w.WriteStartObject(line.Id);
                w.WriteNumber("in", events.Count(e => e.Dir == "in"));
                w.WriteNumber("out", events.Count(e => e.Dir == "out"));
                w.WriteStartArray("events");
                foreach (var (frame, id, dir) in events)
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(frame);
                    w.WriteNumberValue(id);
                    w.WriteStringValue(dir);
                    w.WriteEndArray();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteStartObject("zones");
            foreach (var zone in spec.Zones)
            {
                var occupancy = new int[frameCount];
                foreach (var (n, objects) in frames)
                {
                    occupancy[n] = objects.Count(o => Geometry.PointInPolygon(zone.Polygon, o.Foot));
                }

                w.WriteStartObject(zone.Id);
                w.WriteNumber("max", occupancy.DefaultIfEmpty(0).Max());
                w.WriteStartArray("episodes");
                foreach (var (start, end) in Episodes(occupancy, zone.CrowdMin, zone.CrowdSeconds, fps))
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(start);
                    w.WriteNumberValue(end);
                    w.WriteEndArray();
                }

                w.WriteEndArray();
                w.WriteStartArray("occupancy");
                foreach (var c in occupancy)
                {
                    w.WriteNumberValue(c);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
}
