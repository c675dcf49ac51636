using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using GateWatch.Agent.Api;
using GateWatch.Agent.Service;
using GateWatch.Central.Agents;
using GateWatch.Central.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace GateWatch.Central.Tests.Agents;

/// <summary>
/// A real agent serving its API over TLS with the certificate it made itself: the console talks to it only when
/// registered with that certificate's fingerprint, and refuses, saying why, an agent that shows another one or
/// an unpinned certificate no CA vouches for.
/// </summary>
public sealed class AgentTlsTests : IAsyncLifetime
{
    private const string AgentKey = "agent-api-key-for-tls-tests";
    private readonly string _dir = Directory.CreateTempSubdirectory("gateconsole-tls-").FullName;
    private WebApplication? _agent;
    private Uri _url = null!;
    private string _fingerprint = "";
    private TestConsole _console = null!;

    public async Task InitializeAsync()
    {
        (_agent, _url) = await LocalAgent.StartAsync(_dir, port => new
        {
            agentId = "gate-tls",
            listen = $"https://127.0.0.1:{port}",
            apiKey = AgentKey,
            dataDir = "data",
            retention = new { lowDiskFreeMB = 10 },
            // Nothing listens on port 9: the camera stays offline, which the API answers about all the same.
            cameras = new[] { new { id = "north-1", main = "rtsp://127.0.0.1:9/none" } },
        });
        using var made = AgentCertificate.For(AgentConfigLoader.Load(Path.Combine(_dir, "agent.json")), TimeProvider.System);
        _fingerprint = Colons(SHA256.HashData(made.RawData));
        _console = await TestConsole.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
        await LocalAgent.StopAsync(_agent);
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_pinned_agent_answers_over_tls()
    {
        Assert.Equal("https", _url.Scheme);
        await RegisterAsync("gate-tls", _fingerprint.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant());

        var health = await _console.Services.GetRequiredService<AgentClient>().GetJsonAsync("gate-tls", "api/health", CancellationToken.None);

        Assert.Equal("gate-tls", health.GetProperty("agent").GetString());
        using var admin = await _console.SignedInAsync("admin1");
        var listed = (await admin.GetFromJsonAsync<JsonElement>("api/admin/agents")).EnumerateArray().Single();
        Assert.Equal(_fingerprint, listed.GetProperty("tlsPin").GetString());
    }

    [Fact]
    public async Task An_agent_showing_another_certificate_is_refused_with_both_fingerprints()
    {
        var other = Colons(RandomNumberGenerator.GetBytes(32));
        await RegisterAsync("gate-tls", other);
        using var reviewer = await _console.SignedInAsync("reviewer1");

        var r = await reviewer.GetAsync("api/recordings/gate-tls/north-1/segments");

        Assert.Equal(HttpStatusCode.BadGateway, r.StatusCode);
        var detail = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains($"presented a certificate with SHA-256 {_fingerprint}", detail, StringComparison.Ordinal);
        Assert.Contains($"pinned at its registration ({other})", detail, StringComparison.Ordinal);
        Assert.Contains("nothing was sent", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unpinned_agent_with_its_own_certificate_is_not_trusted()
    {
        await RegisterAsync("gate-tls", null);

        var e = await Assert.ThrowsAsync<AgentUnavailableException>(() =>
            _console.Services.GetRequiredService<AgentClient>().GetJsonAsync("gate-tls", "api/health", CancellationToken.None));

        Assert.Contains("its certificate is not trusted", e.Message, StringComparison.Ordinal);
        Assert.Contains("pin-agent", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Re_pinning_an_agent_trusts_its_new_certificate_and_is_audited()
    {
        await RegisterAsync("gate-tls", Colons(new byte[32]));
        using var admin = await _console.SignedInAsync("admin1");

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("api/admin/agents/gate-tls/tls-pin", new { fingerprint = "not-hex" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("api/admin/agents/nobody/tls-pin", new { fingerprint = _fingerprint })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync("api/admin/agents/gate-tls/tls-pin", new { fingerprint = _fingerprint })).StatusCode);

        var health = await _console.Services.GetRequiredService<AgentClient>().GetJsonAsync("gate-tls", "api/health", CancellationToken.None);
        Assert.Equal("gate-tls", health.GetProperty("agent").GetString());
        var audit = await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=agent-pinned");
        Assert.Equal([$"pinned {_fingerprint}"], audit.EnumerateArray().Select(a => a.GetProperty("detail").GetString()));
    }

    [Fact]
    public void A_fingerprint_is_refused_for_a_plain_http_agent_and_when_it_is_not_a_sha256()
    {
        var registry = _console.Services.GetRequiredService<AgentRegistry>();

        var plain = Assert.Throws<AgentException>(() => registry.Register("gate-plain", "", new Uri("http://127.0.0.1:8710/"), AgentKey, _fingerprint));
        Assert.Contains("https://", plain.Message, StringComparison.Ordinal);
        var shortOne = Assert.Throws<AgentException>(() => registry.Register("gate-short", "", _url, AgentKey, "AB:CD"));
        Assert.Contains("64 hex digits", shortOne.Message, StringComparison.Ordinal);
    }

    /// <summary>A SHA-256 as openssl prints it, the form the console shows (the product's own formatter is in both assemblies under test).</summary>
    private static string Colons(byte[] hash) => string.Join(':', Convert.ToHexString(hash).Chunk(2).Select(p => new string(p)));

    private async Task RegisterAsync(string id, string? fingerprint)
    {
        using var admin = await _console.SignedInAsync("admin1");
        var r = await admin.PostAsJsonAsync("api/admin/agents", new { id, name = id, url = _url, apiKey = AgentKey, fingerprint });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
    }
}
