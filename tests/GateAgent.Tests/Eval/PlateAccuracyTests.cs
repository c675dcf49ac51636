using GateWatch.Agent.Cli;
using GateWatch.Agent.Eval;
using GateWatch.Agent.Tests.Support;
using Xunit.Abstractions;

namespace GateWatch.Agent.Tests.Eval;

/// <summary>
/// The plate reader's floor on real plates nobody here photographed (../shared/data/plates): `plates` with its
/// defaults, scored by score-plates' scorer on the top read. Skipped without ../shared. Measured figures and the
/// commands are in bench/RESULTS.md; each floor sits a little below its measurement.
/// </summary>
public sealed class PlateAccuracyTests(ITestOutputHelper output)
{
    [RequiresFileFact("../shared/data/plates/vn-crops/truth.tsv")]
    public Task Vietnamese_crops_are_read_exactly() =>
        // Measured 65 of 66 (0.985): the miss is a blurred crop where no text line is found at all.
        Check("vn-crops", "vn", exactFloor: 0.95, foldedFloor: 0.95);

    [RequiresFileFact("../shared/data/plates/openalpr-eu/truth.tsv")]
    public Task European_photos_are_read_folded() =>
        // Measured folded 0.907: most misses are the round inspection sticker between district and number read as 8.
        Check("openalpr-eu", "any", exactFloor: 0.68, foldedFloor: 0.88);

    [RequiresFileFact("../shared/data/plates/openalpr-br/truth.tsv")]
    public Task Brazilian_photos_are_read_folded() =>
        // Measured folded 0.974, exact 0.921 (the I/1 and O/0 of Brazilian letter positions).
        Check("openalpr-br", "any", exactFloor: 0.89, foldedFloor: 0.94);

    private async Task Check(string set, string region, double exactFloor, double foldedFloor)
    {
        using var dir = new TempDir();
        var reads = dir.File("reads.jsonl");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var folder = TestPaths.Resolve($"../shared/data/plates/{set}");

        Assert.Equal(0, await PlatesCommand.RunAsync(["--input", folder, "--out", reads, "--region", region, "--threads", "2"], timeout.Token));

        var truth = PlateScorer.LoadTruth(Path.Combine(folder, "truth.tsv"));
        var score = PlateScorer.Score(truth, PlateScorer.LoadReads(reads))[0];
        output.WriteLine($"{set}: {score}");
        Assert.True(score.ExactRate >= exactFloor, $"{set}: exact {score.ExactRate:0.000} < {exactFloor}");
        Assert.True(score.FoldedRate >= foldedFloor, $"{set}: folded {score.FoldedRate:0.000} < {foldedFloor}");
    }
}
