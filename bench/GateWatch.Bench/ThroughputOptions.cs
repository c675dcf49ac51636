using GateWatch.Agent.Cli;
using GateWatch.Agent.Detect;

namespace GateWatch.Bench;

/// <summary>What the throughput benchmark runs on, from its command line and the repository's defaults.</summary>
internal sealed record ThroughputOptions
{
    public const string Usage = """
        GateWatch.Bench throughput [options]
          --video FILE       clip to run (default: ../shared/data/pets2009-s2l1/vtest.mp4,
                             else /usr/share/doc/opencv-doc/examples/data/vtest.avi)
          --gate SPEC.json   gate lines and zones (default: ../shared/eval/pets-gate.json, else a built-in copy)
          --model FILE       detector (default: models/yolox_nano_640x384.onnx)
          --repeat N         measure everything N times and report the median (default 1)
          --infer-runs K     timed inferences per thread count for the model reference (default 200)
          --still-seconds S  length of the still-scene clip for the motion-gating run (default 60)
          --markdown FILE    also write the results as Markdown to FILE
          --wait-idle S      before each measurement, wait up to S seconds for other processes to leave
                             the machine idle, and measure again (up to 3 tries) when they disturbed it
                             (default 0: measure once, at once; the report says how busy the machine was)
        """;

    /// <summary>PETS 2009 S2.L1 as OpenCV ships it, for machines without the team's shared folder.</summary>
    public const string OpenCvSample = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

    /// <summary>Same lines and zone as ../shared/eval/pets-gate.json, so the benchmark runs without the shared folder.</summary>
    public const string BuiltInGate = """
        {
          "fps": 10,
          "frameSize": [768, 576],
          "lines": [
            { "id": "west", "a": [150, 170], "b": [150, 320], "insidePoint": [300, 250] },
            { "id": "east", "a": [560, 150], "b": [560, 340], "insidePoint": [400, 250] }
          ],
          "zones": [
            { "id": "junction", "polygon": [[380, 180], [640, 160], [720, 260], [700, 360], [420, 330]], "crowdMin": 4, "crowdSeconds": 3 }
          ]
        }
        """;

    private static readonly HashSet<string> Names =
        ["--video", "--gate", "--model", "--repeat", "--infer-runs", "--still-seconds", "--markdown", "--wait-idle"];

    public required string RepoRoot { get; init; }

    public required string Video { get; init; }

    /// <summary>The gate spec file, or null for <see cref="BuiltInGate"/>.</summary>
    public string? Gate { get; init; }

    public required string Model { get; init; }

    public int Repeat { get; init; } = 1;

    public int InferRuns { get; init; } = 200;

    public int StillSeconds { get; init; } = 60;

    public string? Markdown { get; init; }

    /// <summary>Longest wait for an idle machine before each measurement; zero measures at once.</summary>
    public TimeSpan WaitIdle { get; init; }

    /// <summary>The arguments as given, to print the command that reproduces the run.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The ORT thread counts compared; the target machine has two cores.</summary>
    public IReadOnlyList<int> Threads { get; init; } = [1, 2];

    public static ThroughputOptions Parse(IReadOnlyList<string> args)
    {
        var cl = CommandLine.Parse(args, Names, new HashSet<string>());
        var root = RepoPaths.FindRoot();
        var shared = RepoPaths.Shared(root);

        var sharedVideo = Path.Combine(shared, "data", "pets2009-s2l1", "vtest.mp4");
        var video = cl.Get("--video") ?? (File.Exists(sharedVideo) ? sharedVideo : OpenCvSample);
        if (!File.Exists(video))
        {
            throw new BenchException($"{video}: no such video (pass --video)");
        }

        var sharedGate = Path.Combine(shared, "eval", "pets-gate.json");
        var gate = cl.Get("--gate") ?? (File.Exists(sharedGate) ? sharedGate : null);

        return new ThroughputOptions
        {
            RepoRoot = root,
            Video = Path.GetFullPath(video),
            Gate = gate is null ? null : Path.GetFullPath(gate),
            Model = Path.GetFullPath(cl.Get("--model") ?? Path.Combine(root, "models", ModelFile.DefaultName)),
            Repeat = cl.GetInt("--repeat", 1, 1, 50),
            InferRuns = cl.GetInt("--infer-runs", 200, 10, 100_000),
            StillSeconds = cl.GetInt("--still-seconds", 60, 5, 3600),
            Markdown = cl.Get("--markdown"),
            WaitIdle = TimeSpan.FromSeconds(cl.GetInt("--wait-idle", 0, 0, 3600)),
            Arguments = [.. args],
        };
    }

    /// <summary>The command line that reproduces this run, from the repository root.</summary>
    public string CommandText() => ShellText.Join("dotnet run -c Release --project bench/GateWatch.Bench -- throughput", Arguments);
}
