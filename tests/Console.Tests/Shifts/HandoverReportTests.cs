using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using static GateWatch.Central.Tests.Support.EventSender;

namespace GateWatch.Central.Tests.Shifts;

/// <summary>
/// A gate's night shift in Vietnam (22:00 to 06:00, UTC+7), through the real ingest and the guards' own
/// acknowledgements and notes: counts across local midnight, alerts with who acknowledged them, dark stretches
/// that began before the shift or have not ended, a shift still running, and who may read it.
/// </summary>
public sealed class HandoverReportTests : IAsyncLifetime
{
    private const string Report = "api/reports/shift?agent=gate-north&day=2026-12-01&shift=Ca%20%C4%91%C3%AAm";

    private TestConsole _console = null!;
    private EventSender _north = null!;
    private IReadOnlyList<string> _early = [];

    public async Task InitializeAsync()
    {
        // 03:00 on 2 December in Hanoi: the night shift of 1 December is half done.
        _console = await TestConsole.StartAsync(now: DateTimeOffset.Parse("2026-12-02T03:00:00+07:00"), zone: "Asia/Ho_Chi_Minh");
        _north = await RegisterAsync(_console, "gate-north", "North gate");
        var south = await RegisterAsync(_console, "gate-south", "South gate");
        _early = await _north.SendAsync(
            Crossing("north-1", L("2026-12-01T21:59:59"), "in"),
            Crossing("north-1", L("2026-12-01T22:00:00"), "in"),
            Crossing("north-1", L("2026-12-01T23:59:00"), "out", "motorcycle"),
            Crossing("north-1", L("2026-12-02T00:10:00"), "in", "motorcycle"),
            Other("north-1", "crowd-start", L("2026-12-02T00:30:00")),
            new SentEvent("north-2", "camera-offline", L("2026-12-01T21:00:00"), new { reason = "rtsp: connection refused" }),
            new SentEvent("north-2", "camera-online", L("2026-12-01T22:30:00"), new { }));
        await south.SendAsync(Crossing("south-1", L("2026-12-01T23:00:00"), "in"));
    }

    public async Task DisposeAsync() => await _console.DisposeAsync();

    private static string L(string local) => DateTimeOffset.Parse(local + "+07:00").ToString("O");

    [Fact]
    public async Task The_night_shift_report_holds_what_crossed_after_midnight_who_acknowledged_what_and_the_notes()
    {
        using (var guard = await _console.SignedInAsync("guard1"))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await guard.PostAsJsonAsync($"api/alerts/{_early[4]}/acknowledge", new { note = "Shift change queue, dispersed by 00:50." })).StatusCode);

            // Half way through: the report says so, and shows what there is.
            var running = await guard.GetFromJsonAsync<JsonElement>("api/reports/shift?agent=gate-north");
            Assert.False(running.GetProperty("complete").GetBoolean());
            Assert.Equal(("Ca đêm", "2026-12-01"), (running.GetProperty("shift").GetProperty("name").GetString(), running.GetProperty("shift").GetProperty("day").GetString()));
            Assert.Contains("has not ended (it ends at 2026-12-02T06:00:00+07:00)", running.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal((2, 1), (running.GetProperty("totals").GetProperty("in").GetInt32(), running.GetProperty("totals").GetProperty("out").GetInt32()));

            var note = await guard.PostAsJsonAsync("api/reports/shift/notes", new { agent = "gate-north", day = "2026-12-01", shift = "Ca đêm", text = "Barrier 2 sticks; reported to maintenance." });
            Assert.Equal(HttpStatusCode.OK, note.StatusCode);
        }

        // The agent's outbox delivers the rest of the night after the shift ended.
        _console.Time.Advance(TimeSpan.FromHours(4));
        await _north.SendAsync(
            Crossing("north-2", L("2026-12-02T05:59:00"), "in", "car"),
            new SentEvent("north-1", "camera-offline", L("2026-12-02T05:00:00"), new { reason = "no frames for 10 s" }),
            Crossing("north-1", L("2026-12-02T06:00:00"), "in"));

        using var reviewer = await _console.SignedInAsync("reviewer1");
        var r = await reviewer.GetFromJsonAsync<JsonElement>(Report);
        Assert.True(r.GetProperty("complete").GetBoolean());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("detail").ValueKind);
        Assert.Equal(("2026-12-01T22:00:00+07:00", "2026-12-01T15:00:00Z", "2026-12-02T06:00:00+07:00"), (r.GetProperty("shift").GetProperty("startLocal").GetString(),
            r.GetProperty("shift").GetProperty("start").GetString(), r.GetProperty("shift").GetProperty("endLocal").GetString()));
        Assert.Equal(
            ["north-1 motorcycle 1 1", "north-1 person 1 0", "north-2 car 1 0"],
            r.GetProperty("crossings").EnumerateArray().Select(x => $"{x.GetProperty("camera").GetString()} {x.GetProperty("class").GetString()} {x.GetProperty("in").GetInt32()} {x.GetProperty("out").GetInt32()}"));

        // The crowd alert with its acknowledgement, and the camera that went dark at 05:00 (nobody acknowledged it).
        var alerts = r.GetProperty("alerts").EnumerateArray().ToList();
        Assert.Equal(2, alerts.Count);
        Assert.Equal(("crowd-start", "2026-12-02T00:30:00+07:00", "guard1", "Shift change queue, dispersed by 00:50."), (alerts[0].GetProperty("type").GetString(),
            alerts[0].GetProperty("local").GetString(), alerts[0].GetProperty("acknowledged").GetProperty("by").GetString(), alerts[0].GetProperty("acknowledged").GetProperty("note").GetString()));
        Assert.Equal(("camera-offline", "no frames for 10 s", JsonValueKind.Null), (alerts[1].GetProperty("type").GetString(), alerts[1].GetProperty("detail").GetString(),
            alerts[1].GetProperty("acknowledged").ValueKind));

        Assert.Equal(
            ["north-2 camera-offline 2026-12-01T21:00:00+07:00 2026-12-01T22:30:00+07:00 30", "north-1 camera-offline 2026-12-02T05:00:00+07:00 - 60"],
            r.GetProperty("outages").EnumerateArray().Select(o => $"{o.GetProperty("camera").GetString()} {o.GetProperty("kind").GetString()} " +
                $"{o.GetProperty("fromLocal").GetString()} {o.GetProperty("toLocal").GetString() ?? "-"} {o.GetProperty("minutesInShift").GetDouble()}"));

        var n = Assert.Single(r.GetProperty("notes").EnumerateArray());
        Assert.Equal(("guard1", "Barrier 2 sticks; reported to maintenance.", "2026-12-02T03:00:00+07:00"),
            (n.GetProperty("by").GetString(), n.GetProperty("text").GetString(), n.GetProperty("local").GetString()));

        var csv = await reviewer.GetAsync(Report + "&format=csv");
        Assert.Equal("gatewatch-shift-gate-north-20261201-Ca___m.csv", csv.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("section,camera,what,entries,exits,time_local,time_utc,until_local,until_utc,by,note", lines[0]);
        Assert.Equal("shift,,Ca đêm 2026-12-01 North gate,,,2026-12-01T22:00:00+07:00,2026-12-01T15:00:00Z,2026-12-02T06:00:00+07:00,2026-12-01T23:00:00Z,,", lines[1]);
        Assert.Contains("crossings,north-1,motorcycle,1,1,,,,,,", lines);
        Assert.Contains(lines, l => l.StartsWith("alert,north-1,crowd-start gate,,,2026-12-02T00:30:00+07:00,2026-12-01T17:30:00Z,", StringComparison.Ordinal)
            && l.EndsWith(",guard1,\"Shift change queue, dispersed by 00:50.\"", StringComparison.Ordinal));
        Assert.Contains("outage,north-1,camera-offline,,,2026-12-02T05:00:00+07:00,2026-12-01T22:00:00Z,,,,still dark", lines);
        Assert.Contains("alert,north-1,camera-offline no frames for 10 s,,,2026-12-02T05:00:00+07:00,2026-12-01T22:00:00Z,,,,not acknowledged", lines);
        Assert.Equal(10, lines.Length);

        // Each reading is in the audit log, and so is the note.
        using var admin = await _console.SignedInAsync("admin1");
        var views = (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=shift-report-view")).EnumerateArray()
            .Select(e => $"{e.GetProperty("actor").GetString()} {e.GetProperty("target").GetString()} {e.GetProperty("detail").GetString()}").ToList();
        Assert.Equal(["guard1 gate-north/2026-12-01/Ca đêm ", "reviewer1 gate-north/2026-12-01/Ca đêm ", "reviewer1 gate-north/2026-12-01/Ca đêm csv"], views.Order(StringComparer.Ordinal));
        Assert.Single((await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=shift-note")).EnumerateArray());
    }

    [Theory]
    [InlineData("api/reports/shift", HttpStatusCode.BadRequest, "agent: name the gate")]
    [InlineData("api/reports/shift?agent=gate-east", HttpStatusCode.NotFound, "no gate agent 'gate-east'")]
    [InlineData("api/reports/shift?agent=gate-north&day=01/12/2026&shift=Ca%20s%C3%A1ng", HttpStatusCode.BadRequest, "is not a day such as 2026-12-01")]
    [InlineData("api/reports/shift?agent=gate-north&day=2026-12-01&shift=Night", HttpStatusCode.BadRequest, "not one of the park's shifts (Ca sáng 06:00-14:00, Ca chiều 14:00-22:00, Ca đêm 22:00-06:00)")]
    [InlineData("api/reports/shift?agent=gate-north&day=2026-12-02&shift=Ca%20s%C3%A1ng", HttpStatusCode.BadRequest, "starts at 2026-12-02T06:00:00+07:00; it has not begun")]
    [InlineData(Report + "&format=pdf", HttpStatusCode.BadRequest, "use csv")]
    public async Task A_report_that_cannot_be_made_says_why(string url, HttpStatusCode status, string says)
    {
        using var guard = await _console.SignedInAsync("guard1");
        var r = await guard.GetAsync(url);
        Assert.Equal(status, r.StatusCode);
        Assert.Contains(says, (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Guards_and_reviewers_read_reports_only_guards_write_notes_and_bad_notes_change_nothing()
    {
        foreach (var name in new[] { "investigator1", "admin1" })
        {
            using var user = await _console.SignedInAsync(name);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync(Report)).StatusCode);
        }

        using var reviewer = await _console.SignedInAsync("reviewer1");
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.PostAsJsonAsync("api/reports/shift/notes", new { agent = "gate-north", text = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _console.Client().GetAsync(Report)).StatusCode);

        using var guard = await _console.SignedInAsync("guard1");
        var empty = await guard.PostAsJsonAsync("api/reports/shift/notes", new { agent = "gate-north", text = "  " });
        Assert.Contains("1 to 2000 characters", (await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var later = await guard.PostAsJsonAsync("api/reports/shift/notes", new { agent = "gate-north", day = "2026-12-03", shift = "Ca sáng", text = "too early" });
        Assert.Equal(HttpStatusCode.BadRequest, later.StatusCode);
        Assert.Empty((await guard.GetFromJsonAsync<JsonElement>("api/reports/shift?agent=gate-north")).GetProperty("notes").EnumerateArray());
    }
}
