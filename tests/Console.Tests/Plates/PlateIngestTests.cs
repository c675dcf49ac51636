using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using static GateWatch.Central.Tests.Support.EventSender;

namespace GateWatch.Central.Tests.Plates;

/// <summary>A crossing's plate arriving with the agent's events: checked, stored as a read with the list status of that moment.</summary>
public sealed class PlateIngestTests : IAsyncLifetime
{
    private TestConsole _console = null!;
    private EventSender _north = null!;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        _north = await RegisterAsync(_console, "gate-north", "North gate");
    }

    public async Task DisposeAsync() => await _console.DisposeAsync();

    [Fact]
    public async Task A_crossing_with_a_read_plate_is_kept_as_a_read_with_its_list_status_and_one_without_is_not()
    {
        using var admin = await _console.SignedInAsync("admin1");
        await PlateKit.AddAsync(admin, "denied", new { plate = "51G-123.45", reason = "stolen" });
        var ids = await _north.SendAsync(
            PlateCrossing("north-1", PlateKit.At(_console, -3), "51g-123.45", @class: "truck", direction: "out", confidence: 0.91, crop: "p-gate-north-00000001.jpg"),
            PlateCrossing("north-1", PlateKit.At(_console, -2), "", confidence: 0),
            Crossing("north-1", PlateKit.At(_console, -1), "in"));

        using var c = _console.Db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT event_id, agent, camera, text, plate, confidence, crop, class, direction, status, matched, alert FROM plate_reads";
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read());
        Assert.Equal(
            (ids[0], "gate-north", "north-1", "51G-123.45", "51G12345", 0.91, "p-gate-north-00000001.jpg", "truck", "out", "denied"),
            (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetDouble(5), r.GetString(6), r.GetString(7), r.GetString(8), r.GetString(9)));
        Assert.StartsWith("denied entry ", r.GetString(10), StringComparison.Ordinal);
        // The gate's policy is still the default, log: no alert.
        Assert.True(r.IsDBNull(11));
        Assert.False(r.Read(), "a vehicle whose plate was not read and a person make no read");

        // The events themselves are all stored as sent.
        Assert.Equal(3L, Central.Data.ConsoleDb.Scalar(c, "SELECT COUNT(*) FROM events WHERE type = 'crossing'"));
    }

    [Theory]
    [InlineData("""{"plate":"51G-123.45"}""", "data.plate must be an object")]
    [InlineData("""{"plate":{"confidence":0.5,"crop":null}}""", "data.plate.text must be a string")]
    [InlineData("""{"plate":{"text":"51G_123;45","confidence":0.5,"crop":null}}""", "data.plate.text: only letters, digits")]
    [InlineData("""{"plate":{"text":"123456789012345678901","confidence":0.5,"crop":null}}""", "data.plate.text: at most 20 characters")]
    [InlineData("""{"plate":{"text":"51G-123.45","confidence":1.5,"crop":null}}""", "data.plate.confidence must be a number from 0 to 1")]
    [InlineData("""{"plate":{"text":"51G-123.45","confidence":"high","crop":null}}""", "data.plate.confidence must be a number from 0 to 1")]
    [InlineData("""{"plate":{"text":"51G-123.45","confidence":0.5,"crop":"../../etc/passwd"}}""", "data.plate.crop must be null or a file name")]
    [InlineData("""{"plate":{"text":"51G-123.45","confidence":0.5,"crop":"p-12345678.jpg\n"}}""", "data.plate.crop must be null or a file name")]
    [InlineData("""{"plate":{"text":"51G-123.45","confidence":0.5,"crop":7}}""", "data.plate.crop must be null or a file name")]
    public async Task A_malformed_plate_is_rejected_with_the_reason_and_nothing_of_its_event_is_stored(string data, string reason)
    {
        using var doc = JsonDocument.Parse(data);
        var (status, result, ids) = await _north.TrySendAsync(new SentEvent("north-1", "crossing", PlateKit.At(_console, -1), doc.RootElement.Clone()));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, result.GetProperty("stored").GetInt32());
        var rejected = Assert.Single(result.GetProperty("rejected").EnumerateArray()).GetString();
        Assert.Contains(reason, rejected, StringComparison.Ordinal);
        Assert.Contains(ids[0], rejected, StringComparison.Ordinal);
        Assert.Empty(PlateKit.Reads(_console.Db));
        using var c = _console.Db.Open();
        Assert.Equal(0L, Central.Data.ConsoleDb.Scalar(c, "SELECT COUNT(*) FROM events"));

        using var admin = await _console.SignedInAsync("admin1");
        var audit = await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=ingest-refused");
        Assert.Contains(reason, Assert.Single(audit.EnumerateArray()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replayed_crossing_makes_no_second_read()
    {
        var ids = await _north.SendAsync(PlateCrossing("north-1", PlateKit.At(_console, -1), "30V-3993"));
        var again = await _north.ReplayAsync();
        Assert.Equal((0, 1), (again.GetProperty("stored").GetInt32(), again.GetProperty("duplicates").GetInt32()));
        Assert.Equal([$"{ids[0]} 30V-3993 unlisted -"], PlateKit.Reads(_console.Db));
    }
}
