using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Agents;
using GateWatch.Central.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace GateWatch.Central.Tests.Agents;

/// <summary>
/// The console's streamed calls to agents end when the agent does not answer, or stops in the middle: a hung
/// agent gets a 504 saying so, a stalled stream is broken off, and neither holds the viewer's connection forever.
/// The limits are shortened for the test; the viewer's own patience is far longer, so only the console can have ended it.
/// </summary>
public sealed class RelayTimeoutTests : IAsyncLifetime, IDisposable
{
    private readonly SilentAgent _hung = new();
    private TestConsole _console = null!;
    private StubAgent _stalling = null!;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        var agents = _console.Services.GetRequiredService<AgentClient>();
        agents.StreamStart = TimeSpan.FromSeconds(1);
        agents.StreamIdle = TimeSpan.FromSeconds(1);
        // Answers at once, sends a few bytes of video, then nothing more while the connection stays open.
        _stalling = await StubAgent.StartAsync(app => app.MapGet("/api/cameras/{id}/live.mp4", async (HttpContext http) =>
        {
            http.Response.ContentType = "video/mp4";
            await http.Response.Body.WriteAsync(new byte[] { 0, 0, 0, 8, (byte)'f', (byte)'t', (byte)'y', (byte)'p' });
            await http.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        }));
        using var admin = await _console.SignedInAsync("admin1");
        foreach (var (id, url) in new[] { ("gate-hung", _hung.Url), ("gate-stalling", _stalling.Url) })
        {
            var r = await admin.PostAsJsonAsync("api/admin/agents", new { id, name = id, url, apiKey = "agent-local-key-0123" });
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
        await _stalling.DisposeAsync();
    }

    public void Dispose() => _hung.Dispose();

    [Fact]
    public async Task An_agent_that_never_answers_a_stream_gets_a_504_saying_so()
    {
        using var guard = await _console.SignedInAsync("guard1");
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var r = await guard.GetAsync("api/live/gate-hung/cam1/snapshot.jpg", patience.Token);
        Assert.Equal(HttpStatusCode.GatewayTimeout, r.StatusCode);
        var problem = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("agent gate-hung did not start answering within 1 s", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_stream_the_agent_stops_sending_is_broken_off_not_held_open()
    {
        using var guard = await _console.SignedInAsync("guard1");
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var r = await guard.GetAsync("api/live/gate-stalling/cam1/video", HttpCompletionOption.ResponseHeadersRead, patience.Token);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        await using var body = await r.Content.ReadAsStreamAsync(patience.Token);
        var received = new MemoryStream();
        try
        {
            await body.CopyToAsync(received, patience.Token);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // broken off: what the console means to do
        }

        Assert.False(patience.IsCancellationRequested, "the console held the stalled stream open");
        Assert.Equal(8, received.Length);
    }
}
