using System.Text.Json;
using GateWatch.Agent.Eval;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Eval;

public sealed class TruthBuilderTests
{
    private const string Annotations = "../shared/data/pets2009-s2l1/PETS2009-S2L1.xml";
    private const string Spec = "../shared/eval/pets-gate.json";
    private const string Truth = "../shared/eval/pets-gate.truth.json";

    [RequiresFileFact(Annotations, Spec, Truth)]
    public void Reproduces_the_teams_ground_truth_from_the_annotations()
    {
        var built = JsonDocument.Parse(TruthBuilder.Build(
            TruthBuilder.ReadCvml(TestPaths.Resolve(Annotations)), GateSpecLoader.Load(TestPaths.Resolve(Spec)), 10)).RootElement;
        var team = JsonDocument.Parse(File.ReadAllText(TestPaths.Resolve(Truth))).RootElement;

        foreach (var line in team.GetProperty("lines").EnumerateObject())
        {
            static List<string> Events(JsonElement l) =>
                l.GetProperty("events").EnumerateArray()
                    .Select(e => $"{e[0].GetInt32()} {e[1].GetInt32()} {e[2].GetString()}").Order(StringComparer.Ordinal).ToList();
            Assert.Equal(Events(line.Value), Events(built.GetProperty("lines").GetProperty(line.Name)));
        }

        var zone = team.GetProperty("zones").GetProperty("junction");
        var mine = built.GetProperty("zones").GetProperty("junction");
        static string Episodes(JsonElement z) =>
            string.Join(";", z.GetProperty("episodes").EnumerateArray().Select(e => $"{e[0].GetInt32()}-{e[1].GetInt32()}"));
        Assert.Equal(Episodes(zone), Episodes(mine));
        Assert.Equal(
            zone.GetProperty("occupancy").EnumerateArray().Select(v => v.GetInt32()),
            mine.GetProperty("occupancy").EnumerateArray().Select(v => v.GetInt32()));
    }

    [Fact]
    public void A_step_across_the_segment_counts_and_one_past_its_end_does_not()
    {
        var spec = GateSpecLoader.Parse("""
            { "lines": [ { "id": "gate", "a": [100, 0], "b": [100, 100], "insidePoint": [200, 50] } ] }
            """, "t.json");
        var frames = new SortedDictionary<int, List<(int, Point2)>>
        {
            [0] = [(1, new Point2(90, 50)), (2, new Point2(90, 150))],
            [1] = [(1, new Point2(110, 50)), (2, new Point2(110, 150))],
            [2] = [(1, new Point2(95, 50))],
        };

        var lines = JsonDocument.Parse(TruthBuilder.Build(frames, spec, 10)).RootElement.GetProperty("lines").GetProperty("gate");
        Assert.Equal("[[1,1,\"in\"],[2,1,\"out\"]]", lines.GetProperty("events").GetRawText());
    }
}
