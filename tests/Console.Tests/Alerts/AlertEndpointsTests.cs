using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;

namespace GateWatch.Central.Tests.Alerts;

public sealed class AlertEndpointsTests : IAsyncLifetime
{
    private TestConsole _console = null!;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        using var admin = await _console.SignedInAsync("admin1");
        var r = await admin.PostAsJsonAsync("api/admin/agents", new { id = "gate-north", url = "http://127.0.0.1:8710", apiKey = "agent-local-key-0123" });
        var key = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consoleKey").GetString();
        using var agent = _console.Client();
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var now = DateTimeOffset.UtcNow;
        await agent.PostAsJsonAsync("api/agents/events", new
        {
            agent = "gate-north",
            events = new object[]
            {
                new { seq = 1, id = "0196dd0000000001", agent = "gate-north", camera = "north-1", type = "crossing", time = now, data = new { line = "gate" } },
                new { seq = 2, id = "0196dd0000000002", agent = "gate-north", camera = "north-1", type = "crowd-start", time = now, data = new { zone = "gate", peak = 9 } },
                new { seq = 3, id = "0196dd0000000003", agent = "gate-north", camera = "north-2", type = "camera-offline", time = now, data = new { reason = "no video" } },
            },
        });
    }

    public async Task DisposeAsync() => await _console.DisposeAsync();

    [Fact]
    public async Task Guards_see_crowd_and_offline_alerts_and_acknowledge_each_once_with_a_note()
    {
        using var guard = await _console.SignedInAsync("guard1");
        var open = await guard.GetFromJsonAsync<JsonElement>("api/alerts?open=true");
        Assert.Equal(["camera-offline", "crowd-start"], open.EnumerateArray().Select(a => a.GetProperty("type").GetString()).Order());

        Assert.Equal(HttpStatusCode.BadRequest, (await guard.PostAsJsonAsync("api/alerts/0196dd0000000002/acknowledge", new { note = "  " })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await guard.PostAsJsonAsync("api/alerts/0196dd0000000001/acknowledge", new { note = "a crossing is no alert" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await guard.PostAsJsonAsync("api/alerts/0196dd0000000002/acknowledge", new { note = "workers waiting for the bus; patrol sent" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await guard.PostAsJsonAsync("api/alerts/0196dd0000000002/acknowledge", new { note = "again" })).StatusCode);

        var still = await guard.GetFromJsonAsync<JsonElement>("api/alerts?open=true");
        Assert.Equal(["camera-offline"], still.EnumerateArray().Select(a => a.GetProperty("type").GetString()));
        var all = await guard.GetFromJsonAsync<JsonElement>("api/alerts");
        var acked = all.EnumerateArray().Single(a => a.GetProperty("type").GetString() == "crowd-start").GetProperty("acknowledged");
        Assert.Equal(("guard1", "workers waiting for the bus; patrol sent"), (acked.GetProperty("by").GetString(), acked.GetProperty("note").GetString()));

        using var reviewer = await _console.SignedInAsync("reviewer1");
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.GetAsync("api/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.PostAsJsonAsync("api/alerts/0196dd0000000003/acknowledge", new { note = "not mine to do" })).StatusCode);

        using var admin = await _console.SignedInAsync("admin1");
        var audit = await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=acknowledge");
        var entry = Assert.Single(audit.EnumerateArray());
        Assert.Equal(("guard1", "alert:0196dd0000000002"), (entry.GetProperty("actor").GetString(), entry.GetProperty("target").GetString()));
    }
}
