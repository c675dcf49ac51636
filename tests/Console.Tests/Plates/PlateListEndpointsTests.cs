using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GateWatch.Central.Tests.Support;

namespace GateWatch.Central.Tests.Plates;

/// <summary>The allowed, denied and visitor lists: kept by admins through the API and CSV files, read by reviewers and investigators.</summary>
public sealed class PlateListEndpointsTests : IAsyncLifetime
{
    private TestConsole _console = null!;

    public async Task InitializeAsync() => _console = await TestConsole.StartAsync();

    public async Task DisposeAsync() => await _console.DisposeAsync();

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    private static async Task<string[]> Plates(HttpClient http, string list) =>
        [.. (await http.GetFromJsonAsync<JsonElement>($"api/plates/lists/{list}")).EnumerateArray().Select(e => e.GetProperty("plate").GetString()!)];

    [Fact]
    public async Task An_admin_adds_edits_and_deletes_entries_and_every_change_is_audited()
    {
        using var admin = await _console.SignedInAsync("admin1");
        var added = await PlateKit.AddAsync(admin, "allowed", new { plate = "51g-123.45", owner = "Nguyen Van A", company = "Acme", validFrom = "2026-01-01", validTo = "2026-12-31" });
        Assert.Equal(("51G-123.45", "51G12345", "Nguyen Van A", "2026-12-31", "admin1"),
            (added.GetProperty("plate").GetString(), added.GetProperty("normalized").GetString(), added.GetProperty("owner").GetString(),
             added.GetProperty("validTo").GetString(), added.GetProperty("addedBy").GetString()));
        var id = added.GetProperty("id").GetInt64();

        var edited = await admin.PutAsJsonAsync($"api/plates/lists/allowed/{id}", new { plate = "51G-123.45", owner = "Tran Thi B", company = "" });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var entry = await admin.GetFromJsonAsync<JsonElement>($"api/plates/lists/allowed/{id}");
        Assert.Equal(("Tran Thi B", JsonValueKind.Null, JsonValueKind.Null), (entry.GetProperty("owner").GetString(), entry.GetProperty("company").ValueKind, entry.GetProperty("validTo").ValueKind));

        await PlateKit.AddAsync(admin, "denied", new { plate = "30V-3993", reason = "threatened a guard" });
        await PlateKit.AddAsync(admin, "visitors", new { plate = "59-X1 234.56", host = "Ms Lan, finance", day = "2026-03-01" });
        // The same visitor on another day is another entry; the same day again is not.
        await PlateKit.AddAsync(admin, "visitors", new { plate = "59X1-23456", host = "Ms Lan, finance", day = "2026-03-02" });
        var again = await admin.PostAsJsonAsync("api/plates/lists/visitors", new { plate = "59-X1 234 56", host = "someone", day = "2026-03-01" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already expected on 2026-03-01", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/plates/lists/allowed/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"api/plates/lists/allowed/{id}")).StatusCode);
        Assert.Empty(await Plates(admin, "allowed"));
        Assert.Equal(["59-X1 234.56", "59X1-23456"], await Plates(admin, "visitors"));

        var audit = (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=plate-list-change")).EnumerateArray()
            .Select(a => $"{a.GetProperty("outcome").GetString()} {a.GetProperty("target").GetString()} {a.GetProperty("detail").GetString()}").ToList();
        Assert.Equal(7, audit.Count);
        Assert.StartsWith($"ok plates/allowed/{id} added 51G-123.45 (owner Nguyen Van A, company Acme", audit[0], StringComparison.Ordinal);
        Assert.Contains("-> 51G-123.45 (owner Tran Thi B)", audit[1], StringComparison.Ordinal);
        Assert.StartsWith("failed plates/visitors add refused: 59-X1 234 56 is already expected on 2026-03-01", audit[5], StringComparison.Ordinal);
        Assert.StartsWith($"ok plates/allowed/{id} deleted 51G-123.45", audit[6], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("allowed", """{"plate":"51G_123","owner":"x"}""", "plate: '51G_123' is not a plate")]
    [InlineData("allowed", """{"plate":"51G-123.45"}""", "owner: required")]
    [InlineData("allowed", """{"plate":"51G-123.45","owner":"x","validFrom":"1/3/2026"}""", "validFrom: '1/3/2026' is not a date")]
    [InlineData("allowed", """{"plate":"51G-123.45","owner":"x","validFrom":"2026-03-02","validTo":"2026-03-01"}""", "validTo 2026-03-01 is before validFrom 2026-03-02")]
    [InlineData("allowed", """{"plate":51,"owner":"x"}""", "plate: a string")]
    [InlineData("denied", """{"plate":"51G-123.45","reason":"line one\nline two"}""", "reason: at most 200 characters on one line")]
    [InlineData("visitors", """{"plate":"51G-123.45","host":"x"}""", "day: required")]
    [InlineData("visitors", """[1,2]""", "the body must be a JSON object")]
    [InlineData("visitors", """{"plate":""", "the body is not JSON")]
    public async Task A_bad_entry_is_refused_with_what_is_wrong(string list, string body, string problem)
    {
        using var admin = await _console.SignedInAsync("admin1");
        var r = await admin.PostAsync($"api/plates/lists/{list}", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains(problem, (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await Plates(admin, list));
    }

    [Fact]
    public async Task An_unknown_list_is_named_with_the_lists_there_are()
    {
        using var admin = await _console.SignedInAsync("admin1");
        var r = await admin.PostAsJsonAsync("api/plates/lists/vip", new { plate = "51G-123.45" });
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Contains("the lists are allowed, denied, visitors", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_import_with_bad_lines_stores_nothing_and_names_every_bad_line_with_its_number_and_reason()
    {
        using var admin = await _console.SignedInAsync("admin1");
        await PlateKit.AddAsync(admin, "allowed", new { plate = "30V-3993", owner = "already here" });
        const string file = """
            plate,owner,company,valid_from,valid_to
            51G-123.45,Nguyen Van A,Acme,2026-01-01,2026-12-31
            51G_999,Bad Plate,,,
            59-X1 234.56,Le C,,31/12/2026,
            51G 12345,Duplicate,,,
            30V3993,Listed,,,
            ,No Plate,,,

            43A-111.11,Too,Many,Fields,,
            """;
        var r = await admin.PostAsync("api/plates/lists/allowed/import", Csv(file));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var report = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("nothing was stored: 6 problem(s) in the file, the first on line 3", report.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var problems = report.GetProperty("problems").EnumerateArray().Select(p => (p.GetProperty("line").GetInt32(), p.GetProperty("problem").GetString()!)).ToList();
        Assert.Equal([3, 4, 5, 6, 7, 9], problems.Select(p => p.Item1));
        Assert.Contains("'51G_999' is not a plate", problems[0].Item2, StringComparison.Ordinal);
        Assert.StartsWith("valid_from: '31/12/2026' is not a date", problems[1].Item2, StringComparison.Ordinal);
        Assert.Equal("51G 12345 is a duplicate of line 2 (51G12345)", problems[2].Item2);
        Assert.StartsWith("30V3993 is already listed", problems[3].Item2, StringComparison.Ordinal);
        Assert.Contains("at least 2 letters or digits", problems[4].Item2, StringComparison.Ordinal);
        Assert.Equal("6 fields, but the header has 5", problems[5].Item2);
        Assert.Equal(["30V-3993"], await Plates(admin, "allowed"));

        var audit = (await admin.GetFromJsonAsync<JsonElement>("api/admin/audit?action=plate-list-change")).EnumerateArray().Last();
        Assert.Equal("failed", audit.GetProperty("outcome").GetString());
        Assert.StartsWith("import refused, nothing stored: 6 problem(s), first line 3", audit.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plate,owner,colour\n51G-123.45,A,red\n", 1, "unknown column 'colour'")]
    [InlineData("owner,company\nA,B\n", 1, "no 'plate' column")]
    [InlineData("plate,company\n51G-123.45,B\n", 1, "no 'owner' column")]
    [InlineData("", 1, "the file is empty")]
    [InlineData("plate,owner\n51G-123.45,\"never closed\n", 0, "line 2: a quoted field is never closed")]
    public async Task A_file_whose_columns_are_wrong_is_refused_whole(string file, int line, string problem)
    {
        using var admin = await _console.SignedInAsync("admin1");
        var r = await admin.PostAsync("api/plates/lists/allowed/import", Csv(file));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var first = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("problems")[0];
        Assert.Equal(line, first.GetProperty("line").GetInt32());
        Assert.Contains(problem, first.GetProperty("problem").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_export_imports_back_as_it_was_and_replace_makes_the_file_the_list()
    {
        using var admin = await _console.SignedInAsync("admin1");
        const string file = "plate,reason\n51G-123.45,\"stolen, reported 2026-02-01\"\n30V-3993,=cmd|' /C calc'!A0\n59-X1 234.56,\"said \"\"next time\"\"\"\n";
        var dry = await admin.PostAsync("api/plates/lists/denied/import?dryRun=true", Csv(file));
        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        var dryReport = await dry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((false, 3), (dryReport.GetProperty("stored").GetBoolean(), dryReport.GetProperty("entries").GetInt32()));
        Assert.Empty(await Plates(admin, "denied"));

        var imported = await admin.PostAsync("api/plates/lists/denied/import", Csv(file));
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var before = await admin.GetFromJsonAsync<JsonElement>("api/plates/lists/denied");
        var export = await admin.GetAsync("api/plates/lists/denied/export");
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        var csv = await export.Content.ReadAsStringAsync();
        Assert.StartsWith("plate,reason,added_by,added\n", csv, StringComparison.Ordinal);
        // The formula is defused in the file a spreadsheet opens.
        Assert.Contains("30V-3993,'=cmd|' /C calc'!A0,admin1,", csv, StringComparison.Ordinal);

        // Importing the export in place of the list gives the same entries back.
        var replaced = await admin.PostAsync("api/plates/lists/denied/import?replace=true", Csv(csv));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(3, (await replaced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replaced").GetInt32());
        var after = await admin.GetFromJsonAsync<JsonElement>("api/plates/lists/denied");
        static string[] Rows(JsonElement list) => [.. list.EnumerateArray().Select(e => $"{e.GetProperty("plate").GetString()}|{e.GetProperty("reason").GetString()}")];
        Assert.Equal(Rows(before), Rows(after));
        Assert.Contains("30V-3993|=cmd|' /C calc'!A0", Rows(after));

        // Without replace, the same file again is all "already listed".
        var twice = await admin.PostAsync("api/plates/lists/denied/import", Csv(csv));
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        Assert.Equal(3, (await twice.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("problems").GetArrayLength());
    }

    [Fact]
    public async Task Hostile_files_are_refused_with_a_problem_saying_why()
    {
        using var admin = await _console.SignedInAsync("admin1");
        var huge = new StringBuilder("plate,reason\n");
        for (var i = 0; huge.Length <= 2 * 1024 * 1024; i++)
        {
            huge.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i:D8},{new string('x', 100)}\n");
        }

        var r = await admin.PostAsync("api/plates/lists/denied/import", Csv(huge.ToString()));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        Assert.Contains("at most 2 MB", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        var notUtf8 = new ByteArrayContent([0x70, 0x6c, 0x61, 0x74, 0x65, 0x0a, 0xff, 0xfe, 0x0a]);
        var bad = await admin.PostAsync("api/plates/lists/denied/import", notUtf8);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("not UTF-8", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var form = new MultipartFormDataContent { { Csv("plate,reason\n"), "file", "list.csv" } };
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await admin.PostAsync("api/plates/lists/denied/import", form)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("api/plates/lists/denied/import?replace=yes", Csv("plate,reason\n"))).StatusCode);

        // SQL in a field is only text.
        var sql = await admin.PostAsync("api/plates/lists/denied/import", Csv("plate,reason\n51G-123.45,\"x'); DROP TABLE plate_denied; --\"\n"));
        Assert.Equal(HttpStatusCode.OK, sql.StatusCode);
        Assert.Equal(["51G-123.45"], await Plates(admin, "denied"));
    }

    [Fact]
    public async Task Reviewers_and_investigators_read_the_lists_but_only_admins_change_them_and_guards_see_none()
    {
        using (var admin = await _console.SignedInAsync("admin1"))
        {
            await PlateKit.AddAsync(admin, "denied", new { plate = "51G-123.45", reason = "stolen" });
        }

        foreach (var name in new[] { "reviewer1", "investigator1" })
        {
            using var user = await _console.SignedInAsync(name);
            Assert.Equal(["51G-123.45"], await Plates(user, "denied"));
            Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("api/plates/lists/denied/export")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsJsonAsync("api/plates/lists/denied", new { plate = "30V-3993", reason = "x" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.PutAsJsonAsync("api/plates/lists/denied/1", new { plate = "30V-3993", reason = "x" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.DeleteAsync("api/plates/lists/denied/1")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsync("api/plates/lists/denied/import", Csv("plate,reason\n30V-3993,x\n"))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.PutAsJsonAsync("api/plates/policies/gate-north/north-1", new { policy = "alert-denied" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.PutAsJsonAsync("api/plates/settings", new { maxDistance = 0 })).StatusCode);
        }

        using var guard = await _console.SignedInAsync("guard1");
        Assert.Equal(HttpStatusCode.Forbidden, (await guard.GetAsync("api/plates/lists/denied")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await guard.GetAsync("api/plates/lists/denied/export")).StatusCode);

        using var check = await _console.SignedInAsync("admin1");
        Assert.Equal(["51G-123.45"], await Plates(check, "denied"));
        var denied = (await check.GetFromJsonAsync<JsonElement>("api/admin/audit?action=access-denied")).EnumerateArray().Select(a => a.GetProperty("actor").GetString()).ToList();
        Assert.Equal((2 * 6) + 2, denied.Count);
        Assert.Equal(HttpStatusCode.OK, (await check.GetAsync("api/plates/lists/denied/export")).StatusCode);
        Assert.Equal(2 + 1, (await check.GetFromJsonAsync<JsonElement>("api/admin/audit?action=plate-list-export")).GetArrayLength());
    }
}
