using System.Net;
using System.Net.Http.Headers;
using GateWatch.Central.Tests.Support;
using static GateWatch.Central.Tests.Support.EventSender;

namespace GateWatch.Central.Tests.Plates;

/// <summary>The list an agent's barriers open for: asked with the agent's own key, today's allowed and visitors, never the watchlist.</summary>
public sealed class BarrierListEndpointTests : IAsyncLifetime
{
    private TestConsole _console = null!;
    private EventSender _north = null!;

    public async Task InitializeAsync()
    {
        // The lists' days are the test's own: a fixed clock, not the machine's, which would pass the visitor's day by.
        _console = await TestConsole.StartAsync(now: new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        _north = await RegisterAsync(_console, "gate-north", "North gate");
        using var admin = await _console.SignedInAsync("admin1");
        await PlateKit.AddAsync(admin, "allowed", new { plate = "30V-3993", owner = "Nguyen Van A" });
        await PlateKit.AddAsync(admin, "allowed", new { plate = "51F-207.54", owner = "contractor", validTo = "2026-11-30" });
        await PlateKit.AddAsync(admin, "allowed", new { plate = "29C-551.25", owner = "staff, now on the watchlist" });
        await PlateKit.AddAsync(admin, "denied", new { plate = "29C-551.25", reason = "badge revoked" });
        await PlateKit.AddAsync(admin, "visitors", new { plate = "43A-111.11", host = "Ms Lan", day = "2026-12-02" });
        await PlateKit.AddAsync(admin, "visitors", new { plate = "43A-222.22", host = "Ms Lan", day = "2026-12-03" });
    }

    public async Task DisposeAsync() => await _console.DisposeAsync();

    private async Task<HttpResponseMessage> GetAsync(string agent, string? key)
    {
        using var http = _console.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/agents/plates/barrier?agent={agent}");
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await http.SendAsync(request);
    }

    [Fact]
    public async Task The_agent_gets_todays_allowed_vehicles_and_visitors_without_the_watchlist()
    {
        using var r = await GetAsync("gate-north", _north.Key);

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var lines = (await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
        Assert.Equal(["30V-3993,allowed", "43A-111.11,visitor"], lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Without_the_agents_own_key_nothing_is_given()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("gate-north", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("gate-north", "a-guess-of-the-key-0000")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("gate-south", _north.Key)).StatusCode);
        using var guard = await _console.SignedInAsync("guard1");
        Assert.Equal(HttpStatusCode.Unauthorized, (await guard.GetAsync("api/agents/plates/barrier?agent=gate-north")).StatusCode);
    }
}
