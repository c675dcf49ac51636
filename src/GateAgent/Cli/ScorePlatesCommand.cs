using System.Globalization;
using GateWatch.Agent.Eval;

namespace GateWatch.Agent.Cli;

/// <summary>`score-plates`: the plates command's reads against a checked truth table or OpenALPR label files.</summary>
internal static class ScorePlatesCommand
{
    public const string Usage = """
        GateAgent score-plates --reads READS.jsonl --truth TRUTH.tsv|LABEL_DIR
          per picture the top read against the truth: exact (letters and digits), folded (O=0, I=1 too),
          canonical (the whole text, when the truth has a layout), and whether any read had it
        """;

    private static readonly HashSet<string> Options = ["--reads", "--truth"];

    public static Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var cl = CommandLine.Parse(args, Options, new HashSet<string>());
        var readsPath = cl.Require("--reads");
        if (!File.Exists(readsPath))
        {
            throw new UsageException($"--reads {readsPath}: no such file");
        }

        var truth = PlateScorer.LoadTruth(cl.Require("--truth"));
        var reads = PlateScorer.LoadReads(readsPath);
        var missing = truth.Count(t => !reads.ContainsKey(t.Image));
        if (missing > 0)
        {
            Console.Error.WriteLine($"warning: {missing} pictures in the truth have no line in {readsPath}; they count as unread");
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine("group       pictures  exact          folded         canonical  any read  unread");
        foreach (var s in PlateScorer.Score(truth, reads))
        {
            Console.WriteLine(string.Format(inv, "{0,-10} {1,9}  {2,4} ({3,6:P1})  {4,4} ({5,6:P1})  {6,9}  {7,8}  {8,6}",
                s.Group, s.Pictures, s.Exact, s.ExactRate, s.Folded, s.FoldedRate, s.Canonical, s.Anywhere, s.Unread));
        }

        return Task.FromResult(0);
    }
}
