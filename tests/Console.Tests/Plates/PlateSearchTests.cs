using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using static GateWatch.Central.Tests.Support.EventSender;

namespace GateWatch.Central.Tests.Plates;

/// <summary>Reviewers and investigators searching the reads: partial plates, wildcards, one wrong character, filters; every search audited.</summary>
public sealed class PlateSearchTests : IAsyncLifetime
{
    private TestConsole _console = null!;
    private DateTimeOffset _t0;

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        _t0 = _console.Time.GetUtcNow().AddHours(-10);
        var north = await RegisterAsync(_console, "gate-north", "North gate");
        var south = await RegisterAsync(_console, "gate-south", "South gate");
        using var admin = await _console.SignedInAsync("admin1");
        await PlateKit.AddAsync(admin, "denied", new { plate = "51G-123.45", reason = "stolen" });
        await PlateKit.AddAsync(admin, "allowed", new { plate = "30V-3993", owner = "Nguyen Van A" });
        await PlateKit.SetPolicyAsync(admin, "gate-north", "lane-1", "alert-denied");
        // Exact matching against the lists, so that near misses of the denied plate are plainly unlisted here.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("api/plates/settings", new { maxDistance = 0 })).StatusCode);
        await north.SendAsync(
            PlateCrossing("lane-1", At(0), "51G-123.45", crop: "p-read-000000001.jpg"),
            PlateCrossing("lane-1", At(1), "51G-128.45", @class: "truck", direction: "out"),
            PlateCrossing("lane-2", At(2), "30V-3993", @class: "motorcycle"),
            PlateCrossing("lane-2", At(3), "59-X1 234.56", @class: "motorcycle"));
        await south.SendAsync(PlateCrossing("gate", At(4), "51G-123.46", @class: "bus"), PlateCrossing("gate", At(5), "DE M AB 123"));
    }

    public async Task DisposeAsync() => await _console.DisposeAsync();

    private string At(int hours) => _t0.AddHours(hours).ToString("O");

    private static async Task<List<string>> PlatesAsync(HttpClient http, string query)
    {
        var r = await http.GetAsync($"api/plates/reads?{query}");
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{query}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return [.. (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reads").EnumerateArray().Select(x => x.GetProperty("plate").GetString()!)];
    }

    [Fact]
    public async Task Searches_find_the_reads_that_pass_every_filter_newest_first()
    {
        using var reviewer = await _console.SignedInAsync("reviewer1");
        foreach (var (query, plates) in new[]
        {
            ("plate=123", "DE M AB 123,51G-123.46,59-X1 234.56,51G-123.45"), // a part of the plate
            ("plate=51g-12", "51G-123.46,51G-128.45,51G-123.45"),
            ("plate=51G*45", "51G-128.45,51G-123.45"), // wildcards describe the whole plate
            ("plate=51G12?45", "51G-128.45,51G-123.45"),
            ("plate=*3993", "30V-3993"),
            ("plate=59X1*", "59-X1 234.56"),
            ("plate=mab", "DE M AB 123"),
            ("plate=51G12345", "51G-123.45"),
            ("plate=51G12345&fuzzy=true", "51G-123.46,51G-128.45,51G-123.45"), // one wrong character tolerated
            ("plate=51G1234&fuzzy=true", "51G-123.46,51G-128.45,51G-123.45"),
            ("plate=51H*&fuzzy=true", "51G-123.46,51G-128.45,51G-123.45"),
            ("plate=77Q", ""),
            ("class=motorcycle", "59-X1 234.56,30V-3993"),
            ("camera=lane-1", "51G-128.45,51G-123.45"),
            ("agent=gate-south", "DE M AB 123,51G-123.46"),
            ("status=allowed", "30V-3993"),
            ("status=denied", "51G-123.45"),
            ("alerts=true", "51G-123.45"),
            ("plate=51G*&class=truck", "51G-128.45"),
            ("limit=2", "DE M AB 123,51G-123.46"),
        })
        {
            Assert.True((plates.Length == 0 ? [] : plates.Split(',')).SequenceEqual(await PlatesAsync(reviewer, query)),
                $"{query}: {string.Join(",", await PlatesAsync(reviewer, query))}");
        }
    }

    [Fact]
    public async Task A_time_range_includes_its_start_and_not_its_end()
    {
        using var investigator = await _console.SignedInAsync("investigator1");
        var from = Uri.EscapeDataString(At(1));
        var to = Uri.EscapeDataString(At(3));
        Assert.Equal(["30V-3993", "51G-128.45"], await PlatesAsync(investigator, $"from={from}&to={to}"));
    }

    [Fact]
    public async Task A_read_has_its_crop_through_the_relay_and_a_link_to_its_footage_and_the_search_is_audited_with_the_plate_typed()
    {
        using var reviewer = await _console.SignedInAsync("reviewer1");
        var found = await reviewer.GetFromJsonAsync<JsonElement>("api/plates/reads?plate=51G-123.45&camera=lane-1");
        var read = Assert.Single(found.GetProperty("reads").EnumerateArray());
        Assert.False(found.GetProperty("more").GetBoolean());
        Assert.Equal("/api/plates/gate-north/lane-1/p-read-000000001.jpg", read.GetProperty("crop").GetString());
        Assert.Equal($"/recordings.html?agent=gate-north&camera=lane-1&t={Uri.EscapeDataString(Central.UtcTime.Format(_t0))}", read.GetProperty("footage").GetString());
        Assert.Equal(("North gate", "in", "car", "denied", "plate-denied"),
            (read.GetProperty("agentName").GetString(), read.GetProperty("direction").GetString(), read.GetProperty("class").GetString(),
             read.GetProperty("status").GetString(), read.GetProperty("alert").GetString()));

        using var admin = await _console.SignedInAsync("admin1");
        var audit = Assert.Single((await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=plate-search")).EnumerateArray());
        Assert.Equal(("reviewer1", "plate:51G-123.45", "ok"), (audit.GetProperty("actor").GetString(), audit.GetProperty("target").GetString(), audit.GetProperty("outcome").GetString()));
        Assert.Equal("pattern *51G12345*, camera lane-1: 1 read(s)", audit.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_csv_export_has_a_row_per_read_and_is_audited_as_a_search()
    {
        using var investigator = await _console.SignedInAsync("investigator1");
        var r = await investigator.GetAsync("api/plates/reads?plate=51G*&format=csv");
        Assert.Equal("text/csv", r.Content.Headers.ContentType?.MediaType);
        var lines = (await r.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.Equal("time_local,time_utc,agent,camera,direction,class,plate,confidence,status,matched,alert,acknowledged_by,event_id", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith($"{_t0:yyyy-MM-dd'T'HH:mm:ss}+00:00,{Central.UtcTime.Format(_t0)},gate-north,lane-1,in,car,51G-123.45,0.93,denied,denied entry 1: 51G-123.45,plate-denied,,gate-north-", lines[3], StringComparison.Ordinal);

        using var admin = await _console.SignedInAsync("admin1");
        var audit = Assert.Single((await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=plate-search")).EnumerateArray());
        Assert.Equal("pattern 51G*, CSV: 3 read(s)", audit.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_bad_search_is_refused_with_a_problem_that_says_what_is_wrong_and_audited()
    {
        using var reviewer = await _console.SignedInAsync("reviewer1");
        var cases = new[]
        {
            ("plate=%27%20OR%201%3D1%20--", "plate: '' OR 1=1 --' has '''"),
            ("plate=51G%25", "has '%'"),
            ("plate=*", "at least one letter or digit"),
            ("plate=..%2F..%2Fetc", "has '/'"),
            ("fuzzy=true", "needs a plate"),
            ("fuzzy=maybe&plate=51G", "fuzzy: true or false"),
            ("from=yesterday", "from: 'yesterday' is not an ISO 8601 time"),
            ("from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "empty or reversed"),
            ("camera=lane%201%3B%20DROP%20TABLE%20plate_reads", "camera: 'lane 1; DROP TABLE plate_reads' is not a camera id"),
            ("status=stolen", "status: 'stolen' is unknown"),
            ("class=CAR", "is not a class"),
            ("limit=0", "limit: a number from 1 to 1000"),
            ("limit=5000", "limit: a number from 1 to 1000"),
            ("format=xml", "format: 'xml' is unknown"),
            ("plate=1&plate=2", "plate: give it once"),
        };
        foreach (var (query, problem) in cases)
        {
            var r = await reviewer.GetAsync($"api/plates/reads?{query}");
            Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)r.StatusCode}");
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            var detail = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
            Assert.True(detail.Contains(problem, StringComparison.Ordinal), $"{query}: {detail}");
        }

        using var admin = await _console.SignedInAsync("admin1");
        var audit = (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=plate-search")).EnumerateArray().ToList();
        Assert.Equal(cases.Length, audit.Count(a => a.GetProperty("outcome").GetString() == "failed" && a.GetProperty("actor").GetString() == "reviewer1"));
        Assert.Equal(cases.Length, audit.Count);
        // The reads are all still there.
        Assert.Equal(6, PlateKit.Reads(_console.Db).Count);
    }

    [Fact]
    public async Task Guards_and_admins_cannot_search_the_reads()
    {
        foreach (var name in new[] { "guard1", "admin1" })
        {
            using var user = await _console.SignedInAsync(name);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("api/plates/reads?plate=51G")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("api/plates/reads?format=csv")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await _console.Client().GetAsync("api/plates/reads")).StatusCode);
        using var check = await _console.SignedInAsync("admin1");
        Assert.Empty((await check.GetFromJsonAsync<JsonElement>("api/admin/audit?action=plate-search")).EnumerateArray());
    }
}
