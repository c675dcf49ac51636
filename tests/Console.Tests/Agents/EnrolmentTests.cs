using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using GateWatch.Agent.Api;
using GateWatch.Agent.Service;
using GateWatch.Central.Agents;
using GateWatch.Central.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace GateWatch.Central.Tests.Agents;

/// <summary>
/// An agent enrols itself with the one-time code an admin made in the console: the real enrol code path against the
/// real console, over loopback. The code works once, for its own agent id, until it expires; a refusal changes neither
/// the console nor the agent's config.
/// </summary>
public sealed class EnrolmentTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gateconsole-enrol-").FullName;
    private TestConsole _console = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        _admin = await _console.SignedInAsync("admin1");
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _console.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task An_agent_enrolled_by_code_is_registered_pinned_and_its_config_carries_the_link_with_its_comments_kept()
    {
        var config = WriteConfig("north", "gate-north");
        var code = await MakeCodeAsync("gate-north", "North gate");

        var name = await EnrolAsync(config, _console.Url, code.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal));

        Assert.Equal("North gate", name);
        var text = await File.ReadAllTextAsync(config);
        Assert.Contains("// the north gate's box", text, StringComparison.Ordinal);
        var loaded = AgentConfigLoader.Load(config);
        Assert.Equal(_console.Url, loaded.Console!.Url);
        var registry = _console.Services.GetRequiredService<AgentRegistry>();
        Assert.True(registry.Authenticate("gate-north", loaded.Console.Key));
        var agent = registry.Find("gate-north")!;
        Assert.Equal(new Uri(loaded.Listen + "/"), agent.Url);
        Assert.Equal(loaded.ApiKey, agent.ApiKey);
        using var certificate = AgentCertificate.For(loaded, TimeProvider.System);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)), agent.TlsPin!.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant());

        var codes = await _admin.GetFromJsonAsync<JsonElement>("api/admin/agents/enrolments");
        var listed = Assert.Single(codes.EnumerateArray());
        Assert.Equal("127.0.0.1", listed.GetProperty("usedFrom").GetString());
        Assert.DoesNotContain(code, codes.ToString(), StringComparison.Ordinal);
        var audit = await _admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=agent-enrolled");
        Assert.Contains("code made by admin1", audit.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_code_used_twice_is_refused_and_the_second_config_is_left_as_it_was()
    {
        var code = await MakeCodeAsync("gate-east", "East gate");
        await EnrolAsync(WriteConfig("first", "gate-east"), _console.Url, code);
        var second = WriteConfig("second", "gate-east");
        var before = await File.ReadAllTextAsync(second);

        var e = await Assert.ThrowsAsync<EnrolmentRefusedException>(() => EnrolAsync(second, _console.Url, code));

        Assert.Contains("(409): this enrolment code was already used at", e.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(second));
    }

    [Fact]
    public async Task An_expired_code_a_code_for_another_agent_and_an_unknown_code_are_refused_saying_which()
    {
        var code = await MakeCodeAsync("gate-west", "West gate", hours: 1);
        var other = WriteConfig("other", "gate-south");

        var wrongAgent = await Assert.ThrowsAsync<EnrolmentRefusedException>(() => EnrolAsync(other, _console.Url, code));
        Assert.Contains("this enrolment code is for agent 'gate-west', and this agent's agentId is 'gate-south'", wrongAgent.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<EnrolmentRefusedException>(() => EnrolAsync(other, _console.Url, "ABCDE-FGHJK-MNPQR-STVWX"));
        Assert.Contains("(401): unknown enrolment code", unknown.Message, StringComparison.Ordinal);

        _console.Time.Advance(TimeSpan.FromHours(1));
        var west = WriteConfig("west", "gate-west");
        var expired = await Assert.ThrowsAsync<EnrolmentRefusedException>(() => EnrolAsync(west, _console.Url, code));
        Assert.Contains("(410): this enrolment code expired at", expired.Message, StringComparison.Ordinal);
        Assert.Null(_console.Services.GetRequiredService<AgentRegistry>().Find("gate-west"));
        Assert.Null(AgentConfigLoader.Load(west).Console);
    }

    [Fact]
    public async Task Codes_are_made_by_admins_only_and_not_for_an_agent_already_registered()
    {
        using var guard = await _console.SignedInAsync("guard1");
        Assert.Equal(HttpStatusCode.Forbidden, (await guard.PostAsJsonAsync("api/admin/agents/enrolments", new { agentId = "gate-x" })).StatusCode);
        await EventSender.RegisterAsync(_console, "gate-known", "Known");

        var r = await _admin.PostAsJsonAsync("api/admin/agents/enrolments", new { agentId = "gate-known" });

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("already registered", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var bad = await _admin.PostAsJsonAsync("api/admin/agents/enrolments", new { agentId = "Gate X!" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Guessing_codes_is_throttled()
    {
        using var anonymous = _console.Client();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 7; i++)
        {
            last = await anonymous.PostAsJsonAsync("api/agents/enrol", new { code = $"guess-{i}", agentId = "gate-g", url = "https://127.0.0.1:1/", apiKey = "0123456789abcdef" });
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
    }

    private static async Task<string> EnrolAsync(string config, Uri console, string code)
    {
        using var http = new HttpClient();
        return await ConsoleEnrolment.EnrolAsync(config, console, code, null, http, TextWriter.Null, default);
    }

    private async Task<string> MakeCodeAsync(string agentId, string name, double hours = 24)
    {
        var r = await _admin.PostAsJsonAsync("api/admin/agents/enrolments", new { agentId, name, hours });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
    }

    /// <summary>An agent's config as an installer leaves it, comments and all, listening on https with its own certificate.</summary>
    private string WriteConfig(string folder, string agentId)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, folder)).FullName;
        var path = Path.Combine(dir, "agent.json");
        File.WriteAllText(path, $$"""
            // the north gate's box
            {
              "agentId": "{{agentId}}",
              "listen": "https://127.0.0.1:{{LocalAgent.FreePort()}}",
              "apiKey": "agent-api-key-{{agentId}}",
              "dataDir": "data",
              "cameras": [ { "id": "north-1", "main": "rtsp://127.0.0.1:9/none" } ]
            }
            """);
        return path;
    }
}
