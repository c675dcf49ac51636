using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GateWatch.Central.Evidence;
using GateWatch.Central.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace GateWatch.Central.Tests.Cases;

/// <summary>
/// Cases against a real agent recording a real clip: footage cut by the agent, copied into the case with
/// its SHA-256 checked, packaged, signed, downloaded, verified, and caught when tampered with.
/// </summary>
public sealed class CaseEndpointsTests(RealAgentFixture agent) : IClassFixture<RealAgentFixture>, IAsyncLifetime
{
    private TestConsole _console = null!;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        using var admin = await _console.SignedInAsync("admin1");
        var r = await admin.PostAsJsonAsync("api/admin/agents", new { id = RealAgentFixture.AgentId, name = "Test gate", url = agent.Url, apiKey = RealAgentFixture.ApiKey });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
    }

    public async Task DisposeAsync() => await _console.DisposeAsync();

    [RequiresVideoFact]
    public async Task Recorded_footage_added_to_a_case_is_packaged_signed_and_verified_and_tampering_is_named()
    {
        using var investigator = await _console.SignedInAsync("investigator1");
        var created = await investigator.PostAsJsonAsync("api/cases", new { number = "2026-0042", description = "Tailgating at the test gate" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var caseId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var (from, to) = await agent.RecordedAsync();
        var added = await investigator.PostAsJsonAsync($"api/cases/{caseId}/clips", new
        {
            agent = RealAgentFixture.AgentId,
            camera = RealAgentFixture.Camera,
            from = Iso(from),
            to = Iso(to),
            reason = "the second person follows without badging",
        });
        var clip = await added.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(added.StatusCode == HttpStatusCode.Created, clip.ToString());
        var stored = Path.Combine(_console.Dir, "cases", caseId.ToString(CultureInfo.InvariantCulture), "clips", $"{clip.GetProperty("id").GetInt64()}.mp4");
        Assert.Equal(clip.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(stored))));
        Assert.Equal(new FileInfo(stored).Length, clip.GetProperty("bytes").GetInt64());
        Assert.True(clip.GetProperty("durationSeconds").GetDouble() > 1, clip.ToString());
        Assert.Equal(JsonValueKind.Array, clip.GetProperty("gaps").ValueKind);
        Assert.Equal(("investigator1", RealAgentFixture.AgentId, RealAgentFixture.Camera),
            (clip.GetProperty("addedBy").GetString(), clip.GetProperty("agent").GetString(), clip.GetProperty("camera").GetString()));

        var detail = await investigator.GetFromJsonAsync<JsonElement>($"api/cases/{caseId}");
        Assert.Equal("the second person follows without badging", Assert.Single(detail.GetProperty("clips").EnumerateArray()).GetProperty("reason").GetString());
        var listed = Assert.Single((await investigator.GetFromJsonAsync<JsonElement>("api/cases")).EnumerateArray());
        Assert.Equal((1, 0), (listed.GetProperty("clips").GetInt32(), listed.GetProperty("packages").GetInt32()));

        var packaged = await investigator.PostAsync($"api/cases/{caseId}/packages", null);
        var package = await packaged.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(packaged.StatusCode == HttpStatusCode.Created, package.ToString());
        Assert.StartsWith("2026-0042-", package.GetProperty("file").GetString(), StringComparison.Ordinal);
        var download = await investigator.GetAsync(package.GetProperty("download").GetString()!.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        var zipBytes = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(package.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(zipBytes)));

        // The downloaded package, checked offline against the console's key.
        var zip = Path.Combine(_console.Dir, "downloaded.zip");
        await File.WriteAllBytesAsync(zip, zipBytes);
        var key = _console.Services.GetRequiredService<EvidenceKey>();
        var report = EvidenceVerifier.Verify(zip, key.PublicKeyPem);
        Assert.True(report.Ok, string.Join("; ", report.Problems));
        var inZip = Assert.Single(report.Manifest!.Clips);
        Assert.Equal(("2026-0042", "Tailgating at the test gate", "investigator1"), (report.Manifest.Case.Number, report.Manifest.Case.Description, report.Manifest.ExportedBy));
        Assert.Equal((RealAgentFixture.Camera, RealAgentFixture.AgentId, clip.GetProperty("sha256").GetString(), "the second person follows without badging"),
            (inZip.Camera, inZip.Agent, inZip.Sha256, inZip.Reason));

        // The same package uploaded: intact; then one byte of the video, then of the manifest, changed.
        var intact = await UploadAsync(investigator, zipBytes);
        Assert.True(intact.GetProperty("ok").GetBoolean(), intact.ToString());
        Assert.Equal("2026-0042", intact.GetProperty("case").GetProperty("number").GetString());
        Assert.Equal(1, intact.GetProperty("clips").GetInt32());
        Assert.Equal(key.Fingerprint, intact.GetProperty("signer").GetString());

        var video = await UploadAsync(investigator, Tampered(zipBytes, inZip.File, bytes => bytes[bytes.Length / 2] ^= 0xFF));
        Assert.False(video.GetProperty("ok").GetBoolean());
        Assert.Contains(video.GetProperty("problems").EnumerateArray(), p => p.GetString()!.StartsWith(inZip.File + ": SHA-256", StringComparison.Ordinal));

        var manifest = await UploadAsync(investigator, Tampered(zipBytes, EvidencePackager.ManifestEntry, bytes =>
        {
            var at = Encoding.UTF8.GetString(bytes).IndexOf("Tailgating", StringComparison.Ordinal);
            bytes[at] = (byte)'B';
        }));
        Assert.False(manifest.GetProperty("ok").GetBoolean());
        Assert.Contains(manifest.GetProperty("problems").EnumerateArray(), p => p.GetString()!.StartsWith(EvidencePackager.ManifestEntry + ":", StringComparison.Ordinal));

        // Every step is in the audit log, with who did it and how it ended.
        using var admin = await _console.SignedInAsync("admin1");
        Assert.Equal(["ok"], await AuditAsync(admin, "case-created"));
        Assert.Equal(["ok"], await AuditAsync(admin, "clip-added"));
        Assert.Equal(["ok", "ok"], await AuditAsync(admin, "export"));
        Assert.Equal(["ok", "failed", "failed"], await AuditAsync(admin, "evidence-verify"));
    }

    [RequiresVideoFact]
    public async Task Footage_that_is_not_there_and_malformed_requests_are_refused_saying_what_exists()
    {
        using var investigator = await _console.SignedInAsync("investigator1");
        var created = await investigator.PostAsJsonAsync("api/cases", new { number = "2026-0050", description = "Night shift" });
        var caseId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var (from, to) = await agent.RecordedAsync();
        object Clip(string? reason = "seen on the wall", string agentId = RealAgentFixture.AgentId, DateTimeOffset? f = null, DateTimeOffset? t = null) =>
            new { agent = agentId, camera = RealAgentFixture.Camera, from = Iso(f ?? from), to = Iso(t ?? to), reason };

        var none = await investigator.PostAsJsonAsync($"api/cases/{caseId}/clips", Clip(f: from.AddDays(-3), t: from.AddDays(-3).AddMinutes(1)));
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        var detail = (await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains("no footage", detail, StringComparison.Ordinal);
        Assert.Contains("its recordings span", detail, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.BadRequest, (await investigator.PostAsJsonAsync($"api/cases/{caseId}/clips", Clip(reason: " "))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await investigator.PostAsJsonAsync($"api/cases/{caseId}/clips", Clip(f: to, t: from))).StatusCode);
        var unknownAgent = await investigator.PostAsJsonAsync($"api/cases/{caseId}/clips", Clip(agentId: "gate-nowhere"));
        Assert.Equal(HttpStatusCode.NotFound, unknownAgent.StatusCode);
        Assert.Contains(RealAgentFixture.AgentId, (await unknownAgent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await investigator.PostAsJsonAsync("api/cases/9999/clips", Clip())).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await investigator.PostAsync($"api/cases/{caseId}/packages", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await investigator.PostAsJsonAsync("api/cases", new { number = "2026-0050", description = "again" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await investigator.PostAsJsonAsync("api/cases", new { number = "  2026-0050 ", description = "again, spaced" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await investigator.PostAsJsonAsync("api/cases", new { number = "", description = "no number" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await investigator.PostAsJsonAsync("api/cases", new { number = new string('9', 65), description = "too long" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await investigator.PostAsJsonAsync("api/cases", new { number = "2026-0051", description = new string('x', 4001) })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await investigator.GetAsync("api/cases/9999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await investigator.GetAsync($"api/cases/{caseId}/packages/77/download")).StatusCode);

        using var guard = await _console.SignedInAsync("guard1");
        Assert.Equal(HttpStatusCode.Forbidden, (await guard.PostAsJsonAsync($"api/cases/{caseId}/clips", Clip())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await guard.PostAsync($"api/cases/{caseId}/packages", null)).StatusCode);

        using var admin = await _console.SignedInAsync("admin1");
        var clipAudit = await AuditAsync(admin, "clip-added");
        Assert.Equal(5, clipAudit.Count);
        Assert.All(clipAudit, o => Assert.Equal("failed", o));
        Assert.Equal(["ok", "failed", "failed", "failed", "failed", "failed"], await AuditAsync(admin, "case-created"));
        Assert.Equal(2, (await AuditAsync(admin, "access-denied")).Count);
        Assert.Equal(HttpStatusCode.Created, (await investigator.PostAsJsonAsync($"api/cases/{caseId}/clips", Clip())).StatusCode);
    }

    [RequiresVideoFact]
    public async Task The_camera_list_asks_the_agents_and_falls_back_to_past_events_for_one_that_does_not_answer()
    {
        using (var admin = await _console.SignedInAsync("admin1"))
        {
            var r = await admin.PostAsJsonAsync("api/admin/agents", new { id = "gate-gone", name = "Gone gate", url = "http://127.0.0.1:9/", apiKey = "agent-local-key-0123" });
            var key = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consoleKey").GetString();
            using var ingest = _console.Client();
            ingest.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var sent = await ingest.PostAsJsonAsync("api/agents/events", new
            {
                agent = "gate-gone",
                events = new[] { new { seq = 1, id = "0197aa0000000001", agent = "gate-gone", camera = "east-2", type = "camera-online", time = _console.Time.GetUtcNow(), data = new { } } },
            });
            Assert.Equal(1, (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stored").GetInt32());
        }

        foreach (var name in new[] { "guard1", "reviewer1", "investigator1" })
        {
            using var user = await _console.SignedInAsync(name);
            var cameras = (await user.GetFromJsonAsync<JsonElement>("api/cameras")).EnumerateArray()
                .Select(c => (c.GetProperty("agent").GetString(), c.GetProperty("agentName").GetString(), c.GetProperty("camera").GetString(), c.GetProperty("name").GetString(), c.GetProperty("reachable").GetBoolean()))
                .ToList();
            Assert.Equal([("gate-gone", "Gone gate", "east-2", "east-2", false), (RealAgentFixture.AgentId, "Test gate", RealAgentFixture.Camera, "Gate camera", true)], cameras);
        }

        using var adminOnly = await _console.SignedInAsync("admin1");
        Assert.Equal(HttpStatusCode.Forbidden, (await adminOnly.GetAsync("api/cameras")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _console.Client().GetAsync("api/cameras")).StatusCode);
    }

    [RequiresVideoFact]
    public async Task Watching_live_video_and_opening_a_recorded_segment_are_audited_once_per_viewing()
    {
        using (var guard = await _console.SignedInAsync("guard1"))
        {
            using var live = await guard.GetAsync($"api/live/{RealAgentFixture.AgentId}/{RealAgentFixture.Camera}/video", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        using var reviewer = await _console.SignedInAsync("reviewer1");
        var segments = await reviewer.GetFromJsonAsync<JsonElement>($"api/recordings/{RealAgentFixture.AgentId}/{RealAgentFixture.Camera}/segments");
        var file = segments.EnumerateArray().First(s => s.GetProperty("complete").GetBoolean()).GetProperty("file").GetString();
        var path = $"api/recordings/{RealAgentFixture.AgentId}/{RealAgentFixture.Camera}/segments/{file}";
        Assert.Equal(HttpStatusCode.OK, (await reviewer.GetAsync(path)).StatusCode);
        foreach (var range in new[] { "bytes=0-999", "bytes=1000-1999", "bytes=2000-" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("Range", range);
            Assert.Equal(HttpStatusCode.PartialContent, (await reviewer.SendAsync(request)).StatusCode);
        }

        using var admin = await _console.SignedInAsync("admin1");
        var views = (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=live-view")).EnumerateArray().ToList();
        Assert.Equal(("guard1", $"{RealAgentFixture.AgentId}/{RealAgentFixture.Camera}", "ok"),
            (Assert.Single(views).GetProperty("actor").GetString(), views[0].GetProperty("target").GetString(), views[0].GetProperty("outcome").GetString()));
        var recordings = (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=recording-view")).EnumerateArray().ToList();
        Assert.Equal(2, recordings.Count);
        Assert.All(recordings, r => Assert.Equal(("reviewer1", $"{RealAgentFixture.AgentId}/{RealAgentFixture.Camera}/{file}"),
            (r.GetProperty("actor").GetString(), r.GetProperty("target").GetString())));
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static async Task<JsonElement> UploadAsync(HttpClient http, byte[] zip)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(zip);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        form.Add(file, "package", "evidence.zip");
        var r = await http.PostAsync("api/evidence/verify", form);
        var json = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(r.StatusCode == HttpStatusCode.OK, json.ToString());
        return json;
    }

    /// <summary>A copy of the package with <paramref name="entry"/>'s bytes changed by <paramref name="change"/>.</summary>
    private static byte[] Tampered(byte[] zip, string entry, Action<byte[]> change)
    {
        using var copy = new MemoryStream();
        copy.Write(zip);
        using (var archive = new ZipArchive(copy, ZipArchiveMode.Update, leaveOpen: true))
        {
            var e = archive.GetEntry(entry)!;
            byte[] bytes;
            using (var read = e.Open())
            using (var buffer = new MemoryStream())
            {
                read.CopyTo(buffer);
                bytes = buffer.ToArray();
            }

            change(bytes);
            using var write = e.Open();
            write.SetLength(0);
            write.Write(bytes);
        }

        return copy.ToArray();
    }

    private static async Task<List<string>> AuditAsync(HttpClient admin, string action) =>
        (await admin.GetFromJsonAsync<JsonElement>($"api/admin/audit?action={action}")).EnumerateArray()
            .Select(e => e.GetProperty("outcome").GetString()!).ToList();
}
