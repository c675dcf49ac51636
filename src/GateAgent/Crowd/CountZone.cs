using System.Text.Json.Serialization;
using GateWatch.Agent.Gate;

namespace GateWatch.Agent.Crowd;

/// <summary>
/// The part of a picture the count command sums the density over (`--zone ZONE.json`):
/// <c>{ "id": "gate-3", "polygon": [[x, y], ...] }</c> in the pictures' pixels, checked like a gate spec's zones.
/// </summary>
internal sealed record CountZone(string File, string Id, IReadOnlyList<Point2> Polygon)
{
    public static CountZone Load(string path)
    {
        var dto = GateSpecLoader.Deserialize<ZoneDto>(GateSpecLoader.ReadText(path), path);
        if (dto.Polygon is not { Count: >= 3 } points)
        {
            throw new GateSpecException(path, "$.polygon", "needs at least 3 points [x, y] in the pictures' pixels");
        }

        var polygon = GateSpecLoader.ToPolygon(points, "$.polygon", "the zone", path);
        return new CountZone(path, string.IsNullOrWhiteSpace(dto.Id) ? "zone" : dto.Id, polygon);
    }

    /// <summary>A zone drawn for other pictures would sum the wrong cells: refused where its first stray corner is.</summary>
    public void RequireInside(int width, int height, string picture)
    {
        for (var k = 0; k < Polygon.Count; k++)
        {
            var p = Polygon[k];
            if (p.X < 0 || p.Y < 0 || p.X > width || p.Y > height)
            {
                throw new GateSpecException(File, $"$.polygon[{k}]", $"{p} lies outside the {width}x{height} picture {picture}");
            }
        }
    }

    private sealed class ZoneDto
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
        [JsonPropertyName("polygon")] public List<double[]>? Polygon { get; set; }
    }
}
