using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using static GateWatch.Central.Tests.Support.EventSender;

namespace GateWatch.Central.Tests.Plates;

/// <summary>Each gate's policy deciding which reads raise an alert; plate alerts on the guards' list, acknowledged with a note.</summary>
public sealed class PlateAlertTests : IAsyncLifetime
{
    private TestConsole _console = null!;
    private EventSender _north = null!;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        // Noon of a day to come, so that the visitor expected today is still expected a few minutes before now.
        _console.Time.SetUtcNow(new DateTimeOffset(_console.Time.GetUtcNow().UtcDateTime.Date.AddDays(1).AddHours(12), TimeSpan.Zero));
        _north = await RegisterAsync(_console, "gate-north", "North gate");
        using var admin = await _console.SignedInAsync("admin1");
        await PlateKit.AddAsync(admin, "denied", new { plate = "51G-123.45", reason = "stolen" });
        await PlateKit.AddAsync(admin, "allowed", new { plate = "30V-3993", owner = "Nguyen Van A" });
        await PlateKit.AddAsync(admin, "visitors", new { plate = "43A-111.11", host = "Ms Lan", day = _console.Time.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) });
    }

    public async Task DisposeAsync() => await _console.DisposeAsync();

    /// <summary>One crossing of each kind (denied, allowed, visitor, unlisted) at <paramref name="camera"/>; their ids in that order.</summary>
    private Task<IReadOnlyList<string>> OneOfEachAsync(string camera) => _north.SendAsync(
        PlateCrossing(camera, PlateKit.At(_console, -4), "51G-123.45", crop: "p-denied-crop-0001.jpg"),
        PlateCrossing(camera, PlateKit.At(_console, -3), "30V-3993"),
        PlateCrossing(camera, PlateKit.At(_console, -2), "43A-111.11"),
        PlateCrossing(camera, PlateKit.At(_console, -1), "99Z-999.99"));

    private static async Task<List<string>> OpenAlertsAsync(HttpClient guard) =>
        [.. (await guard.GetFromJsonAsync<JsonElement>("api/alerts?open=true")).EnumerateArray().Select(a => $"{a.GetProperty("camera").GetString()} {a.GetProperty("type").GetString()}")];

    [Fact]
    public async Task Log_raises_nothing_alert_denied_raises_the_denied_plate_and_alert_unlisted_also_the_unlisted_one()
    {
        using var admin = await _console.SignedInAsync("admin1");
        await PlateKit.SetPolicyAsync(admin, "gate-north", "lane-2", "alert-denied");
        await PlateKit.SetPolicyAsync(admin, "gate-north", "lane-3", "alert-unlisted");
        await PlateKit.SetPolicyAsync(admin, "gate-north", "lane-4", "alert-unlisted");
        await PlateKit.SetPolicyAsync(admin, "gate-north", "lane-4", "log");
        await OneOfEachAsync("lane-1"); // no policy set: log
        await OneOfEachAsync("lane-2");
        var lane3 = await OneOfEachAsync("lane-3");
        await OneOfEachAsync("lane-4");

        Assert.Equal(16, PlateKit.Reads(_console.Db).Count);
        using var guard = await _console.SignedInAsync("guard1");
        Assert.Equal(["lane-2 plate-denied", "lane-3 plate-denied", "lane-3 plate-unlisted"], (await OpenAlertsAsync(guard)).Order());

        var denied = (await guard.GetFromJsonAsync<JsonElement>("api/alerts")).EnumerateArray().First(a => a.GetProperty("id").GetString() == lane3[0]);
        var plate = denied.GetProperty("plate");
        Assert.Equal(("51G-123.45", "denied", "/api/plates/gate-north/lane-3/p-denied-crop-0001.jpg"),
            (plate.GetProperty("text").GetString(), plate.GetProperty("status").GetString(), plate.GetProperty("crop").GetString()));
        Assert.StartsWith("denied entry ", plate.GetProperty("matched").GetString(), StringComparison.Ordinal);
        Assert.Equal(("car", "in"), (denied.GetProperty("data").GetProperty("class").GetString(), denied.GetProperty("data").GetProperty("direction").GetString()));

        // Every policy change is audited with what it was before.
        var audit = (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=config-change")).EnumerateArray()
            .Select(a => $"{a.GetProperty("target").GetString()}: {a.GetProperty("detail").GetString()}").ToList();
        Assert.Equal("plates/policy/gate-north/lane-4: plate policy alert-unlisted -> log", audit[^1]);
        Assert.Equal(4, audit.Count);

        // The statistics count them with the other alerts.
        using var reviewer = await _console.SignedInAsync("reviewer1");
        var stats = await reviewer.GetFromJsonAsync<JsonElement>("api/stats/alerts?bucket=day");
        Assert.Equal(2, stats.EnumerateArray().Where(x => x.GetProperty("type").GetString() == "plate-denied").Sum(x => x.GetProperty("count").GetInt32()));
    }

    [Fact]
    public async Task A_policy_counts_from_when_it_is_set_and_a_read_keeps_the_status_it_had_when_it_arrived()
    {
        using var admin = await _console.SignedInAsync("admin1");
        var before = await _north.SendAsync(PlateCrossing("lane-1", PlateKit.At(_console, -2), "88B-888.88"));
        await PlateKit.SetPolicyAsync(admin, "gate-north", "lane-1", "alert-unlisted");
        var after = await _north.SendAsync(PlateCrossing("lane-1", PlateKit.At(_console, -1), "88B-888.88"));
        await PlateKit.AddAsync(admin, "denied", new { plate = "88B-888.88", reason = "later" });
        Assert.Equal([$"{before[0]} 88B-888.88 unlisted -", $"{after[0]} 88B-888.88 unlisted plate-unlisted"], PlateKit.Reads(_console.Db));
    }

    [Fact]
    public async Task The_admins_distance_decides_how_far_off_a_read_may_be_and_zero_is_exact()
    {
        using var admin = await _console.SignedInAsync("admin1");
        await PlateKit.SetPolicyAsync(admin, "gate-north", "lane-1", "alert-denied");
        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>("api/plates/settings")).GetProperty("maxDistance").GetInt32());
        var near = await _north.SendAsync(PlateCrossing("lane-1", PlateKit.At(_console, -3), "51G-123.46"));

        var set = await admin.PutAsJsonAsync("api/plates/settings", new { maxDistance = 0 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var exact = await _north.SendAsync(PlateCrossing("lane-1", PlateKit.At(_console, -2), "51G-123.46"), PlateCrossing("lane-1", PlateKit.At(_console, -1), "51G 12345"));
        Assert.Equal([$"{near[0]} 51G-123.46 denied plate-denied", $"{exact[0]} 51G-123.46 unlisted -", $"{exact[1]} 51G 12345 denied plate-denied"],
            PlateKit.Reads(_console.Db));

        foreach (var bad in new object[] { new { maxDistance = 4 }, new { maxDistance = -1 }, new { maxDistance = "1" }, new { timeZone = "Mars/Olympus" }, new { timeZone = "../../etc/localtime" } })
        {
            var r = await admin.PutAsJsonAsync("api/plates/settings", bad);
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        }

        var audit = (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=config-change")).EnumerateArray()
            .Where(a => a.GetProperty("target").GetString() == "plates/settings").Select(a => $"{a.GetProperty("outcome").GetString()}: {a.GetProperty("detail").GetString()}").ToList();
        Assert.Equal("ok: maxDistance 1 -> 0, timeZone UTC -> UTC", audit[0]);
        Assert.Equal(6, audit.Count);
    }

    [Fact]
    public async Task A_bad_policy_or_camera_is_refused_and_nothing_changes()
    {
        using var admin = await _console.SignedInAsync("admin1");
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("api/plates/policies/gate-north/lane-1", new { policy = "shoot" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("api/plates/policies/gate-north/Lane%201", new { policy = "log" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("api/plates/policies/gate-south/lane-1", new { policy = "log" })).StatusCode);
        var policies = await admin.GetFromJsonAsync<JsonElement>("api/plates/policies");
        Assert.Equal(0, policies.GetProperty("cameras").GetArrayLength());
        Assert.Equal("log", policies.GetProperty("default").GetString());
    }

    [Fact]
    public async Task A_guard_acknowledges_a_plate_alert_once_with_a_note_and_investigators_find_it_with_the_note()
    {
        using var admin = await _console.SignedInAsync("admin1");
        await PlateKit.SetPolicyAsync(admin, "gate-north", "lane-1", "alert-denied");
        var ids = await OneOfEachAsync("lane-1");
        using var guard = await _console.SignedInAsync("guard1");
        Assert.Equal(["lane-1 plate-denied"], await OpenAlertsAsync(guard));

        Assert.Equal(HttpStatusCode.NotFound, (await guard.PostAsJsonAsync($"api/alerts/{ids[1]}/acknowledge", new { note = "an allowed car is no alert" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await guard.PostAsJsonAsync($"api/alerts/{ids[0]}/acknowledge", new { note = "stopped at the barrier; police called" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await guard.PostAsJsonAsync($"api/alerts/{ids[0]}/acknowledge", new { note = "again" })).StatusCode);
        Assert.Empty(await OpenAlertsAsync(guard));
        var acked = (await guard.GetFromJsonAsync<JsonElement>("api/alerts")).EnumerateArray().Single().GetProperty("acknowledged");
        Assert.Equal(("guard1", "stopped at the barrier; police called"), (acked.GetProperty("by").GetString(), acked.GetProperty("note").GetString()));

        using var investigator = await _console.SignedInAsync("investigator1");
        var found = (await investigator.GetFromJsonAsync<JsonElement>("api/plates/reads?alerts=true")).GetProperty("reads");
        var read = Assert.Single(found.EnumerateArray());
        Assert.Equal(("plate-denied", "stopped at the barrier; police called"), (read.GetProperty("alert").GetString(), read.GetProperty("acknowledged").GetProperty("note").GetString()));

        var audit = Assert.Single((await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=acknowledge")).EnumerateArray());
        Assert.Equal($"alert:{ids[0]}", audit.GetProperty("target").GetString());
    }
}
