using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace GateWatch.Central.Tests.Support;

/// <summary>An agent delivering events through the console's real ingest endpoint, with the key its registration gave.</summary>
internal sealed class EventSender(TestConsole console, string agent, string key)
{
    /// <summary>The key the agent's registration gave it, as it presents it to the console.</summary>
    public string Key => key;

    private long _seq;
    private object? _last;

    /// <summary>Registers <paramref name="agent"/> (as admin1) at <paramref name="url"/> (by default an address nothing listens on), and returns its sender.</summary>
    public static async Task<EventSender> RegisterAsync(TestConsole console, string agent, string name, string url = "http://127.0.0.1:9/")
    {
        using var admin = await console.SignedInAsync("admin1");
        var r = await admin.PostAsJsonAsync("api/admin/agents", new { id = agent, name, url, apiKey = "agent-local-key-0123" });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        return new EventSender(console, agent, (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consoleKey").GetString()!);
    }

    public static SentEvent Crossing(string camera, string time, string direction, string @class = "person") =>
        new(camera, "crossing", time, new { line = "gate", direction, trackId = 7, @class });

    /// <summary>A vehicle's crossing with the plate the agent read (the wire contract's <c>plate</c> object).</summary>
    public static SentEvent PlateCrossing(string camera, string time, string text, string @class = "car", string direction = "in", double confidence = 0.93, string? crop = null) =>
        new(camera, "crossing", time, new { line = "in-lane", direction, trackId = 12, @class, plate = new { text, confidence, crop } });

    public static SentEvent Other(string camera, string type, string time) => new(camera, type, time, new { zone = "gate", peak = 6 });

    /// <summary>Sends the events in one batch; every one must be stored. Returns their ids.</summary>
    public async Task<IReadOnlyList<string>> SendAsync(params SentEvent[] events)
    {
        var (status, result, ids) = await TrySendAsync(events);
        Assert.True(status == HttpStatusCode.OK && result.GetProperty("stored").GetInt32() == ids.Count, result.ToString());
        return ids;
    }

    /// <summary>Sends the events in one batch; the console's answer (stored, duplicates, rejected) and the ids sent.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Result, IReadOnlyList<string> Ids)> TrySendAsync(params SentEvent[] events)
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
        _last = new { agent, events = batch };
        var r = await http.PostAsJsonAsync("api/agents/events", _last);
        return (r.StatusCode, await r.Content.ReadFromJsonAsync<JsonElement>(), batch.Select(b => b.id).ToList());
    }

    /// <summary>The last batch sent again, as an agent does when the console's answer was lost; the console's answer.</summary>
    public async Task<JsonElement> ReplayAsync()
    {
        using var http = console.Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var r = await http.PostAsJsonAsync("api/agents/events", _last);
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }
}

/// <summary>One event to send: its camera, type, ISO time and data.</summary>
internal sealed record SentEvent(string Camera, string Type, string Time, object Data);
