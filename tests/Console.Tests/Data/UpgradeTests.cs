using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using GateWatch.Central.Data;
using GateWatch.Central.Tests.Support;
using Microsoft.Data.Sqlite;

namespace GateWatch.Central.Tests.Data;

/// <summary>
/// A park upgrades its console in place: a database an earlier version made migrates at start with nothing lost,
/// and one a newer version made is refused, untouched, instead of being written by a console that does not know it.
/// </summary>
public sealed class UpgradeTests : IDisposable
{
    private const string GoldenPassword = "golden-password-1";
    private readonly string _dir = Directory.CreateTempSubdirectory("gateconsole-upgrade-").FullName;

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_schema_6_database_migrates_at_start_and_keeps_its_users_events_alerts_cases_reads_and_audit_chain()
    {
        var data = Directory.CreateDirectory(Path.Combine(_dir, "data")).FullName;
        Restore(Path.Combine(AppContext.BaseDirectory, "Data", "golden", "console-v6.sql"), Path.Combine(data, "console.db"));
        Assert.Equal(6L, Version(Path.Combine(data, "console.db")));

        await using var console = await TestConsole.StartAsync(dataDir: data, now: new DateTimeOffset(2026, 12, 2, 15, 0, 0, TimeSpan.Zero));

        Assert.Equal(Migrations.Steps.Count, (int)Version(Path.Combine(data, "console.db")));
        // The golden admin signs in with the password it was made with: users and their hashes came through.
        using var admin = await console.SignedInAsync("admin", GoldenPassword);
        var audit = await admin.GetFromJsonAsync<JsonElement>("api/admin/audit/verify");
        Assert.True(audit.GetProperty("ok").GetBoolean(), audit.ToString());
        var agent = Assert.Single((await admin.GetFromJsonAsync<JsonElement>("api/admin/agents")).EnumerateArray());
        Assert.Equal(("gate-north", "North gate", JsonValueKind.Null), (agent.GetProperty("id").GetString(), agent.GetProperty("name").GetString(), agent.GetProperty("tlsPin").ValueKind));

        using var guard = await console.SignedInAsync("guard", GoldenPassword);
        var alerts = await guard.GetFromJsonAsync<JsonElement>("api/alerts");
        var crowd = alerts.EnumerateArray().Single(a => a.GetProperty("id").GetString() == "gate-north-00000003");
        Assert.Equal("workers waiting for the bus", crowd.GetProperty("acknowledged").GetProperty("note").GetString());

        using var investigator = await console.SignedInAsync("investigator", GoldenPassword);
        var cases = await investigator.GetFromJsonAsync<JsonElement>("api/cases");
        Assert.Equal("CA-2026-0042", Assert.Single(cases.EnumerateArray()).GetProperty("number").GetString());
        var reads = await investigator.GetFromJsonAsync<JsonElement>("api/plates/reads?plate=234.56&from=2026-11-30T00:00:00Z&to=2026-12-02T00:00:00Z");
        Assert.Equal("59X1-234.56", Assert.Single(reads.GetProperty("reads").EnumerateArray()).GetProperty("plate").GetString());
        var timeline = await investigator.GetFromJsonAsync<JsonElement>("api/recordings/gate-north/north-1/events?from=2026-11-30T00:00:00Z&to=2026-12-02T00:00:00Z");
        var ids = timeline.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?>(Enumerable.Range(1, 4).Select(n => $"gate-north-0000000{n}")), ids);
    }

    [Fact]
    public void A_database_from_a_newer_console_is_refused_and_left_as_it_was()
    {
        var path = Path.Combine(_dir, "console.db");
        var db = new ConsoleDb(path);
        db.Migrate();
        using (var c = db.Open())
        {
            ConsoleDb.Exec(c, null, $"INSERT INTO schema_version (version) VALUES ({Migrations.Steps.Count + 3})");
            ConsoleDb.Exec(c, null, "PRAGMA wal_checkpoint(TRUNCATE)");
        }

        SqliteConnection.ClearAllPools();
        var before = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

        var e = Assert.Throws<ConsoleDbException>(db.Migrate);

        Assert.Contains($"is schema version {Migrations.Steps.Count + 3}, made by a newer GateWatch console", e.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))));
    }

    [Fact]
    public async Task Serve_on_a_database_from_a_newer_console_exits_with_the_reason()
    {
        var data = Directory.CreateDirectory(Path.Combine(_dir, "newer")).FullName;
        var db = new ConsoleDb(Path.Combine(data, "console.db"));
        db.Migrate();
        using (var c = db.Open())
        {
            ConsoleDb.Exec(c, null, $"INSERT INTO schema_version (version) VALUES ({Migrations.Steps.Count + 1})");
        }

        var errors = new StringWriter();
        var before = Console.Error;
        Console.SetError(errors);
        int code;
        try
        {
            code = await ConsoleCommands.RunAsync(["serve", "--data", data, "--listen", $"http://127.0.0.1:{LocalAgent.FreePort()}"]);
        }
        finally
        {
            Console.SetError(before);
        }

        Assert.Equal(1, code);
        Assert.StartsWith("error: ", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("made by a newer GateWatch console", errors.ToString(), StringComparison.Ordinal);
    }

    private static void Restore(string sql, string path)
    {
        // A dump lists each table with its rows, in name order: a row may come before the table its key refers to.
        using var c = new SqliteConnection($"Data Source={path};Pooling=False;Foreign Keys=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = File.ReadAllText(sql);
        cmd.ExecuteNonQuery();
    }

    private static long Version(string path)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        return (long)ConsoleDb.Scalar(c, "SELECT MAX(version) FROM schema_version")!;
    }
}
