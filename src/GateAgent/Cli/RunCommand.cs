using GateWatch.Agent.Service;

namespace GateWatch.Agent.Cli;

/// <summary>`GateAgent run`: the long-running edge service.</summary>
internal static class RunCommand
{
    public const string Usage = """
        run --config agent.json [--log-format text|json]
            The edge service: records and analyses every camera in the file, serves the local API, delivers
            events to the console. Camera changes in the file apply without a restart. Example file:
        """;

    private static readonly HashSet<string> Options = ["--config", "--log-format"];

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var cl = CommandLine.Parse(args, Options, new HashSet<string>());
        var format = cl.Get("--log-format") ?? "text";
        if (format is not ("text" or "json"))
        {
            throw new UsageException($"--log-format: '{format}' is neither text nor json");
        }

        var config = AgentConfigLoader.Load(cl.Require("--config"));
        await using var app = AgentHost.Build(config, jsonLogs: format == "json");
        try
        {
            await app.RunAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            throw new AgentConfigException(config.File, "$.listen", $"{e.Message} Another process (often a second agent) holds the port; stop it or choose another address.");
        }

        return 0;
    }
}
