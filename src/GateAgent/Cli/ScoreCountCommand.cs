using System.Globalization;
using GateWatch.Agent.Eval;

namespace GateWatch.Agent.Cli;

/// <summary>`score-count`: the count command's estimates against true counts, overall and per band of crowd size.</summary>
internal static class ScoreCountCommand
{
    public const string Usage = """
        GateAgent score-count --counts COUNTS.jsonl --truth counts.csv
          MAE, RMSE and mean relative error of the estimates, overall and per band of true count (0-20, 20-100,
          100+); counts.csv has a header with image and count columns (the layout of ../shared/data/crowd)
        """;

    private static readonly HashSet<string> Options = ["--counts", "--truth"];

    public static Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var cl = CommandLine.Parse(args, Options, new HashSet<string>());
        var truth = CountScorer.LoadTruth(cl.Require("--truth"));
        var countsPath = cl.Require("--counts");
        var counts = CountScorer.LoadCounts(countsPath);
        var missing = truth.Keys.Count(k => !counts.ContainsKey(k));
        var scored = truth.Count - missing;
        if (scored == 0)
        {
            throw new FormatException($"{countsPath}: none of its images is in the truth; are both of the same pictures?");
        }

        if (missing > 0)
        {
            Console.Error.WriteLine($"warning: {missing} of {truth.Count} pictures in the truth have no count in {countsPath}; they are not scored");
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine("band      pictures  mean true  mean est.     MAE    RMSE  mean rel. error");
        foreach (var s in CountScorer.Score(truth, counts))
        {
            Console.WriteLine(string.Format(inv, "{0,-8} {1,9} {2,10:F1} {3,10:F1} {4,7:F2} {5,7:F2} {6,16:P1}",
                s.Band, s.Pictures, s.MeanTruth, s.MeanEstimate, s.Mae, s.Rmse, s.MeanRelativeError));
        }

        return Task.FromResult(0);
    }
}
