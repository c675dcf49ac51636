using GateWatch.Agent.Api;
using GateWatch.Agent.Service;
using GateWatch.Shared.Tls;

namespace GateWatch.Agent.Cli;

/// <summary>`GateAgent tls-fingerprint`: what the admin gives the console when registering this agent.</summary>
internal static class TlsFingerprintCommand
{
    public const string Usage = """
        tls-fingerprint --config agent.json
            Prints the SHA-256 fingerprint of the certificate the API is served with (listen https://), making the
            agent's own certificate first if the config names none and none was made yet. Register the agent with
            it: GateConsole register-agent ... --fingerprint FINGERPRINT.
        """;

    private static readonly HashSet<string> Options = ["--config"];

    public static int Run(string[] args)
    {
        var cl = CommandLine.Parse(args, Options, new HashSet<string>());
        var config = AgentConfigLoader.Load(cl.Require("--config"));
        if (!config.ServesTls)
        {
            throw new AgentConfigException(config.File, "$.listen", $"is {config.Listen}: the API is not served over TLS, so there is no certificate to pin");
        }

        using var certificate = AgentCertificate.For(config, TimeProvider.System);
        Console.WriteLine(CertificatePin.Of(certificate));
        return 0;
    }
}
