using System.Text.Json;
using System.Text.Json.Serialization;

namespace GateWatch.Agent.Gate;

/// <summary>A counting line: a finite segment a-b; crossing towards <see cref="InsidePoint"/>'s side is an entry.</summary>
internal sealed record GateLine(string Id, Point2 A, Point2 B, Point2 InsidePoint)
{
    /// <summary>+1 or -1: the sign of <see cref="Geometry.Orientation"/> on the park's side.</summary>
    public int InsideSign => Math.Sign(Geometry.Orientation(A, B, InsidePoint));
}

internal sealed record GateZone(string Id, IReadOnlyList<Point2> Polygon, int CrowdMin, double CrowdSeconds);

/// <summary>
/// Lines and zones of one camera, with the fields of the evaluation spec so that one file serves a
/// live camera and an evaluation run alike.
/// </summary>
internal sealed record GateSpec(
    string? Video,
    double? Fps,
    (int Width, int Height)? FrameSize,
    IReadOnlyList<GateLine> Lines,
    IReadOnlyList<GateZone> Zones)
{
    /// <summary>The polygon around the lanes where road users are detected; null: the whole frame.</summary>
    public IReadOnlyList<Point2>? DetectRegion { get; init; }

    /// <summary>
    /// How often the crowd density is estimated on a camera with zones (`densitySeconds`). Two seconds by default:
    /// a gathering builds over tens of seconds, and one estimate costs about a tenth of a core-second, so a camera's
    /// density takes some 5 % of a core instead of a core of its own.
    /// </summary>
    public double DensitySeconds { get; init; } = DefaultDensitySeconds;

    public const double DefaultDensitySeconds = 2.0;

    /// <summary>The same gate for a stream of another resolution (e.g. a camera's substream).</summary>
    public GateSpec ScaledTo(int width, int height)
    {
        if (FrameSize is not { } size || (size.Width == width && size.Height == height))
        {
            return this;
        }

        var sx = (double)width / size.Width;
        var sy = (double)height / size.Height;
        Point2 S(Point2 p) => new(p.X * sx, p.Y * sy);
        return this with
        {
            FrameSize = (width, height),
            Lines = Lines.Select(l => l with { A = S(l.A), B = S(l.B), InsidePoint = S(l.InsidePoint) }).ToList(),
            Zones = Zones.Select(z => z with { Polygon = z.Polygon.Select(S).ToList() }).ToList(),
            DetectRegion = DetectRegion?.Select(S).ToList(),
        };
    }
}

/// <summary>A gate spec that cannot be used; the message names the file and the JSON path.</summary>
internal sealed class GateSpecException(string file, string jsonPath, string problem)
    : Exception($"{file}: {jsonPath}: {problem}")
{
    public string File { get; } = file;
    public string JsonPath { get; } = jsonPath;
    public string Problem { get; } = problem;
}

internal static class GateSpecLoader
{
    /// <summary>A person's foot point must be this far (pixels) from a line for its side to be certain.</summary>
    private const double MinInsideDistance = 1.0;

    public static GateSpec Load(string path) => Parse(ReadText(path), path);

    public static GateSpec Parse(string json, string file) => Validate(Deserialize<SpecDto>(json, file), file);

    /// <summary>A spec-like file's text (gate specs, count zones); a file that cannot be read is refused naming it.</summary>
    public static string ReadText(string path)
    {
        try
        {
            return System.IO.File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GateSpecException(path, "$", $"cannot read the file ({e.Message})");
        }
    }

    /// <summary>Strict JSON (unknown fields refused) into <typeparamref name="T"/>; a problem is refused with its JSON path.</summary>
    public static T Deserialize<T>(string json, string file)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, StrictJson.Options)
                ?? throw new GateSpecException(file, "$", "the document is null");
        }
        catch (JsonException e)
        {
            var (path, problem) = StrictJson.Describe(e);
            throw new GateSpecException(file, path, problem);
        }
    }

    private static GateSpec Validate(SpecDto dto, string file)
    {
        void Fail(string path, string problem) => throw new GateSpecException(file, path, problem);

        if (dto.Fps is { } fps && !(fps > 0 && double.IsFinite(fps)))
        {
            Fail("$.fps", $"must be a positive number, got {fps}");
        }

        (int, int)? frameSize = null;
        if (dto.FrameSize is { } fs)
        {
            if (fs.Length != 2 || fs[0] < 1 || fs[1] < 1)
            {
                Fail("$.frameSize", "must be [width, height] in pixels, both at least 1");
            }

            frameSize = (fs[0], fs[1]);
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var lines = new List<GateLine>();
        var lineDtos = dto.Lines ?? [];
        for (var i = 0; i < lineDtos.Count; i++)
        {
            var path = $"$.lines[{i}]";
            var l = lineDtos[i] ?? throw new GateSpecException(file, path, "is null");
            var id = RequireId(l.Id, $"{path}.id", ids, file);
            var a = ToPoint(l.A, $"{path}.a", file);
            var b = ToPoint(l.B, $"{path}.b", file);
            var inside = ToPoint(l.InsidePoint, $"{path}.insidePoint", file);
            if ((b - a).Length < Geometry.Epsilon)
            {
                Fail(path, $"line '{id}' has zero length: a and b are both {a}");
            }

            if (Math.Abs(Geometry.SignedDistance(a, b, inside)) < MinInsideDistance)
            {
                Fail($"{path}.insidePoint", $"{inside} lies on line '{id}', so it names no side");
            }

            lines.Add(new GateLine(id, a, b, inside));
        }

        var zones = new List<GateZone>();
        var zoneDtos = dto.Zones ?? [];
        for (var i = 0; i < zoneDtos.Count; i++)
        {
            var path = $"$.zones[{i}]";
            var z = zoneDtos[i] ?? throw new GateSpecException(file, path, "is null");
            var id = RequireId(z.Id, $"{path}.id", ids, file);
            if (z.Polygon is null || z.Polygon.Count < 3)
            {
                Fail($"{path}.polygon", $"zone '{id}' needs at least 3 points");
            }

            var polygon = ToPolygon(z.Polygon!, $"{path}.polygon", $"zone '{id}'", file);

            if (z.CrowdMin is not { } crowdMin)
            {
                Fail($"{path}.crowdMin", "is required");
            }
            else if (crowdMin < 1)
            {
                Fail($"{path}.crowdMin", $"must be at least 1, got {crowdMin}");
            }

            if (z.CrowdSeconds is not { } seconds)
            {
                Fail($"{path}.crowdSeconds", "is required");
            }
            else if (!(seconds >= 0 && double.IsFinite(seconds)))
            {
                Fail($"{path}.crowdSeconds", $"must be zero or more, got {seconds}");
            }

            zones.Add(new GateZone(id, polygon, z.CrowdMin!.Value, z.CrowdSeconds!.Value));
        }

        if (lines.Count == 0 && zones.Count == 0)
        {
            Fail("$", "defines no lines and no zones, so there is nothing to count");
        }

        List<Point2>? region = null;
        if (dto.DetectRegion is { } r)
        {
            if (r.Count < 3)
            {
                Fail("$.detectRegion", "needs at least 3 points (a polygon around the lanes), or leave it out for the whole frame");
            }

            region = ToPolygon(r, "$.detectRegion", "the detection region", file);
            if (frameSize is { } size)
            {
                for (var k = 0; k < region.Count; k++)
                {
                    var p = region[k];
                    if (p.X < 0 || p.Y < 0 || p.X > size.Item1 || p.Y > size.Item2)
                    {
                        Fail($"$.detectRegion[{k}]", $"{p} lies outside the {size.Item1}x{size.Item2} frame");
                    }
                }
            }
        }

        var densitySeconds = dto.DensitySeconds ?? GateSpec.DefaultDensitySeconds;
        if (!(densitySeconds is >= 0.2 and <= 600))
        {
            Fail("$.densitySeconds", $"must be 0.2 to 600 seconds between crowd density estimates, got {densitySeconds}");
        }

        return new GateSpec(dto.Video, dto.Fps, frameSize, lines, zones) { DetectRegion = region, DensitySeconds = densitySeconds };
    }

    /// <summary>A polygon's corners, refused where it is when degenerate or crossing itself.</summary>
    public static List<Point2> ToPolygon(List<double[]> points, string path, string what, string file)
    {
        var polygon = points.Select((p, k) => ToPoint(p, $"{path}[{k}]", file)).ToList();
        // Collinear corners first: their edges overlap, which would otherwise read as "crosses itself".
        if (AllOnOneLine(polygon))
        {
            throw new GateSpecException(file, path, $"{what} is degenerate: its corners lie on one line");
        }

        if (Geometry.IsSelfIntersecting(polygon))
        {
            throw new GateSpecException(file, path, $"{what} crosses itself; list its corners in order around the edge");
        }

        if (Math.Abs(Geometry.SignedArea(polygon)) < 1.0)
        {
            throw new GateSpecException(file, path, $"{what} is degenerate: its area is zero");
        }

        return polygon;
    }

    private static bool AllOnOneLine(List<Point2> points)
    {
        var a = points[0];
        var b = points.FirstOrDefault(q => (q - a).Length > Geometry.Epsilon, a);
        return points.All(p => Math.Abs(Geometry.SignedDistance(a, b, p)) < 1.0);
    }

    private static string RequireId(string? id, string path, HashSet<string> seen, string file)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new GateSpecException(file, path, "is required and must not be empty");
        }

        if (!seen.Add(id))
        {
            throw new GateSpecException(file, path, $"'{id}' is used twice; line and zone ids must be unique");
        }

        return id;
    }

    private static Point2 ToPoint(double[]? xy, string path, string file)
    {
        if (xy is null || xy.Length != 2 || !double.IsFinite(xy[0]) || !double.IsFinite(xy[1]))
        {
            throw new GateSpecException(file, path, "must be a point [x, y] in pixels");
        }

        return new Point2(xy[0], xy[1]);
    }

    private sealed class SpecDto
    {
        [JsonPropertyName("video")] public string? Video { get; set; }
        [JsonPropertyName("fps")] public double? Fps { get; set; }
        [JsonPropertyName("frameSize")] public int[]? FrameSize { get; set; }
        [JsonPropertyName("lines")] public List<LineDto?>? Lines { get; set; }
        [JsonPropertyName("zones")] public List<ZoneDto?>? Zones { get; set; }
        [JsonPropertyName("detectRegion")] public List<double[]>? DetectRegion { get; set; }
        [JsonPropertyName("densitySeconds")] public double? DensitySeconds { get; set; }
    }

    private sealed class LineDto
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
        [JsonPropertyName("a")] public double[]? A { get; set; }
        [JsonPropertyName("b")] public double[]? B { get; set; }
        [JsonPropertyName("insidePoint")] public double[]? InsidePoint { get; set; }
    }

    private sealed class ZoneDto
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
        [JsonPropertyName("polygon")] public List<double[]>? Polygon { get; set; }
        [JsonPropertyName("crowdMin")] public int? CrowdMin { get; set; }
        [JsonPropertyName("crowdSeconds")] public double? CrowdSeconds { get; set; }
    }
}
