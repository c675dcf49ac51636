using GateWatch.Agent.Gate;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Gate;

public sealed class GateSpecLoaderTests
{
    private const string File = "cams/gate-a.json";

    /// <summary>The shape of shared/eval/pets-gate.json, with a comment and a trailing comma as people write them.</summary>
    private const string PetsLike = """
        {
          // evaluation clip
          "video": "../data/pets2009-s2l1/vtest.mp4",
          "fps": 10,
          "frameSize": [768, 576],
          "lines": [
            { "id": "west", "a": [150, 170], "b": [150, 320], "insidePoint": [300, 250] },
            { "id": "east", "a": [560, 150], "b": [560, 340], "insidePoint": [400, 250] },
          ],
          "zones": [
            { "id": "junction", "polygon": [[380, 180], [640, 160], [720, 260], [700, 360], [420, 330]], "crowdMin": 4, "crowdSeconds": 3 }
          ]
        }
        """;

    private static string Spec(string line = """{ "id": "l1", "a": [100, 0], "b": [100, 200], "insidePoint": [150, 100] }""",
        string zone = """{ "id": "z1", "polygon": [[0, 0], [50, 0], [50, 50], [0, 50]], "crowdMin": 3, "crowdSeconds": 2 }""") =>
        $$"""{ "lines": [ {{line}} ], "zones": [ {{zone}} ] }""";

    private static GateSpecException Rejects(string json)
    {
        var e = Assert.Throws<GateSpecException>(() => GateSpecLoader.Parse(json, File));
        Assert.StartsWith(File + ": ", e.Message, StringComparison.Ordinal);
        Assert.Equal(File, e.File);
        Assert.Contains(e.JsonPath, e.Message, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void Parses_the_evaluation_spec()
    {
        var spec = GateSpecLoader.Parse(PetsLike, File);

        Assert.Equal("../data/pets2009-s2l1/vtest.mp4", spec.Video);
        Assert.Equal(10, spec.Fps);
        Assert.Equal((768, 576), spec.FrameSize);
        Assert.Equal(["west", "east"], spec.Lines.Select(l => l.Id));
        var west = spec.Lines[0];
        Assert.Equal(new Point2(150, 170), west.A);
        Assert.Equal(new Point2(150, 320), west.B);
        Assert.Equal(new Point2(300, 250), west.InsidePoint);
        // The inside point is on the line's positive or negative side; the two lines face opposite ways.
        Assert.Equal(-spec.Lines[1].InsideSign, west.InsideSign);
        var zone = Assert.Single(spec.Zones);
        Assert.Equal("junction", zone.Id);
        Assert.Equal(5, zone.Polygon.Count);
        Assert.Equal(new Point2(720, 260), zone.Polygon[2]);
        Assert.Equal(4, zone.CrowdMin);
        Assert.Equal(3, zone.CrowdSeconds);
    }

    [RequiresFileFact("../shared/eval/pets-gate.json")]
    public void Loads_the_shared_evaluation_spec_file()
    {
        var spec = GateSpecLoader.Load(Path.Combine(TestPaths.Shared, "eval", "pets-gate.json"));
        Assert.Equal(2, spec.Lines.Count);
        Assert.Single(spec.Zones);
    }

    [Fact]
    public void Zero_length_line_is_rejected_at_the_line()
    {
        var e = Rejects(Spec(line: """{ "id": "l1", "a": [100, 50], "b": [100, 50], "insidePoint": [150, 100] }"""));
        Assert.Equal("$.lines[0]", e.JsonPath);
        Assert.Contains("zero length", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inside_point_on_the_line_is_rejected()
    {
        // On the infinite line (beyond the segment's end too): it names no side.
        var e = Rejects(Spec(line: """{ "id": "l1", "a": [100, 0], "b": [100, 200], "insidePoint": [100, 300] }"""));
        Assert.Equal("$.lines[0].insidePoint", e.JsonPath);
    }

    [Fact]
    public void Self_intersecting_zone_is_rejected()
    {
        // An uneven bow-tie: its lobes do not cancel out, so only the crossing edges are wrong with it.
        var e = Rejects(Spec(zone: """{ "id": "z1", "polygon": [[0, 0], [50, 50], [50, 0], [0, 30]], "crowdMin": 3, "crowdSeconds": 2 }"""));
        Assert.Equal("$.zones[0].polygon", e.JsonPath);
        Assert.Contains("crosses itself", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Symmetric_bow_tie_zone_is_rejected_at_the_polygon()
    {
        // Its two lobes cancel to zero signed area; whichever check fires, the polygon is named.
        var e = Rejects(Spec(zone: """{ "id": "z1", "polygon": [[0, 0], [50, 50], [50, 0], [0, 50]], "crowdMin": 3, "crowdSeconds": 2 }"""));
        Assert.Equal("$.zones[0].polygon", e.JsonPath);
    }

    [Fact]
    public void Degenerate_zone_of_collinear_points_is_rejected()
    {
        var e = Rejects(Spec(zone: """{ "id": "z1", "polygon": [[0, 0], [10, 10], [20, 20], [30, 30]], "crowdMin": 3, "crowdSeconds": 2 }"""));
        Assert.Equal("$.zones[0].polygon", e.JsonPath);
        Assert.Contains("degenerate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zone_with_fewer_than_three_points_is_rejected()
    {
        var e = Rejects(Spec(zone: """{ "id": "z1", "polygon": [[0, 0], [10, 10]], "crowdMin": 3, "crowdSeconds": 2 }"""));
        Assert.Equal("$.zones[0].polygon", e.JsonPath);
    }

    [Fact]
    public void CrowdMin_zero_is_rejected()
    {
        var e = Rejects(Spec(zone: """{ "id": "z1", "polygon": [[0, 0], [50, 0], [50, 50], [0, 50]], "crowdMin": 0, "crowdSeconds": 2 }"""));
        Assert.Equal("$.zones[0].crowdMin", e.JsonPath);
    }

    [Fact]
    public void Negative_crowdSeconds_is_rejected()
    {
        var e = Rejects(Spec(zone: """{ "id": "z1", "polygon": [[0, 0], [50, 0], [50, 50], [0, 50]], "crowdMin": 2, "crowdSeconds": -1 }"""));
        Assert.Equal("$.zones[0].crowdSeconds", e.JsonPath);
    }

    [Fact]
    public void Unknown_field_is_rejected_with_its_path()
    {
        var e = Rejects(Spec(line: """{ "id": "l1", "a": [100, 0], "b": [100, 200], "insidePoint": [150, 100], "colour": "red" }"""));
        Assert.Contains("lines[0]", e.JsonPath, StringComparison.Ordinal);
        Assert.Equal("unknown field 'colour'", e.Problem);
        Assert.DoesNotContain("Dto", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_is_rejected()
    {
        var e = Rejects("""{ "lines": [ { "id": "l1", "a": [100, 0 """);
        Assert.StartsWith("$", e.JsonPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Point_that_is_not_a_pair_is_rejected()
    {
        var e = Rejects(Spec(line: """{ "id": "l1", "a": [100, 0, 5], "b": [100, 200], "insidePoint": [150, 100] }"""));
        Assert.Equal("$.lines[0].a", e.JsonPath);
    }

    [Fact]
    public void Duplicate_ids_are_rejected_even_between_a_line_and_a_zone()
    {
        var twoLines = $$"""
            { "lines": [
                { "id": "gate", "a": [100, 0], "b": [100, 200], "insidePoint": [150, 100] },
                { "id": "gate", "a": [300, 0], "b": [300, 200], "insidePoint": [350, 100] } ] }
            """;
        Assert.Equal("$.lines[1].id", Rejects(twoLines).JsonPath);

        var lineAndZone = Spec(zone: """{ "id": "l1", "polygon": [[0, 0], [50, 0], [50, 50], [0, 50]], "crowdMin": 3, "crowdSeconds": 2 }""");
        var e = Rejects(lineAndZone);
        Assert.Equal("$.zones[0].id", e.JsonPath);
        Assert.Contains("'l1'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spec_with_nothing_to_count_is_rejected()
    {
        Assert.Equal("$", Rejects("""{ "fps": 10 }""").JsonPath);
    }

    [Fact]
    public void Missing_file_names_the_file()
    {
        using var dir = new TempDir();
        var path = dir.File("no-such-gate.json");
        var e = Assert.Throws<GateSpecException>(() => GateSpecLoader.Load(path));
        Assert.Equal(path, e.File);
        Assert.StartsWith(path + ": $", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_reads_a_file_and_names_it_in_errors()
    {
        using var dir = new TempDir();
        var good = dir.File("good.json");
        System.IO.File.WriteAllText(good, Spec());
        Assert.Equal("l1", Assert.Single(GateSpecLoader.Load(good).Lines).Id);

        var bad = dir.File("bad.json");
        System.IO.File.WriteAllText(bad, Spec(line: """{ "id": "l1", "a": [1, 1], "b": [1, 1], "insidePoint": [150, 100] }"""));
        var e = Assert.Throws<GateSpecException>(() => GateSpecLoader.Load(bad));
        Assert.StartsWith(bad + ": $.lines[0]: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScaledTo_scales_every_point()
    {
        var spec = GateSpecLoader.Parse(PetsLike, File);
        var half = spec.ScaledTo(384, 288);

        Assert.Equal((384, 288), half.FrameSize);
        Assert.Equal(new Point2(75, 85), half.Lines[0].A);
        Assert.Equal(new Point2(75, 160), half.Lines[0].B);
        Assert.Equal(new Point2(150, 125), half.Lines[0].InsidePoint);
        Assert.Equal(new Point2(190, 90), half.Zones[0].Polygon[0]);
        Assert.Equal(new Point2(350, 180), half.Zones[0].Polygon[3]);
        // Non-uniform scaling applies each axis on its own.
        var wide = spec.ScaledTo(1536, 576);
        Assert.Equal(new Point2(300, 170), wide.Lines[0].A);
        Assert.Equal(spec.Zones[0].CrowdMin, wide.Zones[0].CrowdMin);
    }

    [Fact]
    public void ScaledTo_the_same_size_or_without_a_frame_size_changes_nothing()
    {
        var spec = GateSpecLoader.Parse(PetsLike, File);
        Assert.Same(spec, spec.ScaledTo(768, 576));

        var unsized = GateSpecLoader.Parse(Spec(), File);
        Assert.Null(unsized.FrameSize);
        Assert.Same(unsized, unsized.ScaledTo(1920, 1080));
    }
}
