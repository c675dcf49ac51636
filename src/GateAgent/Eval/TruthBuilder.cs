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

                var minFrames = zone.CrowdSeconds * fps;
                w.WriteStartObject(zone.Id);
                w.WriteNumber("max", occupancy.DefaultIfEmpty(0).Max());
                w.WriteStartArray("episodes");
                for (var f = 0; f < frameCount; f++)
                {
                    if (occupancy[f] < zone.CrowdMin)
                    {
                        continue;
                    }

                    var start = f;
                    while (f + 1 < frameCount && occupancy[f + 1] >= zone.CrowdMin)
                    {
                        f++;
                    }

                    if (f - start + 1 >= minFrames)
                    {
                        w.WriteStartArray();
                        w.WriteNumberValue(start);
                        w.WriteNumberValue(f);
                        w.WriteEndArray();
                    }
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
