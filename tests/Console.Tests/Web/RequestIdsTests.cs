using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using GateWatch.Central.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GateWatch.Central.Tests.Web;

/// <summary>
/// A request's id goes back in X-Request-Id and on to the agent the console calls for it, so the console's log lines
/// and the agent's for one click are found together; an id that is not a plain token is not taken into the logs.
/// </summary>
public sealed class RequestIdsTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _seenByAgent = new();
    private TestConsole _console = null!;
    private StubAgent _agent = null!;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        _agent = await StubAgent.StartAsync(app => app.MapGet("/api/cameras/{id}/segments", (HttpContext http) =>
        {
            _seenByAgent.Enqueue(http.Request.Headers["X-Request-Id"].ToString());
            return Results.Json(Array.Empty<object>());
        }));
        using var admin = await _console.SignedInAsync("admin1");
        var r = await admin.PostAsJsonAsync("api/admin/agents", new { id = "gate-north", name = "North gate", url = _agent.Url, apiKey = "agent-local-key-0123" });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
        await _agent.DisposeAsync();
    }

    [Fact]
    public async Task A_callers_id_is_answered_and_passed_to_the_agent_and_one_is_made_when_there_is_none()
    {
        using var reviewer = await _console.SignedInAsync("reviewer1");
        using var given = new HttpRequestMessage(HttpMethod.Get, "api/recordings/gate-north/north-1/segments");
        given.Headers.Add("X-Request-Id", "case-4711.click-2");
        using var r = await reviewer.SendAsync(given);

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("case-4711.click-2", r.Headers.GetValues("X-Request-Id").Single());
        Assert.True(_seenByAgent.TryDequeue(out var atAgent));
        Assert.Equal("case-4711.click-2", atAgent);

        using var none = await reviewer.GetAsync("api/recordings/gate-north/north-1/segments");
        var made = none.Headers.GetValues("X-Request-Id").Single();
        Assert.Matches("^[A-Za-z0-9._:-]{1,64}$", made);
        Assert.True(_seenByAgent.TryDequeue(out var madeAtAgent));
        Assert.Equal(made, madeAtAgent);
    }

    [Theory]
    [InlineData("id with spaces")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task An_id_that_is_not_a_plain_token_is_replaced(string hostile)
    {
        using var anonymous = _console.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "healthz");
        request.Headers.TryAddWithoutValidation("X-Request-Id", hostile);
        using var r = await anonymous.SendAsync(request);

        var id = r.Headers.GetValues("X-Request-Id").Single();
        Assert.NotEqual(hostile, id);
        Assert.Matches("^[A-Za-z0-9._:-]{1,64}$", id);
    }
}
