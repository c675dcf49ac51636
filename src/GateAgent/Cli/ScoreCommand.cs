using GateWatch.Agent.Eval;
using Spectre.Console;

namespace GateWatch.Agent.Cli;

/// <summary>`score`: an analysis run's events against ground truth, by the protocol of shared/eval/README.md.</summary>
internal static class ScoreCommand
{
    public const string Usage = """
        GateAgent score --events EVENTS.jsonl --truth TRUTH.json
        """;

    public static Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var cl = CommandLine.Parse(args, new HashSet<string> { "--events", "--truth" }, new HashSet<string>());
        var events = cl.Require("--events");
        var truthPath = cl.Require("--truth");
        foreach (var f in new[] { events, truthPath })
        {
            if (!File.Exists(f))
            {
                throw new UsageException($"{f}: no such file");
            }
        }

        var report = Scorer.Score(Scorer.ReadEvents(events), Scorer.ReadTruth(truthPath));
        Print(report);
        return Task.FromResult(0);
    }

    public static void Print(ScoreReport report)
    {
        var t = new Table().Title("Crossings").AddColumns("line", "precision", "recall", "F1", "in (pred/true)", "out (pred/true)");
        foreach (var l in report.Lines.Append(report.Overall))
        {
            t.AddRow(Markup.Escape(l.Line), $"{l.Precision:0.000}", $"{l.Recall:0.000}", $"{l.F1:0.000}",
                $"{l.PredIn}/{l.TrueIn} ({l.PredIn - l.TrueIn:+0;-0;0})", $"{l.PredOut}/{l.TrueOut} ({l.PredOut - l.TrueOut:+0;-0;0})");
        }

        AnsiConsole.Write(t);
        var z = new Table().Title("Zones").AddColumns("zone", "crowd episodes found", "false alarms", "occupancy MAE");
        foreach (var s in report.Zones)
        {
            z.AddRow(Markup.Escape(s.Zone), $"{s.EpisodesFound}/{s.EpisodesTrue}", s.FalseAlarms.ToString(),
                s.OccupancyMae is { } mae ? $"{mae:0.000}" : "n/a (analyze with --occupancy)");
        }

        AnsiConsole.Write(z);
    }
}
