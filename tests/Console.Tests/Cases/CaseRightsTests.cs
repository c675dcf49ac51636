using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;

namespace GateWatch.Central.Tests.Cases;

/// <summary>Cases and evidence are investigators' alone: every other role is refused and recorded, anonymous callers too.</summary>
public sealed class CaseRightsTests : IAsyncLifetime
{
    private static readonly (string Method, string Path)[] Endpoints =
    [
        ("GET", "/api/cases"),
        ("POST", "/api/cases"),
        ("GET", "/api/cases/1"),
        ("POST", "/api/cases/1/clips"),
        ("POST", "/api/cases/1/packages"),
        ("GET", "/api/cases/1/packages/1/download"),
        ("POST", "/api/evidence/verify"),
    ];

    private TestConsole _console = null!;

    public async Task InitializeAsync() => _console = await TestConsole.StartAsync();

    public async Task DisposeAsync() => await _console.DisposeAsync();

    private static HttpRequestMessage Request((string Method, string Path) e) =>
        new(new HttpMethod(e.Method), e.Path.TrimStart('/')) { Content = e.Method == "POST" ? JsonContent.Create(new { number = "x", description = "y" }) : null };

    [Fact]
    public async Task Guards_reviewers_and_admins_are_refused_every_case_and_evidence_endpoint_and_each_refusal_is_audited()
    {
        foreach (var name in new[] { "guard1", "reviewer1", "admin1" })
        {
            using var user = await _console.SignedInAsync(name);
            foreach (var e in Endpoints)
            {
                using var request = Request(e);
                Assert.True(HttpStatusCode.Forbidden == (await user.SendAsync(request)).StatusCode, $"{name} {e.Method} {e.Path}");
            }
        }

        using var admin = await _console.SignedInAsync("admin1");
        var denied = (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=access-denied&limit=1000")).EnumerateArray()
            .Select(e => (e.GetProperty("actor").GetString(), e.GetProperty("target").GetString(), e.GetProperty("outcome").GetString())).ToList();
        foreach (var name in new[] { "guard1", "reviewer1", "admin1" })
        {
            foreach (var e in Endpoints)
            {
                Assert.Contains((name, $"{e.Method} {e.Path}", "denied"), denied);
            }
        }

        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=case-created")).EnumerateArray());
    }

    [Fact]
    public async Task Anonymous_callers_get_401()
    {
        using var anonymous = _console.Client();
        await TestConsole.Csrf(anonymous);
        foreach (var e in Endpoints)
        {
            using var request = Request(e);
            Assert.True(HttpStatusCode.Unauthorized == (await anonymous.SendAsync(request)).StatusCode, $"{e.Method} {e.Path}");
        }
    }

    [Fact]
    public async Task An_investigators_upload_without_the_antiforgery_header_is_refused()
    {
        using var investigator = await _console.SignedInAsync("investigator1");
        investigator.DefaultRequestHeaders.Remove(GateWatch.Central.Users.UserEndpoints.CsrfHeader);
        using var form = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "package", "x.zip" } };
        var r = await investigator.PostAsync("api/evidence/verify", form);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("antiforgery", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        // With it, a file that is not a package is checked and found wanting, and that attempt is audited as failed.
        using var again = await _console.SignedInAsync("investigator1");
        using var form2 = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "package", "x.zip" } };
        var checkedJunk = await (await again.PostAsync("api/evidence/verify", form2)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(checkedJunk.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, checkedJunk.GetProperty("case").ValueKind);
        // Bigger than Kestrel's default 30 MB body limit, which stays in force everywhere but this endpoint.
        using var large = new MultipartFormDataContent { { new ByteArrayContent(new byte[40 << 20]), "package", "large.zip" } };
        var largeResponse = await again.PostAsync("api/evidence/verify", large);
        Assert.Equal(HttpStatusCode.OK, largeResponse.StatusCode);
        Assert.Contains("not a readable zip", (await largeResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
        using var wrongField = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "x.zip" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await again.PostAsync("api/evidence/verify", wrongField)).StatusCode);

        using var admin = await _console.SignedInAsync("admin1");
        Assert.Equal(["failed", "failed", "failed"], (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=evidence-verify")).EnumerateArray()
            .Select(e => e.GetProperty("outcome").GetString()));
    }
}
