using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using GateWatch.Central.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static GateWatch.Central.Tests.Support.EventSender;

namespace GateWatch.Central.Tests.Plates;

/// <summary>Plate crops relayed from the agent that holds them, with its key, to the users who may see them; no other name ever reaches the agent.</summary>
public sealed class PlateCropTests : IAsyncLifetime
{
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9];

    private readonly ConcurrentQueue<string> _asked = new();
    private TestConsole _console = null!;
    private WebApplication _agent = null!;

    public async Task InitializeAsync()
    {
        // The agent's side of the contract: GET /api/plates/{camera}/{file} with its Bearer key. It answers with a
        // wrong type on purpose: the console must serve a JPEG as a JPEG whatever the agent says.
        var port = LocalAgent.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        _agent = builder.Build();
        _agent.MapGet("/api/plates/{camera}/{file}", (string camera, string file, HttpRequest request) =>
        {
            _asked.Enqueue($"{request.Headers.Authorization} {camera}/{file}");
            return Results.Bytes(Jpeg, "text/html");
        });
        _agent.MapFallback((HttpRequest request) =>
        {
            _asked.Enqueue($"{request.Headers.Authorization} other {request.Path}");
            return Results.NotFound();
        });
        await _agent.StartAsync();

        _console = await TestConsole.StartAsync();
        var north = await RegisterAsync(_console, "gate-north", "North gate", $"http://127.0.0.1:{port}/");
        using var admin = await _console.SignedInAsync("admin1");
        await PlateKit.AddAsync(admin, "denied", new { plate = "51G-123.45", reason = "stolen" });
        await PlateKit.SetPolicyAsync(admin, "gate-north", "lane-1", "alert-denied");
        await north.SendAsync(
            PlateCrossing("lane-1", PlateKit.At(_console, -2), "51G-123.45", crop: "p-alert-crop-0001.jpg"),
            PlateCrossing("lane-1", PlateKit.At(_console, -1), "30V-3993", crop: "p-plain-crop-0001.jpg"));
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
        await _agent.StopAsync();
        await _agent.DisposeAsync();
    }

    [Fact]
    public async Task A_reviewer_gets_any_reads_crop_from_the_agent_asked_with_its_key_as_a_jpeg()
    {
        using var reviewer = await _console.SignedInAsync("reviewer1");
        var r = await reviewer.GetAsync("api/plates/gate-north/lane-1/p-plain-crop-0001.jpg");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("image/jpeg", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Jpeg, await r.Content.ReadAsByteArrayAsync());
        Assert.Equal(["Bearer agent-local-key-0123 lane-1/p-plain-crop-0001.jpg"], _asked);
    }

    [Fact]
    public async Task A_guard_gets_the_crops_of_plate_alerts_only_and_an_admin_none()
    {
        using var guard = await _console.SignedInAsync("guard1");
        Assert.Equal(HttpStatusCode.OK, (await guard.GetAsync("api/plates/gate-north/lane-1/p-alert-crop-0001.jpg")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await guard.GetAsync("api/plates/gate-north/lane-1/p-plain-crop-0001.jpg")).StatusCode);
        using var admin = await _console.SignedInAsync("admin1");
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("api/plates/gate-north/lane-1/p-alert-crop-0001.jpg")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _console.Client().GetAsync("api/plates/gate-north/lane-1/p-alert-crop-0001.jpg")).StatusCode);
        Assert.Single(_asked);
    }

    [Fact]
    public async Task A_crop_no_read_has_is_not_asked_for()
    {
        using var reviewer = await _console.SignedInAsync("reviewer1");
        // A real name, but of another camera's read, or of none at all.
        Assert.Equal(HttpStatusCode.NotFound, (await reviewer.GetAsync("api/plates/gate-north/lane-2/p-plain-crop-0001.jpg")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reviewer.GetAsync("api/plates/gate-north/lane-1/p-never-read-0001.jpg")).StatusCode);
        Assert.Empty(_asked);
    }

    [Theory]
    [InlineData("gate-north/lane-1/p-plain-crop-0001.jpg%0A")]
    [InlineData("gate-north/lane-1/p-plain-crop-0001.jpg.exe")]
    [InlineData("gate-north/lane-1/p-plain-crop-0001.png")]
    [InlineData("gate-north/lane-1/x-plain-crop-0001.jpg")]
    [InlineData("gate-north/lane-1/p-1234.jpg")]
    [InlineData("gate-north/lane-1/p-..%2F..%2Fconsole.key.jpg")]
    [InlineData("gate-north/lane-1/..%2F..%2Fhealth")]
    [InlineData("gate-north/lane-1/p-plain%20crop-0001.jpg")]
    [InlineData("gate-north/..%2Fapi/p-plain-crop-0001.jpg")]
    [InlineData("gate-north/LANE-1/p-plain-crop-0001.jpg")]
    [InlineData("gate%2Fnorth/lane-1/p-plain-crop-0001.jpg")]
    public async Task A_bad_crop_name_or_id_is_refused_with_400_and_never_reaches_the_agent(string path)
    {
        using var reviewer = await _console.SignedInAsync("reviewer1");
        var r = await reviewer.GetAsync($"api/plates/{path}");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.NotNull((await r.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("detail").GetString());
        Assert.Empty(_asked);
    }
}
