using GateWatch.Agent.Service;

namespace GateWatch.Agent.Cli;

/// <summary>`GateAgent enrol`: the first link to the console, with the one-time code an admin made there.</summary>
internal static class EnrolCommand
{
    public const string Usage = """
        enrol --config agent.json --console URL --code CODE [--url AGENT_URL]
            Registers this agent with the console by the one-time code an admin made for its agentId (console:
            Admin > Enrol an agent, or GateConsole enrolment-code): sends the API address (--url, else the listen
            address), key and certificate fingerprint, and writes the console link it gets back into agent.json
            (edited in place; restart the agent afterwards). Nothing is changed when the console refuses.
        """;

    private static readonly HashSet<string> Options = ["--config", "--console", "--code", "--url"];

    /// <summary>Long enough for a console behind a slow park link, short enough that an installer is not left waiting.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var cl = CommandLine.Parse(args, Options, new HashSet<string>());
        var config = cl.Require("--config");
        var address = cl.Require("--console");
        if (!Uri.TryCreate(address, UriKind.Absolute, out var console))
        {
            throw new UsageException($"--console: '{Ffmpeg.Redact.Url(address)}' is not an address such as https://console.park.example/");
        }

        using var http = new HttpClient { Timeout = Timeout };
        try
        {
            var name = await ConsoleEnrolment.EnrolAsync(config, console, cl.Require("--code"), cl.Get("--url"), http, Console.Error, ct).ConfigureAwait(false);
            Console.WriteLine($"enrolled as '{name}' with the console at {Ffmpeg.Redact.Url(console.ToString())}; {Path.GetFullPath(config)} now holds its link: restart the agent");
            return 0;
        }
        catch (EnrolmentRefusedException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
