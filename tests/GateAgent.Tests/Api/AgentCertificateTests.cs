using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using GateWatch.Agent.Api;
using GateWatch.Agent.Cli;
using GateWatch.Agent.Service;
using GateWatch.Agent.Tests.Support;
using Microsoft.Extensions.Logging;

namespace GateWatch.Agent.Tests.Api;

/// <summary>
/// The agent's API over TLS: with a certificate it makes once and keeps (its fingerprint is what the console pins),
/// or with the park's own; served by the real host, and plain http refused on the same port.
/// </summary>
public sealed class AgentCertificateTests : IDisposable
{
    private const string Key = "agent-key-for-tls-tests-0123";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_agent_makes_its_certificate_once_keeps_its_key_private_and_names_its_address()
    {
        var config = Config("https://10.1.2.3:8710");

        using var first = AgentCertificate.For(config, TimeProvider.System);
        using var again = AgentCertificate.For(config, TimeProvider.System);

        Assert.Equal(first.Thumbprint, again.Thumbprint);
        Assert.True(again.HasPrivateKey);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(config.DataDir, "tls", "agent.key")));
        }

        var names = first.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains(IPAddress.Parse("10.1.2.3"), names.EnumerateIPAddresses());
        Assert.Contains("localhost", names.EnumerateDnsNames());
        Assert.True(first.NotAfter > DateTime.Now.AddYears(10), "a gate box must not stop answering because its certificate aged");
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(config.DataDir, "tls")), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void A_certificate_that_does_not_go_with_its_key_is_refused_naming_both_files()
    {
        var (certificate, _) = WriteOwnCertificate("a");
        var (_, otherKey) = WriteOwnCertificate("b");
        var config = Config("https://127.0.0.1:8710") with { TlsCertificateFile = certificate, TlsKeyFile = otherKey };

        var e = Assert.Throws<AgentConfigException>(() => AgentCertificate.For(config, TimeProvider.System));

        Assert.Contains($"{certificate} and {otherKey} are not a PEM certificate and its private key", e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{config.File}: $.tls: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void There_is_no_fingerprint_to_print_for_an_agent_on_plain_http()
    {
        var config = Config("http://127.0.0.1:8710");

        var e = Assert.Throws<AgentConfigException>(() => TlsFingerprintCommand.Run(["--config", config.File]));

        Assert.Contains("not served over TLS", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(config.DataDir, "tls")));
    }

    [Fact]
    public async Task The_host_serves_its_own_certificate_and_refuses_plain_http_on_the_port()
    {
        var port = RtspTestServer.FreePort();
        var config = Config($"https://127.0.0.1:{port}");
        using var made = AgentCertificate.For(config, TimeProvider.System);

        var health = await HealthOverTlsAsync(config, port);

        Assert.Equal(made.Thumbprint, health.Presented);
        Assert.Equal("gate-tls", health.Body.GetProperty("agent").GetString());
    }

    [Fact]
    public async Task The_host_serves_the_parks_own_certificate_when_the_config_names_it()
    {
        var port = RtspTestServer.FreePort();
        var (certificate, key) = WriteOwnCertificate("park");
        var config = Config($"https://127.0.0.1:{port}") with { TlsCertificateFile = certificate, TlsKeyFile = key };

        var health = await HealthOverTlsAsync(config, port);

        Assert.Equal(X509Certificate2.CreateFromPem(File.ReadAllText(certificate)).Thumbprint, health.Presented);
        Assert.False(Directory.Exists(Path.Combine(config.DataDir, "tls")), "no certificate of its own is made when the config names one");
    }

    private static async Task<(string Presented, JsonElement Body)> HealthOverTlsAsync(AgentConfig config, int port)
    {
        await using var app = AgentHost.Build(config, logging: l => l.ClearProviders());
        await app.StartAsync();
        try
        {
            string? presented = null;
            using var tls = new HttpClient(new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, c, _, _) =>
                {
                    presented = c!.Thumbprint;
                    return true;
                },
            });
            tls.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
            var body = JsonDocument.Parse(await tls.GetStringAsync(new Uri($"https://127.0.0.1:{port}/api/health"))).RootElement.Clone();

            using var plain = new HttpClient();
            plain.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetStringAsync(new Uri($"http://127.0.0.1:{port}/api/health")));
            return (presented!, body);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private AgentConfig Config(string listen)
    {
        var file = Path.Combine(_dir.Path, "agent.json");
        File.WriteAllText(file, JsonSerializer.Serialize(new
        {
            agentId = "gate-tls",
            listen,
            apiKey = Key,
            dataDir = "data",
            retention = new { lowDiskFreeMB = 10 },
            // Nothing listens on port 9: the camera stays offline, which does not keep the API from answering.
            cameras = new[] { new { id = "north-1", main = "rtsp://127.0.0.1:9/none" } },
        }));
        return AgentConfigLoader.Load(file);
    }

    /// <summary>A certificate as a park's CA would issue one, written as PEM files: (certificate, key).</summary>
    private (string Certificate, string Key) WriteOwnCertificate(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN=gate {name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var certificatePath = Path.Combine(_dir.Path, $"{name}.crt");
        var keyPath = Path.Combine(_dir.Path, $"{name}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
