using GateWatch.Agent.Service;

namespace GateWatch.Agent.Cli;

/// <summary>`GateAgent run`: the long-running edge service.</summary>
internal static class RunCommand
{
    public const string Usage = """
        run --config agent.json
            The edge service: records and analyses every camera in the file, serves the local API, delivers
            events to the console. Camera changes in the file apply without a restart. Example file:
        """;

    private static readonly HashSet<string> Options = ["--config"];

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var cl = CommandLine.Parse(args, Options, new HashSet<string>());
        var config = AgentConfigLoader.Load(cl.Require("--config"));
        await using var app = AgentHost.Build(config);
        await app.RunAsync(ct).ConfigureAwait(false);
        return 0;
    }
}
