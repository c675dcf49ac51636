using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Api;

/// <summary>
/// One real agent for the class: camera "gate" analyses a looped 320x240 file against a copy of the PETS gate
/// spec (two lines, one zone) and records it in 2 s segments; camera "plain" only records.
/// </summary>
public sealed class GateAgentFixture : IAsyncLifetime
{
    internal TempDir Dir { get; } = new();

    internal TestAgent Agent { get; private set; } = null!;

    internal string GatePath => Dir.File("gate.json");

    public async Task InitializeAsync()
    {
        var clip = Dir.File("loop.mp4");
        FfmpegCli.Run("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10", "-frames:v", "50", "-c:v", "libx264", "-preset", "veryfast",
            "-bf", "0", "-g", "10", "-pix_fmt", "yuv420p", clip);
        File.Copy(TestPaths.Resolve("samples/pets-gate.json"), GatePath);
        var config = TestAgent.WriteConfig(Dir.Path,
        [
            new { id = "gate", main = clip, loop = true, gate = GatePath, analysisFps = 2, segmentSeconds = 2 },
            new { id = "plain", main = clip, loop = true, segmentSeconds = 2 },
        ]);
        Agent = await TestAgent.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        await Agent.DisposeAsync();
        Dir.Dispose();
    }
}

/// <summary>
/// The gate spec edited over the API: refused edits change nothing, a good one is written (with the old kept)
/// and applied by restarting the analysis alone, while the recorder's ffmpeg records on without a gap.
/// </summary>
public sealed class GateApiTests(GateAgentFixture fixture) : IClassFixture<GateAgentFixture>
{
    private TestAgent Agent => fixture.Agent;

    private async Task<JsonObject> GetGateAsync()
    {
        var r = await Agent.Http.GetAsync("api/cameras/gate/gate");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<string> DetailAsync(HttpResponseMessage r)
    {
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task Get_gives_the_file_name_its_fingerprint_and_the_spec_and_a_recording_only_camera_has_none()
    {
        var gate = await GetGateAsync();
        Assert.Equal("gate.json", (string?)gate["file"]);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(fixture.GatePath))), (string?)gate["fingerprint"]);
        Assert.NotNull(gate["spec"]?["lines"]);

        var plain = await Agent.Http.GetAsync("api/cameras/plain/gate");
        Assert.Equal(HttpStatusCode.NotFound, plain.StatusCode);
        Assert.Contains("records only", await DetailAsync(plain), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_metadata_of_a_camera_with_a_zone_carries_its_density_estimate_and_grid()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await Agent.Http.GetAsync("api/cameras/gate/live/meta", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        // The first messages may come before the first estimate (it runs in the background, every 2 s).
        JsonElement message;
        while (true)
        {
            var line = await reader.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("the stream ended");
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                message = JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
                if (message.GetProperty("density").ValueKind == JsonValueKind.Object)
                {
                    break;
                }
            }
        }

        var density = message.GetProperty("density");
        // The 320x240 analysis frame in 16 x 12 blocks; an estimate for each zone the frame has.
        Assert.Equal(16, density.GetProperty("columns").GetInt32());
        Assert.Equal(12, density.GetProperty("rows").GetInt32());
        Assert.Equal(16 * 12, density.GetProperty("cells").GetArrayLength());
        Assert.True(message.GetProperty("estimates").TryGetProperty("junction", out var estimate) && estimate.GetDouble() >= 0);
        Assert.Equal(JsonValueKind.Array, message.GetProperty("dense").ValueKind);
    }

    [Fact]
    public async Task A_malformed_spec_is_refused_with_its_json_path_and_the_file_is_unchanged()
    {
        var gate = await GetGateAsync();
        var before = await File.ReadAllBytesAsync(fixture.GatePath);
        // Built here, not from the file: another test of this class may have edited the file's lines.
        var spec = JsonNode.Parse("""
            {
              "frameSize": [768, 576],
              "lines": [
                { "id": "west", "a": [150, 170], "b": [150, 320], "insidePoint": [300, 250] },
                { "id": "east", "a": [560], "b": [560, 340], "insidePoint": [400, 250] }
              ]
            }
            """)!;

        var r = await Agent.Http.PutAsJsonAsync("api/cameras/gate/gate", new { spec, expectedFingerprint = (string?)gate["fingerprint"] });

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.StartsWith("$.lines[1].a: ", await DetailAsync(r), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(fixture.GatePath));
    }

    [Fact]
    public async Task An_edit_from_a_stale_fingerprint_is_refused_with_409_and_the_current_fingerprint()
    {
        var gate = await GetGateAsync();
        var before = await File.ReadAllBytesAsync(fixture.GatePath);

        var r = await Agent.Http.PutAsJsonAsync("api/cameras/gate/gate", new { spec = gate["spec"], expectedFingerprint = new string('0', 64) });

        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        var detail = await DetailAsync(r);
        Assert.Contains("someone else", detail, StringComparison.Ordinal);
        Assert.Contains((string)gate["fingerprint"]!, detail, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(fixture.GatePath));
    }

    [Fact]
    public async Task A_good_edit_is_stored_and_applied_by_the_analysis_while_the_recorder_records_on_without_a_gap()
    {
        var camera = Agent.Camera("gate");
        await Agent.WaitUntilAsync(() => camera.RecorderProcessId is not null && camera.Latest is not null
            && Agent.Index.List("gate", DateTimeOffset.MinValue, DateTimeOffset.MaxValue).Count >= 2, TimeSpan.FromSeconds(40), "recording and analysing");
        var pid = camera.RecorderProcessId;
        var gate = await GetGateAsync();
        var old = await File.ReadAllBytesAsync(fixture.GatePath);

        // Move the west line, drop the east one, add a zone.
        var spec = gate["spec"]!.DeepClone();
        spec["lines"]![0]!["a"] = new JsonArray(160, 150);
        spec["lines"]!.AsArray().RemoveAt(1);
        spec["zones"]!.AsArray().Add(new JsonObject
        {
            ["id"] = "plaza",
            ["polygon"] = new JsonArray(new JsonArray(10, 10), new JsonArray(200, 10), new JsonArray(200, 120)),
            ["crowdMin"] = 2,
            ["crowdSeconds"] = 1,
        });
        var r = await Agent.Http.PutAsJsonAsync("api/cameras/gate/gate", new { spec, expectedFingerprint = (string?)gate["fingerprint"] });
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, body);
        var put = JsonNode.Parse(body)!;
        Assert.True((bool)put["applied"]!);

        var now = await GetGateAsync();
        Assert.Equal((string?)put["fingerprint"], (string?)now["fingerprint"]);
        Assert.Equal("[160,150]", now["spec"]!["lines"]![0]!["a"]!.ToJsonString());
        Assert.Equal(old, await File.ReadAllBytesAsync(fixture.GatePath + ".previous"));

        // The analysis runs on the new spec: its frames count the new zone, and health lists the new ids only.
        await Agent.WaitUntilAsync(() => camera.Latest?.ZoneCounts.ContainsKey("plaza") == true, TimeSpan.FromSeconds(30), "a frame analysed with the new zone");
        var health = await Agent.Http.GetFromJsonAsync<JsonElement>("api/health");
        var h = health.GetProperty("cameras").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "gate");
        Assert.Equal(["west"], h.GetProperty("lineCounts").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["junction", "plaza"], h.GetProperty("zoneCounts").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("gate.json", h.GetProperty("gate").GetString());
        // The console judges a camera not being recorded by its footage's lag against this.
        Assert.Equal(2, h.GetProperty("segmentSeconds").GetDouble());

        // agent.json rewritten (the watcher reloads it and reads the edited gate file): nothing restarts or reverts.
        await File.WriteAllTextAsync(Agent.ConfigFile, await File.ReadAllTextAsync(Agent.ConfigFile) + "\n");
        await Agent.WaitUntilAsync(() => Agent.LogLines.Any(l => l.Contains("configuration reloaded", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the config reloaded");
        Assert.Same(camera, Agent.Camera("gate"));
        Assert.Equal((string?)put["fingerprint"], Agent.Camera("gate").Camera.GateFingerprint);

        // Two more segments from the same ffmpeg run, each starting where the one before ended.
        var count = Agent.Index.List("gate", DateTimeOffset.MinValue, DateTimeOffset.MaxValue).Count;
        await Agent.WaitUntilAsync(() => Agent.Index.List("gate", DateTimeOffset.MinValue, DateTimeOffset.MaxValue).Count >= count + 2, TimeSpan.FromSeconds(20), "two segments after the edit");
        Assert.Equal(pid, camera.RecorderProcessId);
        var segments = Agent.Index.List("gate", DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Single(segments.Select(s => Path.GetFileName(s.Path).Split('-')[0]).Distinct());
        foreach (var (a, b) in segments.Zip(segments.Skip(1)))
        {
            Assert.True((b.Start - a.End).Duration() < TimeSpan.FromSeconds(0.5), $"gap between {a.Path} ({a.End:O}) and {b.Path} ({b.Start:O})");
        }

        Assert.Equal(0, h.GetProperty("reconnects").GetInt64());
    }
}
