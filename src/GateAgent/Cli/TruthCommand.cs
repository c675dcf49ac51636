using GateWatch.Agent.Eval;

namespace GateWatch.Agent.Cli;

/// <summary>`truth`: ground truth for any gate spec from per-frame annotated boxes, by the evaluation protocol.</summary>
internal static class TruthCommand
{
    public const string Usage = """
        GateAgent truth --annotations PETS.xml --gate SPEC.json --out TRUTH.json
          ground truth for any spec from per-frame annotated boxes (CVML), by the same protocol
        """;

    /// <summary>The clock when a spec names none: the frame rate PETS 2009 declares, which the annotations count in.</summary>
    private const double DefaultFps = 10;

    public static Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var cl = CommandLine.Parse(args, new HashSet<string> { "--annotations", "--gate", "--out" }, new HashSet<string>());
        var spec = Gate.GateSpecLoader.Load(cl.Require("--gate"));
        var annotations = cl.Require("--annotations");
        if (!File.Exists(annotations))
        {
            throw new UsageException($"{annotations}: no such file");
        }

        var json = TruthBuilder.Build(TruthBuilder.ReadCvml(annotations), spec, spec.Fps ?? DefaultFps);
        File.WriteAllText(cl.Require("--out"), json);
        return Task.FromResult(0);
    }
}
