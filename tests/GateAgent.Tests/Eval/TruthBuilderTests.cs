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

    /// <summary>crowdMin 2 for 3 s at 10 fps: `crowded` frames at 2, then `dip` frames at 1, then `crowded` at 2 again.</summary>
    private static List<(long Start, long End)> TwoGatherings(int crowded, int dip) =>
        TruthBuilder.Episodes(
            [.. Enumerable.Repeat(0, 5), .. Enumerable.Repeat(2, crowded), .. Enumerable.Repeat(1, dip), .. Enumerable.Repeat(2, crowded), 0],
            crowdMin: 2, crowdSeconds: 3, fps: 10);

    [Fact]
    public void Crowd_runs_with_a_dip_shorter_than_two_seconds_are_one_episode()
    {
        // 19 frames below crowdMin at 10 fps is 1.9 s.
        Assert.Equal([(5L, 5 + 40 + 19 + 40 - 1)], TwoGatherings(crowded: 40, dip: 19));
    }

    [Fact]
    public void Crowd_runs_two_seconds_apart_or_more_are_two_episodes()
    {
        Assert.Equal([(5L, 44L), (65L, 104L)], TwoGatherings(crowded: 40, dip: 20));
        Assert.Equal([(5L, 44L), (145L, 184L)], TwoGatherings(crowded: 40, dip: 100));
    }

    [Fact]
    public void A_crowded_blip_too_short_to_be_an_episode_does_not_join_one()
    {
        // The second run is 1 s long, under crowdSeconds: not an episode, so nothing to join.
        Assert.Equal(
            [(0L, 29L)],
            TruthBuilder.Episodes([.. Enumerable.Repeat(2, 30), .. Enumerable.Repeat(0, 5), .. Enumerable.Repeat(2, 10)], 2, 3, 10));
    }

    [Fact]
    public void The_spec_fps_is_the_clock_for_joining_episodes()
    {
        // The same 19-frame dip is 3.8 s at 5 fps: two episodes.
        var occupancy = (int[])[.. Enumerable.Repeat(2, 40), .. Enumerable.Repeat(0, 19), .. Enumerable.Repeat(2, 40)];
        Assert.Single(TruthBuilder.Episodes(occupancy, 2, 3, fps: 10));
        Assert.Equal([(0L, 39L), (59L, 98L)], TruthBuilder.Episodes(occupancy, 2, 3, fps: 5));
    }

    [Fact]
    public void Build_writes_joined_episodes_for_a_zone()
    {
        var spec = GateSpecLoader.Parse("""
            { "fps": 10, "zones": [ { "id": "z", "polygon": [[0, 0], [100, 0], [100, 100], [0, 100]], "crowdMin": 2, "crowdSeconds": 1 } ] }
            """, "t.json");
        var frames = new SortedDictionary<int, List<(int, Point2)>>();
        for (var f = 0; f < 40; f++)
        {
            // Two people in the zone, except that one steps out for frames 12-20 (0.9 s).
            var second = f is >= 12 and <= 20 ? new Point2(150, 50) : new Point2(60, 50);
            frames[f] = [(1, new Point2(50, 50)), (2, second)];
        }

        var zone = JsonDocument.Parse(TruthBuilder.Build(frames, spec, spec.Fps!.Value)).RootElement.GetProperty("zones").GetProperty("z");
        Assert.Equal("[[0,39]]", zone.GetProperty("episodes").GetRawText());
    }
}
