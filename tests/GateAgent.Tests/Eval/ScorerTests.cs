using GateWatch.Agent.Crowd;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Eval;
using GateWatch.Agent.Events;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Eval;

public sealed class ScorerTests
{
    private static readonly Truth TwoLines = new(
        Frames: 300,
        Lines:
        [
            new TruthLine("west", [(100, "in"), (150, "out"), (220, "in")]),
            new TruthLine("east", [(50, "out")]),
        ],
        Zones: []);

    private static PredictedEvents Crossings(params (string Line, string Direction, long Frame)[] crossings) =>
        new(crossings.Select(c => new PredictedCrossing(c.Line, c.Direction, c.Frame)).ToList(), [], new Dictionary<string, SortedDictionary<long, int>>());

    private static PredictedEvents Crowds(params (string Zone, long Start, long End)[] crowds) =>
        new([], crowds.Select(c => new PredictedCrowd(c.Zone, c.Start, c.End)).ToList(), new Dictionary<string, SortedDictionary<long, int>>());

    private static Truth OneEpisode(long start, long end) =>
        new(1000, [], [new TruthZone("junction", [(start, end)], [])]);

    [Fact]
    public void Truth_fed_back_as_predictions_scores_perfectly()
    {
        var echo = Crossings(TwoLines.Lines.SelectMany(l => l.Events.Select(e => (l.Id, e.Direction, e.Frame))).ToArray());
        var report = Scorer.Score(echo, TwoLines);

        Assert.All(report.Lines.Append(report.Overall), l =>
        {
            Assert.Equal(1.0, l.Precision);
            Assert.Equal(1.0, l.Recall);
            Assert.Equal(1.0, l.F1);
        });
        Assert.Equal(4, report.Overall.TruePositives);
        Assert.Equal((2, 1, 2, 1), (report.Lines[0].PredIn, report.Lines[0].PredOut, report.Lines[0].TrueIn, report.Lines[0].TrueOut));
    }

    [Fact]
    public void Fifteen_frames_off_matches_and_sixteen_does_not()
    {
        var truth = new Truth(300, [new TruthLine("west", [(100, "in")])], []);

        Assert.Equal(1, Scorer.Score(Crossings(("west", "in", 115)), truth).Overall.TruePositives);
        Assert.Equal(1, Scorer.Score(Crossings(("west", "in", 85)), truth).Overall.TruePositives);
        var late = Scorer.Score(Crossings(("west", "in", 116)), truth).Overall;
        Assert.Equal(0, late.TruePositives);
        Assert.Equal(0, late.F1);
        Assert.Equal(0, Scorer.Score(Crossings(("west", "in", 84)), truth).Overall.TruePositives);
    }

    [Fact]
    public void Wrong_direction_or_wrong_line_does_not_match()
    {
        var truth = new Truth(300, [new TruthLine("west", [(100, "in")]), new TruthLine("east", [])], []);
        Assert.Equal(0, Scorer.Score(Crossings(("west", "out", 100)), truth).Overall.TruePositives);
        var wrongLine = Scorer.Score(Crossings(("east", "in", 100)), truth);
        Assert.Equal(0, wrongLine.Overall.TruePositives);
        Assert.Equal(1, wrongLine.Lines.Single(l => l.Line == "east").Predicted);
    }

    [Fact]
    public void One_prediction_matches_only_one_truth_event()
    {
        var truth = new Truth(300, [new TruthLine("west", [(100, "in"), (104, "in")])], []);
        var report = Scorer.Score(Crossings(("west", "in", 102)), truth).Overall;
        Assert.Equal(1, report.TruePositives);
        Assert.Equal(1.0, report.Precision);
        Assert.Equal(0.5, report.Recall);
        Assert.Equal(2.0 / 3, report.F1, 9);
    }

    [Fact]
    public void Extra_predictions_lower_precision()
    {
        var truth = new Truth(300, [new TruthLine("west", [(100, "in")])], []);
        var report = Scorer.Score(Crossings(("west", "in", 100), ("west", "in", 101), ("west", "in", 200), ("west", "out", 100)), truth).Overall;
        Assert.Equal(1, report.TruePositives);
        Assert.Equal(4, report.Predicted);
        Assert.Equal(0.25, report.Precision);
        Assert.Equal(1.0, report.Recall);
    }

    [Fact]
    public void Crowd_episode_is_found_when_overlapping_and_starting_within_20_frames()
    {
        var truth = OneEpisode(100, 200);
        ZoneScore Z(long start, long end) => Scorer.Score(Crowds(("junction", start, end)), truth).Zones.Single();

        Assert.Equal((1, 0), (Z(120, 190).EpisodesFound, Z(120, 190).FalseAlarms));
        Assert.Equal(1, Z(80, 150).EpisodesFound);
        Assert.Equal(0, Z(121, 190).EpisodesFound);  // starts 21 frames late
        Assert.Equal(1, Z(121, 190).FalseAlarms);
        Assert.Equal(0, Z(79, 150).EpisodesFound);   // starts 21 frames early
    }

    [Fact]
    public void Crowd_prediction_that_does_not_overlap_is_not_a_find()
    {
        // Starts within 20 frames of the true start but ends before it.
        var z = Scorer.Score(Crowds(("junction", 85, 95)), OneEpisode(100, 200)).Zones.Single();
        Assert.Equal(0, z.EpisodesFound);
        Assert.Equal(1, z.FalseAlarms);
    }

    [Fact]
    public void Crowd_flag_with_no_true_episode_is_a_false_alarm()
    {
        var truth = OneEpisode(100, 200);
        var z = Scorer.Score(Crowds(("junction", 105, 190), ("junction", 500, 600), ("elsewhere", 100, 200)), truth).Zones.Single();
        Assert.Equal("junction", z.Zone);
        Assert.Equal(1, z.EpisodesFound);
        Assert.Equal(1, z.EpisodesTrue);
        Assert.Equal(1, z.FalseAlarms);
    }

    [Fact]
    public void Occupancy_error_carries_the_last_reported_count_forward()
    {
        var truth = new Truth(6, [], [new TruthZone("junction", [], [1, 1, 2, 2, 3, 3])]);
        var reported = new SortedDictionary<long, int> { [0] = 1, [2] = 3, [5] = 3 };
        var predicted = new PredictedEvents([], [], new Dictionary<string, SortedDictionary<long, int>> { ["junction"] = reported });

        // Carried forward: 1, 1, 3, 3, 3, 3 against 1, 1, 2, 2, 3, 3: errors 0, 0, 1, 1, 0, 0.
        Assert.Equal(2.0 / 6, Scorer.Score(predicted, truth).Zones.Single().OccupancyMae!.Value, 9);
    }

    [Fact]
    public void Occupancy_before_the_first_report_counts_as_zero()
    {
        var truth = new Truth(4, [], [new TruthZone("junction", [], [2, 2, 2, 2])]);
        var predicted = new PredictedEvents([], [], new Dictionary<string, SortedDictionary<long, int>> { ["junction"] = new() { [2] = 2 } });
        Assert.Equal(1.0, Scorer.Score(predicted, truth).Zones.Single().OccupancyMae!.Value, 9);
    }

    [Fact]
    public void Occupancy_error_is_absent_without_occupancy_events()
    {
        var truth = new Truth(4, [], [new TruthZone("junction", [], [2, 2, 2, 2])]);
        Assert.Null(Scorer.Score(Crowds(), truth).Zones.Single().OccupancyMae);
    }

    [Fact]
    public void ReadEvents_reads_what_the_agent_writes()
    {
        using var dir = new TempDir();
        var path = dir.File("events.jsonl");
        var t = DateTimeOffset.UnixEpoch;
        File.WriteAllLines(path,
        [
            EventJson.Crossing(new Crossing("east", Direction.In, 187, t, 12, ObjectClass.Person)),
            EventJson.Crossing(new Crossing("west", Direction.Out, 191, t, 16, ObjectClass.Car)),
            "",
            EventJson.Crowd(new CrowdEpisode("junction", 35, t, 65, t, 155, t, 6)),
            EventJson.Occupancy(new OccupancyEvent("junction", 0, t, 2)),
            EventJson.Occupancy(new OccupancyEvent("junction", 1, t, 3)),
        ]);

        var events = Scorer.ReadEvents(path);

        Assert.Equal([new PredictedCrossing("east", "in", 187), new PredictedCrossing("west", "out", 191)], events.Crossings);
        Assert.Equal(new PredictedCrowd("junction", 35, 155), Assert.Single(events.Crowds));
        Assert.Equal([(0L, 2), (1L, 3)], events.Occupancy["junction"].Select(kv => (kv.Key, kv.Value)));
    }

    [Theory]
    [InlineData("{\"type\":\"crossing\",\"line\":\"east\"")]                       // cut short
    [InlineData("{\"type\":\"crossing\",\"line\":\"east\",\"direction\":\"in\"}")] // no frame
    [InlineData("{\"type\":\"teleport\",\"frame\":3}")]                            // unknown type
    [InlineData("not json at all")]
    public void ReadEvents_names_file_and_line_of_a_malformed_event(string bad)
    {
        using var dir = new TempDir();
        var path = dir.File("events.jsonl");
        File.WriteAllLines(path,
        [
            """{"type":"occupancy","zone":"junction","frame":0,"count":2}""",
            """{"type":"crossing","line":"east","direction":"in","frame":187}""",
            bad,
        ]);

        var e = Assert.Throws<FormatException>(() => Scorer.ReadEvents(path));
        Assert.StartsWith($"{path}:3:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadTruth_reads_lines_zones_and_occupancy()
    {
        using var dir = new TempDir();
        var path = dir.File("truth.json");
        File.WriteAllText(path, """
            {"frames": 5, "fps": 10,
             "lines": {"west": {"in": 1, "out": 1, "events": [[3, 7, "in"], [4, 8, "out"]]}},
             "zones": {"junction": {"episodes": [[1, 3]], "occupancy": [0, 4, 4, 4, 1]}}}
            """);

        var truth = Scorer.ReadTruth(path);

        Assert.Equal(5, truth.Frames);
        var west = Assert.Single(truth.Lines);
        Assert.Equal("west", west.Id);
        Assert.Equal([(3L, "in"), (4L, "out")], west.Events);
        var zone = Assert.Single(truth.Zones);
        Assert.Equal([(1L, 3L)], zone.Episodes);
        Assert.Equal([0, 4, 4, 4, 1], zone.Occupancy);
    }

    [Fact]
    public void ReadTruth_joins_episodes_less_than_two_seconds_apart_by_the_files_clock()
    {
        using var dir = new TempDir();
        var path = dir.File("truth.json");
        const string zones = """ "zones": {"z": {"episodes": [[10, 50], [60, 100], [200, 240]]}} """;
        File.WriteAllText(path, """{"fps": 10, "lines": {},""" + zones + "}");
        Assert.Equal([(10L, 100L), (200L, 240L)], Scorer.ReadTruth(path).Zones.Single().Episodes);

        // Without its clock a file is taken as it stands.
        File.WriteAllText(path, """{"lines": {},""" + zones + "}");
        Assert.Equal(3, Scorer.ReadTruth(path).Zones.Single().Episodes.Count);
    }

    [Fact]
    public void ReadTruth_rejects_a_file_of_another_shape_naming_it()
    {
        using var dir = new TempDir();
        var path = dir.File("truth.json");
        File.WriteAllText(path, """{"lines": {"west": {"events": [[3]]}}}""");
        var e = Assert.Throws<FormatException>(() => Scorer.ReadTruth(path));
        Assert.StartsWith(path + ":", e.Message, StringComparison.Ordinal);
    }

    [RequiresFileFact("../shared/eval/pets-gate.truth.json")]
    public void Shared_ground_truth_scores_itself_perfectly()
    {
        var truth = Scorer.ReadTruth(Path.Combine(TestPaths.Shared, "eval", "pets-gate.truth.json"));
        Assert.Equal(795, truth.Frames);
        Assert.Equal(10, truth.Lines.Single(l => l.Id == "west").Events.Count);
        Assert.Equal(25, truth.Lines.Single(l => l.Id == "east").Events.Count);
        var junction = truth.Zones.Single(z => z.Id == "junction");
        Assert.Equal([(35L, 155L), (699L, 744L)], junction.Episodes);

        var echo = new PredictedEvents(
            truth.Lines.SelectMany(l => l.Events.Select(e => new PredictedCrossing(l.Id, e.Direction, e.Frame))).ToList(),
            junction.Episodes.Select(e => new PredictedCrowd("junction", e.Start, e.End)).ToList(),
            new Dictionary<string, SortedDictionary<long, int>>
            {
                ["junction"] = new(junction.Occupancy.Select((c, f) => (c, f)).ToDictionary(x => (long)x.f, x => x.c)),
            });
        var report = Scorer.Score(echo, truth);
        Assert.Equal(1.0, report.Overall.F1);
        var z = report.Zones.Single();
        Assert.Equal((2, 2, 0), (z.EpisodesFound, z.EpisodesTrue, z.FalseAlarms));
        Assert.Equal(0, z.OccupancyMae);
    }
}
