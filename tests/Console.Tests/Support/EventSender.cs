using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace GateWatch.Central.Tests.Support;

/// <summary>An agent delivering events through the console's real ingest endpoint, with the key its registration gave.</summary>
internal sealed class EventSender(TestConsole console, string agent, string key)
{
    private long _seq;

    /// <summary>Registers <paramref name="agent"/> (as admin1) at an address nothing listens on, and returns its sender.</summary>
    public static async Task<EventSender> RegisterAsync(TestConsole console, string agent, string name)
    {
        using var admin = await console.SignedInAsync("admin1");
        var r = await admin.PostAsJsonAsync("api/admin/agents", new { id = agent, name, url = "http://127.0.0.1:9/", apiKey = "agent-local-key-0123" });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        return new EventSender(console, agent, (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consoleKey").GetString()!);
    }

    public static SentEvent Crossing(string camera, string time, string direction, string @class = "person") =>
        new(camera, "crossing", time, new { line = "gate", direction, trackId = 7, @class });

    public static SentEvent Other(string camera, string type, string time) => new(camera, type, time, new { zone = "gate", peak = 6 });

    /// <summary>Sends the events in one batch; every one must be stored.</summary>
    public async Task SendAsync(params SentEvent[] events)
    {
        using var http = console.Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var batch = events.Select(e =>
        {
            var seq = ++_seq;
            return new
            {
                seq,
                id = $"{agent}-{seq.ToString("D8", CultureInfo.InvariantCulture)}",
                agent,
                camera = e.Camera,
                type = e.Type,
                time = DateTimeOffset.Parse(e.Time, CultureInfo.InvariantCulture),
                data = e.Data,
            };
        }).ToList();
        var r = await http.PostAsJsonAsync("api/agents/events", new { agent, events = batch });
        var result = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(result.GetProperty("stored").GetInt32() == batch.Count, result.ToString());
    }
}

/// <summary>One event to send: its camera, type, ISO time and data.</summary>
internal sealed record SentEvent(string Camera, string Type, string Time, object Data);
