using System.Globalization;
using GateWatch.Agent.Cli;

namespace GateWatch.Bench;

/// <summary>What the capacity benchmark runs, from its command line and the repository's defaults.</summary>
internal sealed record CapacityOptions
{
    public const string Usage = """
        GateWatch.Bench capacity [options]
          --cameras LIST     camera counts to try, comma-separated (default 1,2,4,8,10)
          --seconds S        measured window per camera count, for the agent and for the reference (default 60)
          --warmup S         seconds each run settles before its window starts (default 15)
          --video FILE       footage the 720p camera clip is made from (default: ../shared/data/pets2009-s2l1/vtest.mp4,
                             else /usr/share/doc/opencv-doc/examples/data/vtest.avi)
          --gate SPEC.json   every camera's gate spec (default samples/pets-gate.json, scaled by the agent to 1280x720)
          --agent DLL        the agent to run (default src/GateAgent/bin/Release/net10.0/GateAgent.dll)
          --markdown FILE    also write the results as Markdown to FILE
          --wait-idle S      before each run, wait up to S seconds for other processes to leave the machine
                             idle, and run again (up to 3 tries) when they disturbed the window
        """;

    private static readonly HashSet<string> Names =
        ["--cameras", "--seconds", "--warmup", "--video", "--gate", "--agent", "--markdown", "--wait-idle"];

    public required string RepoRoot { get; init; }

    public required IReadOnlyList<int> Cameras { get; init; }

    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(15);

    public required string Video { get; init; }

    public required string Gate { get; init; }

    public required string AgentDll { get; init; }

    public string? Markdown { get; init; }

    public TimeSpan WaitIdle { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    public static CapacityOptions Parse(IReadOnlyList<string> args)
    {
        var cl = CommandLine.Parse(args, Names, new HashSet<string>());
        var root = RepoPaths.FindRoot();

        var sharedVideo = Path.Combine(RepoPaths.Shared(root), "data", "pets2009-s2l1", "vtest.mp4");
        var video = cl.Get("--video") ?? (File.Exists(sharedVideo) ? sharedVideo : ThroughputOptions.OpenCvSample);
        if (!File.Exists(video))
        {
            throw new BenchException($"{video}: no such video (pass --video)");
        }

        var gate = cl.Get("--gate") ?? Path.Combine(root, "samples", "pets-gate.json");
        if (!File.Exists(gate))
        {
            throw new BenchException($"{gate}: no such gate spec (pass --gate)");
        }

        return new CapacityOptions
        {
            RepoRoot = root,
            Cameras = ParseCounts(cl.Get("--cameras") ?? "1,2,4,8,10"),
            Window = TimeSpan.FromSeconds(cl.GetInt("--seconds", 60, 10, 3600)),
            Warmup = TimeSpan.FromSeconds(cl.GetInt("--warmup", 15, 5, 600)),
            Video = Path.GetFullPath(video),
            Gate = Path.GetFullPath(gate),
            AgentDll = Path.GetFullPath(cl.Get("--agent") ?? Path.Combine(root, "src", "GateAgent", "bin", "Release", "net10.0", "GateAgent.dll")),
            Markdown = cl.Get("--markdown"),
            WaitIdle = TimeSpan.FromSeconds(cl.GetInt("--wait-idle", 0, 0, 3600)),
            Arguments = [.. args],
        };
    }

    private static List<int> ParseCounts(string text)
    {
        var counts = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 64)
            {
                throw new UsageException($"--cameras: '{part}' is not a camera count from 1 to 64");
            }

            counts.Add(n);
        }

        return counts.Count > 0 ? [.. counts.Distinct().Order()] : throw new UsageException("--cameras lists no count");
    }

    /// <summary>The command line that reproduces this run, from the repository root.</summary>
    public string CommandText() => ShellText.Join("dotnet run -c Release --project bench/GateWatch.Bench -- capacity", Arguments);
}
