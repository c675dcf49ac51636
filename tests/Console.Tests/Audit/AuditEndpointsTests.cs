using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;

namespace GateWatch.Central.Tests.Audit;

public sealed class AuditEndpointsTests : IAsyncLifetime
{
    private TestConsole _console = null!;

    public async Task InitializeAsync() => _console = await TestConsole.StartAsync();

    public async Task DisposeAsync() => await _console.DisposeAsync();

    [Fact]
    public async Task Sign_ins_failures_and_reaching_past_a_role_are_in_a_chain_only_admins_read()
    {
        using (var anon = _console.Client())
        {
            await TestConsole.Csrf(anon);
            await anon.PostAsJsonAsync("api/login", new { name = "guard1", password = "not it at all" });
        }

        using var guard = await _console.SignedInAsync("guard1");
        Assert.Equal(HttpStatusCode.Forbidden, (await guard.GetAsync("api/admin/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await guard.GetAsync("api/recordings/gate/north/segments")).StatusCode);

        using var admin = await _console.SignedInAsync("admin1");
        var entries = (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit")).EnumerateArray()
            .Select(e => (Actor: e.GetProperty("actor").GetString(), Action: e.GetProperty("action").GetString(), Target: e.GetProperty("target").GetString()))
            .ToList();
        Assert.Contains(("guard1", "login-failed", "console"), entries);
        Assert.Contains(("guard1", "login", "console"), entries);
        Assert.Contains(("guard1", "access-denied", "GET /api/admin/audit"), entries);
        Assert.Contains(("guard1", "access-denied", "GET /api/recordings/gate/north/segments"), entries);
        Assert.Contains(("admin1", "login", "console"), entries);

        var verified = await admin.GetFromJsonAsync<JsonElement>("api/admin/audit/verify");
        Assert.True(verified.GetProperty("ok").GetBoolean());
        Assert.True(verified.GetProperty("count").GetInt64() >= 6);
    }
}
