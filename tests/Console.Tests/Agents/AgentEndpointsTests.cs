using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GateWatch.Central.Data;
using GateWatch.Central.Tests.Support;

namespace GateWatch.Central.Tests.Agents;

public sealed class AgentEndpointsTests : IAsyncLifetime
{
    private TestConsole _console = null!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        using var admin = await _console.SignedInAsync("admin1");
        var r = await admin.PostAsJsonAsync("api/admin/agents", new { id = "gate-north", name = "North gate", url = "http://127.0.0.1:8710", apiKey = "agent-local-key-0123" });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        _key = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consoleKey").GetString()!;
    }

    public async Task DisposeAsync() => await _console.DisposeAsync();

    private HttpClient Agent(string? key = null)
    {
        var http = _console.Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key ?? _key);
        return http;
    }

    private static object Event(long seq, string id, string agent = "gate-north", string type = "crossing", string camera = "north-1") => new
    {
        seq,
        id,
        agent,
        camera,
        type,
        time = DateTimeOffset.UtcNow.AddSeconds(-seq),
        data = new { line = "gate", direction = "in", trackId = 3, @class = "person" },
    };

    private long StoredEvents()
    {
        using var c = _console.Db.Open();
        return (long)ConsoleDb.Scalar(c, "SELECT COUNT(*) FROM events")!;
    }

    [Fact]
    public async Task A_batch_sent_twice_is_stored_once()
    {
        using var http = Agent();
        var batch = new { agent = "gate-north", events = new[] { Event(1, "0196aa0000000001"), Event(2, "0196aa0000000002") } };
        var first = await (await http.PostAsJsonAsync("api/agents/events", batch)).Content.ReadFromJsonAsync<JsonElement>();
        var again = await (await http.PostAsJsonAsync("api/agents/events", batch)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal((2, 0), (first.GetProperty("stored").GetInt32(), first.GetProperty("duplicates").GetInt32()));
        Assert.Equal((0, 2), (again.GetProperty("stored").GetInt32(), again.GetProperty("duplicates").GetInt32()));
        Assert.Equal(2, StoredEvents());
    }

    [Fact]
    public async Task Unknown_keys_and_agents_are_refused_and_store_nothing()
    {
        var batch = new { agent = "gate-north", events = new[] { Event(1, "0196bb0000000001") } };
        using (var wrong = Agent("gwa_not-the-key"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsJsonAsync("api/agents/events", batch)).StatusCode);
        }

        using (var none = _console.Client())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await none.PostAsJsonAsync("api/agents/events", batch)).StatusCode);
        }

        using var http = Agent();
        var otherAgent = new { agent = "gate-south", events = new[] { Event(1, "0196bb0000000002", agent: "gate-south") } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("api/agents/events", otherAgent)).StatusCode);
        Assert.Equal(0, StoredEvents());
    }

    [Fact]
    public async Task Forged_or_malformed_events_are_rejected_one_by_one_with_the_reason()
    {
        using var http = Agent();
        var batch = new
        {
            agent = "gate-north",
            events = new[]
            {
                Event(1, "0196cc0000000001"),
                Event(2, "0196cc0000000002", agent: "gate-south"),
                Event(3, "0196cc0000000003", type: "door-opened"),
                Event(4, "../../etc/passwd"),
                Event(5, "0196cc0000000005", camera: "<script>"),
            },
        };
        var result = await (await http.PostAsJsonAsync("api/agents/events", batch)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(1, result.GetProperty("stored").GetInt32());
        var rejected = result.GetProperty("rejected").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.Equal(4, rejected.Count);
        Assert.Contains(rejected, r => r.Contains("names agent 'gate-south'", StringComparison.Ordinal));
        Assert.Contains(rejected, r => r.Contains("type 'door-opened' is unknown", StringComparison.Ordinal));
        Assert.Contains(rejected, r => r.Contains("id must be", StringComparison.Ordinal));
        Assert.Contains(rejected, r => r.Contains("camera must be", StringComparison.Ordinal));
        Assert.Equal(1, StoredEvents());
    }

    [Fact]
    public async Task Oversized_and_malformed_bodies_are_clear_errors()
    {
        using var http = Agent();
        var huge = new StringContent("{\"agent\":\"gate-north\",\"events\":[" + new string(' ', 2 * 1024 * 1024) + "]}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await http.PostAsync("api/agents/events", huge)).StatusCode);

        var broken = await http.PostAsync("api/agents/events", new StringContent("{\"agent\": \"gate-north\", \"events\": [", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Contains("not an event batch", await broken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // Found by fuzzing (bench/fuzz, event-ingest): "events": [null] threw NullReferenceException (a 500).
    [Fact]
    public async Task A_null_event_is_rejected_and_the_rest_of_the_batch_stored()
    {
        using var http = Agent();
        var good = JsonSerializer.Serialize(Event(1, "0196aa00000000n1"));
        var body = new StringContent($$"""{"agent":"gate-north","events":[null,{{good}}]}""", Encoding.UTF8, "application/json");

        var response = await http.PostAsync("api/agents/events", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, result.GetProperty("stored").GetInt32());
        Assert.Contains("it is null, not an event", Assert.Single(result.GetProperty("rejected").EnumerateArray()).GetString(), StringComparison.Ordinal);
        Assert.Equal(1, StoredEvents());
    }

    // Found by fuzzing (bench/fuzz, event-ingest): bytes that are not UTF-8 inside an event's data passed the
    // deserializer and threw InvalidOperationException (a 500) when the data was read as text.
    [Theory]
    [InlineData("\"data\":{\"line\":\"\xff\"}")]
    [InlineData("\"data\":{\"class\":\"car\",\"plate\":{\"text\":\"5\xfe\",\"confidence\":0.5,\"crop\":null}}")]
    public async Task A_body_that_is_not_utf8_is_a_clear_error(string data)
    {
        using var http = Agent();
        var text = $$"""{"agent":"gate-north","events":[{"seq":1,"id":"0196aa00000000u1","agent":"gate-north","camera":"north-1","type":"crossing","time":"{{DateTimeOffset.UtcNow:O}}",{{data}}}]}""";
        // \xff and \xfe stand for single bytes that no UTF-8 text holds.
        var bytes = text.Select(c => (byte)c).ToArray();

        var response = await http.PostAsync("api/agents/events", new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not UTF-8", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, StoredEvents());
    }

    // Found by fuzzing (bench/fuzz, event-ingest): a plate text of half a surrogate pair threw in the plate hook (a 500).
    [Fact]
    public async Task An_event_whose_data_is_not_unicode_text_is_rejected()
    {
        using var http = Agent();
        const string data = """{"class":"car","plate":{"text":"\udc00","confidence":0.5,"crop":null}}""";
        var text = $$"""{"agent":"gate-north","events":[{"seq":1,"id":"0196aa00000000s1","agent":"gate-north","camera":"north-1","type":"crossing","time":"{{DateTimeOffset.UtcNow:O}}","data":{{data}}}]}""";

        var response = await http.PostAsync("api/agents/events", new StringContent(text, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("not Unicode text", Assert.Single(result.GetProperty("rejected").EnumerateArray()).GetString(), StringComparison.Ordinal);
        Assert.Equal(0, StoredEvents());
    }

    [Fact]
    public async Task Only_admins_register_agents_and_a_second_registration_is_refused()
    {
        using var guard = await _console.SignedInAsync("guard1");
        Assert.Equal(HttpStatusCode.Forbidden, (await guard.PostAsJsonAsync("api/admin/agents", new { id = "x", url = "http://127.0.0.1:1", apiKey = "agent-local-key-0123" })).StatusCode);

        using var admin = await _console.SignedInAsync("admin1");
        var again = await admin.PostAsJsonAsync("api/admin/agents", new { id = "gate-north", url = "http://127.0.0.1:1", apiKey = "agent-local-key-0123" });
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("already registered", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var list = await admin.GetStringAsync("api/admin/agents");
        Assert.DoesNotContain("agent-local-key", list, StringComparison.Ordinal);
        Assert.DoesNotContain(_key, list, StringComparison.Ordinal);
    }
}
