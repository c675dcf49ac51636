using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GateWatch.Central.Tests.Cases;

/// <summary>
/// The console follows an agent's clip-export answer only to a clip file on that same agent: whatever else an
/// agent (a compromised or buggy one) names as the download, no request, and so no agent key, goes anywhere.
/// </summary>
public sealed class ClipDownloadTests : IAsyncLifetime
{
    private const string ApiKey = "stub-agent-key-never-leaves";
    private const string GoodName = "0123456789abcdef0123456789abcdef.mp4";
    private static readonly byte[] Clip = [0, 0, 0, 24, 102, 116, 121, 112, 1, 2, 3, 4];

    private TestConsole _console = null!;
    private StubAgent _elsewhere = null!;
    private StubAgent _agent = null!;
    private string _download = "";

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        _elsewhere = await StubAgent.StartAsync();
        _agent = await StubAgent.StartAsync(app =>
        {
            app.MapPost("/api/cameras/{camera}/clips", () => Results.Json(new
            {
                download = _download,
                sha256 = Convert.ToHexStringLower(SHA256.HashData(Clip)),
                bytes = Clip.Length,
                durationSeconds = 4.0,
                gaps = Array.Empty<object>(),
            }));
            app.MapGet($"/api/clips/{GoodName}", () => Results.Bytes(Clip, "video/mp4"));
        });
        using var admin = await _console.SignedInAsync("admin1");
        var r = await admin.PostAsJsonAsync("api/admin/agents", new { id = "gate-stub", name = "Stub gate", url = _agent.Url, apiKey = ApiKey });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
        await _agent.DisposeAsync();
        await _elsewhere.DisposeAsync();
    }

    [Fact]
    public async Task A_download_that_is_not_a_clip_file_on_the_agent_itself_is_refused_and_nothing_is_sent_anywhere()
    {
        var other = _elsewhere.Url.Authority;
        var huge = "/api/clips/" + new string('a', 100_000) + ".mp4";
        var hostile = new[]
        {
            $"http://{other}/api/clips/{GoodName}",
            $"https://{other}/x",
            $"//{other}/api/clips/{GoodName}",
            $"\\\\{other}\\api\\clips\\{GoodName}",
            $"/\\{other}/api/clips/{GoodName}",
            $"{_agent.Url}api/clips/{GoodName}",
            "/api/clips/../../x",
            "/api/clips/../admin/agents",
            "/api/clips/%2e%2e/%2e%2e/x",
            "/api/clips/..%2F..%2Fx",
            "/api/clips/..%5C..%5Cx",
            "/api/clips\\..\\..\\x",
            $"/api/clips/{GoodName}?x=1",
            $"/api/clips/{GoodName}#x",
            $"/api/clips/{GoodName.ToUpperInvariant()}",
            $"/api/clips/sub/{GoodName}",
            $"/api/clips/\t{GoodName}",
            $"/api/clips/{GoodName}\n",
            "/api/health",
            "/api/clips/",
            "",
            "javascript:alert(1)",
            huge,
        };

        using var investigator = await _console.SignedInAsync("investigator1");
        var created = await investigator.PostAsJsonAsync("api/cases", new { number = "2026-0900", description = "Hostile agent" });
        var caseId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        foreach (var download in hostile)
        {
            _download = download;
            var r = await investigator.PostAsJsonAsync($"api/cases/{caseId}/clips", Body());
            Assert.True(r.StatusCode == HttpStatusCode.BadGateway, $"{Shown(download)}: HTTP {(int)r.StatusCode}");
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            var detail = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
            Assert.Contains("download", detail, StringComparison.Ordinal);
            Assert.True(detail.Length < 600, $"{Shown(download)}: a detail of {detail.Length} characters");
        }

        Assert.Empty(_elsewhere.Requests);
        // The agent was asked to cut each clip and for nothing else: no path it named was followed.
        Assert.All(_agent.Requests, q => Assert.Equal("POST /api/cameras/gate/clips", q.Request));
        Assert.Equal(hostile.Length, _agent.Requests.Count);

        // A proper answer is still followed, with the agent's key, to the agent.
        _download = $"/api/clips/{GoodName}";
        var good = await investigator.PostAsJsonAsync($"api/cases/{caseId}/clips", Body());
        Assert.True(good.StatusCode == HttpStatusCode.Created, await good.Content.ReadAsStringAsync());
        Assert.Equal(($"GET /api/clips/{GoodName}", $"Bearer {ApiKey}"), _agent.Requests.Last());
        Assert.Empty(_elsewhere.Requests);
    }

    private static object Body() => new { agent = "gate-stub", camera = "gate", from = "2026-03-01T08:00:00Z", to = "2026-03-01T08:00:04Z", reason = "seen on the wall" };

    private static string Shown(string s) => s.Length > 80 ? s[..80] + "..." : s;
}
