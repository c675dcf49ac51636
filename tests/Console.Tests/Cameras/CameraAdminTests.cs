using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using GateWatch.Agent.Service;
using GateWatch.Central.Audit;
using GateWatch.Central.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GateWatch.Central.Tests.Cameras;

/// <summary>
/// A real GateAgent in this process with one analysed camera, "gate": a looped synthetic clip against a copy of
/// the PETS gate spec. Its gate file lives in the fixture's folder, so edits never touch the repository's sample.
/// </summary>
public sealed class GateAgentFixture : IAsyncLifetime
{
    public const string AgentId = "gate-edit";
    public const string ApiKey = "agent-api-key-for-gate-edit-tests";

    private readonly string _dir = Directory.CreateTempSubdirectory("gateconsole-gate-").FullName;
    private WebApplication? _app;

    public Uri Url { get; private set; } = new("http://127.0.0.1:1/");

    public string GateFile => Path.Combine(_dir, "gate.json");

    public async Task InitializeAsync()
    {
        var clip = Path.Combine(_dir, "loop.mp4");
        await LocalAgent.FfmpegAsync("-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10", "-frames:v", "50", "-c:v", "libx264",
            "-preset", "veryfast", "-bf", "0", "-g", "10", "-pix_fmt", "yuv420p", clip);
        File.Copy(TestPaths.Resolve("samples/pets-gate.json"), GateFile);
        (_app, Url) = await LocalAgent.StartAsync(_dir, port => new
        {
            agentId = AgentId,
            listen = $"http://127.0.0.1:{port}",
            apiKey = ApiKey,
            dataDir = "data",
            retention = new { lowDiskFreeMB = 10, sweepSeconds = 60 },
            cameras = new[] { new { id = "gate", name = "Gate camera", main = clip, loop = true, gate = GateFile, analysisFps = 2, segmentSeconds = 2 } },
        });
    }

    public async Task DisposeAsync()
    {
        await LocalAgent.StopAsync(_app);
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>Admins see and edit a camera's lines and zones through the console; the agent applies, the console audits.</summary>
public sealed class CameraAdminTests(GateAgentFixture agent) : IClassFixture<GateAgentFixture>, IAsyncLifetime
{
    private const string Gate = $"api/admin/cameras/{GateAgentFixture.AgentId}/gate/gate";
    private TestConsole _console = null!;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        using var admin = await _console.SignedInAsync("admin1");
        var r = await admin.PostAsJsonAsync("api/admin/agents", new { id = GateAgentFixture.AgentId, name = "Edit gate", url = agent.Url.ToString(), apiKey = GateAgentFixture.ApiKey });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
    }

    public async Task DisposeAsync() => await _console.DisposeAsync();

    private IReadOnlyList<AuditEntry> Audit(string action) => _console.Services.GetRequiredService<AuditLog>().Read(0, 1000, action);

    [Fact]
    public async Task Only_admins_may_see_or_edit_gates_and_refusals_are_audited()
    {
        using var anonymous = _console.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Gate)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/admin/cameras")).StatusCode);

        foreach (var name in new[] { "guard1", "reviewer1", "investigator1" })
        {
            using var http = await _console.SignedInAsync(name);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(Gate)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.PutAsJsonAsync(Gate, new { spec = new { }, expectedFingerprint = "" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"api/admin/cameras/{GateAgentFixture.AgentId}/gate/snapshot.jpg")).StatusCode);
            Assert.Contains(Audit(AuditActions.AccessDenied), e => e.Actor == name && e.Target == $"PUT /{Gate}");
        }

        Assert.Empty(Audit(AuditActions.ConfigChange));
    }

    [Fact]
    public async Task An_admins_edit_reaches_the_agents_file_and_is_audited_with_both_fingerprints()
    {
        using var admin = await _console.SignedInAsync("admin1");
        var list = await admin.GetFromJsonAsync<JsonElement>("api/admin/cameras");
        var listed = Assert.Single(list.EnumerateArray());
        Assert.Equal((GateAgentFixture.AgentId, "gate", "Gate camera", true),
            (listed.GetProperty("agent").GetString(), listed.GetProperty("camera").GetString(), listed.GetProperty("name").GetString(), listed.GetProperty("hasGate").GetBoolean()));

        var gate = (await admin.GetFromJsonAsync<JsonObject>(Gate))!;
        var old = (string)gate["fingerprint"]!;
        var spec = gate["spec"]!.DeepClone();
        spec["lines"]![0]!["id"] = "west-gate";
        spec["zones"]!.AsArray().Add(new JsonObject
        {
            ["id"] = "queue",
            ["polygon"] = new JsonArray(new JsonArray(10, 10), new JsonArray(200, 10), new JsonArray(200, 120)),
            ["crowdMin"] = 3,
            ["crowdSeconds"] = 2,
        });

        var r = await admin.PutAsJsonAsync(Gate, new { spec, expectedFingerprint = old });
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, text);
        var fingerprint = (string)JsonNode.Parse(text)!["fingerprint"]!;

        var onDisk = JsonNode.Parse(await File.ReadAllTextAsync(agent.GateFile))!;
        Assert.Equal("west-gate", (string?)onDisk["lines"]![0]!["id"]);
        Assert.Equal(fingerprint, (string?)(await admin.GetFromJsonAsync<JsonObject>(Gate))!["fingerprint"]);

        var entry = Assert.Single(Audit(AuditActions.ConfigChange));
        Assert.Equal(("admin1", $"{GateAgentFixture.AgentId}/gate/gate", AuditOutcomes.Ok), (entry.Actor, entry.Target, entry.Outcome));
        Assert.Equal($"fingerprint {old} -> {fingerprint}, lines: west-gate,east; zones: junction,queue", entry.Detail);

        // The same edit again, from the fingerprint it started from: someone else's change is in between.
        var stale = await admin.PutAsJsonAsync(Gate, new { spec, expectedFingerprint = old });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains(fingerprint, (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_edit_is_refused_with_the_agents_json_path_and_audited_as_failed()
    {
        using var admin = await _console.SignedInAsync("admin1");
        var gate = (await admin.GetFromJsonAsync<JsonObject>(Gate))!;
        var before = await File.ReadAllBytesAsync(agent.GateFile);
        var spec = gate["spec"]!.DeepClone();
        spec["zones"]![0]!["crowdMin"] = 0;

        var r = await admin.PutAsJsonAsync(Gate, new { spec, expectedFingerprint = (string?)gate["fingerprint"] });

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var detail = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains("$.zones[0].crowdMin: must be at least 1", detail, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(agent.GateFile));
        var entry = Assert.Single(Audit(AuditActions.ConfigChange));
        Assert.Equal((AuditOutcomes.Failed, detail), (entry.Outcome, entry.Detail));
    }
}
