using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Cases;
using GateWatch.Central.Data;
using GateWatch.Central.Plates;
using GateWatch.Central.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static GateWatch.Central.Tests.Support.EventSender;

namespace GateWatch.Central.Tests.Plates;

/// <summary>Plate reads deleted after the retention period (90 days by default) on the console's clock, except those a case's clip covers.</summary>
public sealed class PlateRetentionTests : IAsyncLifetime
{
    private TestConsole _console = null!;
    private DateTimeOffset _now;
    private IReadOnlyList<string> _ids = [];

    public async Task InitializeAsync()
    {
        _console = await TestConsole.StartAsync();
        _now = _console.Time.GetUtcNow();
        var north = await RegisterAsync(_console, "gate-north", "North gate");
        _ids = await north.SendAsync(
            PlateCrossing("lane-1", Ago(100), "51G-111.11", crop: "p-old-read-00000001.jpg"),
            PlateCrossing("lane-2", Ago(100), "51G-222.22", crop: "p-in-a-case-0000001.jpg"),
            PlateCrossing("lane-1", Ago(80), "51G-333.33"),
            PlateCrossing("lane-1", Ago(1), "51G-444.44"));

        // An investigator's case holds two minutes of lane-2 around the second read.
        var cases = _console.Services.GetRequiredService<CaseStore>();
        var found = cases.Create("2026-017", "stolen van", "investigator1", _now);
        var folder = Directory.CreateDirectory(Path.Combine(_console.Dir, "cases", found.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "clips")).FullName;
        var temp = Path.Combine(folder, "clip.partial");
        await File.WriteAllBytesAsync(temp, [1, 2, 3]);
        var at = _now.AddDays(-100);
        cases.AddClip(_console.Dir, found.Id, new CaseClip(0, "gate-north", "lane-2", at.AddMinutes(-1), at.AddMinutes(1), "the van arriving", "investigator1", _now, "00", 3, 120, []), temp);

        using var admin = await _console.SignedInAsync("admin1");
        await PlateKit.AddAsync(admin, "visitors", new { plate = "43A-111.11", host = "Ms Lan", day = _now.AddDays(-95).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) });
        await PlateKit.AddAsync(admin, "visitors", new { plate = "43A-111.11", host = "Ms Lan", day = _now.AddDays(-10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) });
    }

    public async Task DisposeAsync() => await _console.DisposeAsync();

    private string Ago(double days) => _now.AddDays(-days).ToString("O");

    private string EventData(string id)
    {
        using var c = _console.Db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT data FROM events WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        return (string)cmd.ExecuteScalar()!;
    }

    private List<string> Plates() => [.. PlateKit.Reads(_console.Db).Select(r => r.Split(' ')[1])];

    [Fact]
    public async Task A_sweep_deletes_reads_older_than_the_period_keeps_those_a_case_covers_and_takes_the_plate_out_of_the_event()
    {
        var swept = _console.Services.GetRequiredService<PlateRetention>().Sweep();
        Assert.Equal(new SweepResult(1, 1, 1), swept);
        Assert.Equal(["51G-222.22", "51G-333.33", "51G-444.44"], Plates());

        // The crossing stays (it is counted), its plate does not.
        using (var gone = JsonDocument.Parse(EventData(_ids[0])))
        {
            Assert.False(gone.RootElement.TryGetProperty("plate", out _));
            Assert.Equal(("in-lane", "in", "car"),
                (gone.RootElement.GetProperty("line").GetString(), gone.RootElement.GetProperty("direction").GetString(), gone.RootElement.GetProperty("class").GetString()));
        }

        Assert.Contains("51G-222.22", EventData(_ids[1]), StringComparison.Ordinal);

        // Nothing the console serves has the deleted plate any more.
        using var reviewer = await _console.SignedInAsync("reviewer1");
        Assert.DoesNotContain("51G-111.11", await reviewer.GetStringAsync("api/plates/reads"), StringComparison.Ordinal);
        var from = Uri.EscapeDataString(_now.AddDays(-101).ToString("O"));
        var to = Uri.EscapeDataString(_now.ToString("O"));
        Assert.DoesNotContain("51G-111.11", await reviewer.GetStringAsync($"api/recordings/gate-north/lane-1/events?from={from}&to={to}"), StringComparison.Ordinal);
        var crop = await reviewer.GetAsync("api/plates/gate-north/lane-1/p-old-read-00000001.jpg");
        Assert.Equal(HttpStatusCode.NotFound, crop.StatusCode);

        using var admin = await _console.SignedInAsync("admin1");
        var audit = Assert.Single((await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=plate-retention")).EnumerateArray());
        Assert.Equal("system", audit.GetProperty("actor").GetString());
        Assert.StartsWith("retention 90 days: 1 read(s) before ", audit.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("deleted, 1 older kept for cases; 1 visitor entry before " + _now.AddDays(-90).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + " deleted",
            audit.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Single((await admin.GetFromJsonAsync<JsonElement>("api/plates/lists/visitors")).EnumerateArray());

        // A second sweep finds nothing more and logs nothing.
        Assert.Equal(new SweepResult(0, 1, 0), _console.Services.GetRequiredService<PlateRetention>().Sweep());
    }

    [Fact]
    public void The_sweep_runs_by_itself_as_the_consoles_clock_moves_on()
    {
        // The console swept at its start; nothing was old enough then.
        Assert.Equal(4, Plates().Count);

        _console.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(["51G-222.22", "51G-333.33", "51G-444.44"], Plates());

        // Eleven days on, the 80-day-old read is past 90 days as well; the one in the case stays.
        _console.Time.Advance(TimeSpan.FromDays(11));
        Assert.Equal(["51G-222.22", "51G-444.44"], Plates());

        using var c = _console.Db.Open();
        Assert.Equal(2L, ConsoleDb.Scalar(c, "SELECT COUNT(*) FROM audit WHERE action = 'plate-retention'"));
    }
}
