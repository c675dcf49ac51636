using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GateWatch.Central.Agents;
using GateWatch.Central.Audit;
using GateWatch.Central.Users;

namespace GateWatch.Central.Plates;

/// <summary>
/// Vehicle access control by plate: the lists (admins keep them; reviewers and investigators read them), the
/// gates' policies and the settings (admins), the reads (reviewers and investigators search them) and the plate
/// crops relayed from the agents (guards on the wall, reviewers and investigators in their searches).
/// </summary>
internal static partial class PlateEndpoints
{
    /// <summary>A list entry or a setting is a few hundred bytes.</summary>
    private const int MaxJsonBytes = 16 * 1024;

    /// <summary>20 000 entries of about 60 bytes each, and room to spare; a file beyond it is not a plate list.</summary>
    public const int MaxImportBytes = 2 * 1024 * 1024;

    public const int DefaultLimit = 200;
    public const int MaxLimit = 1000;

    /// <summary>A CSV export is a file for a spreadsheet, not a page: more rows, still bounded.</summary>
    public const int MaxCsvRows = 20_000;

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,39}\z")]
    private static partial Regex Id();

    [GeneratedRegex(@"^[a-z][a-z-]{0,19}\z")]
    private static partial Regex ClassName();

    public static IServiceCollection AddPlates(this IServiceCollection services)
    {
        services.AddSingleton<PlateLists>().AddSingleton<PlateConfig>().AddSingleton<PlateReads>();
        services.AddSingleton<IEventHook>(sp => sp.GetRequiredService<PlateReads>());
        services.AddSingleton<PlateRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<PlateRetention>());
        return services;
    }

    public static WebApplication MapPlates(this WebApplication app)
    {
        var lists = app.MapGroup("/api/plates/lists");
        lists.MapGet("/", (PlateLists store) => Results.Json(PlateListKind.All.Select(k => new { list = k.Name, title = k.Title, entries = store.List(k).Count, columns = k.CsvHeader })))
            .RequireAuthorization(SharedRights.ReadPlateLists);
        lists.MapGet("/{list}", (string list, PlateLists store) =>
            Kind(list, out var kind) ?? Results.Json(store.List(kind!).Select(e => e.Json()))).RequireAuthorization(SharedRights.ReadPlateLists);
        lists.MapGet("/{list}/{id:long}", (string list, long id, PlateLists store) =>
            Kind(list, out var kind) ?? (store.Find(kind!, id) is { } e ? Results.Json(e.Json()) : NoEntry(kind!, id))).RequireAuthorization(SharedRights.ReadPlateLists);
        lists.MapGet("/{list}/export", Export).RequireAuthorization(SharedRights.ReadPlateLists);
        lists.MapPost("/{list}", AddAsync).RequireAuthorization(Rights.Administer);
        lists.MapPut("/{list}/{id:long}", UpdateAsync).RequireAuthorization(Rights.Administer);
        lists.MapDelete("/{list}/{id:long}", Delete).RequireAuthorization(Rights.Administer);
        lists.MapPost("/{list}/import", ImportAsync).RequireAuthorization(Rights.Administer);

        var admin = app.MapGroup("/api/plates").RequireAuthorization(Rights.Administer);
        admin.MapGet("/policies", (PlateConfig config) => Results.Json(new
        {
            @default = GatePolicy.Log,
            policies = GatePolicy.All,
            cameras = config.Policies().Select(p => new { p.Agent, p.Camera, p.Policy, p.SetBy, p.Set }),
        }));
        admin.MapPut("/policies/{agent}/{camera}", SetPolicyAsync);
        admin.MapGet("/settings", (PlateConfig config, ConsoleSettings settings) => SettingsJson(config.Settings(), settings));
        admin.MapPut("/settings", SetSettingsAsync);

        app.MapGet("/api/plates/reads", Search).RequireAuthorization(Rights.Review);
        app.MapGet("/api/plates/{agent}/{camera}/{file}", CropAsync).RequireAuthorization(SharedRights.SeePlateCrops);
        return app;
    }

    // ------------------------------------------------------------------ lists

    private static IResult? Kind(string name, out PlateListKind? kind)
    {
        kind = PlateListKind.Find(name);
        return kind is null
            ? Results.Problem(statusCode: 404, detail: $"no plate list '{PlateText.Short(name)}'; the lists are {string.Join(", ", PlateListKind.All.Select(k => k.Name))}")
            : null;
    }

    private static IResult NoEntry(PlateListKind kind, long id) =>
        Results.Problem(statusCode: 404, detail: $"the {kind.Title} list has no entry {id}; GET /api/plates/lists/{kind.Name} lists them");

    private static async Task<IResult> AddAsync(string list, HttpRequest request, PlateLists store, AuditLog audit, TimeProvider time, ClaimsPrincipal user)
    {
        if (Kind(list, out var kind) is { } unknown)
        {
            return unknown;
        }

        var (entry, bad) = await CandidateAsync(kind!, request).ConfigureAwait(false);
        var by = user.Identity!.Name!;
        if (bad is not null)
        {
            audit.Append(by, AuditActions.PlateListChange, $"plates/{kind!.Name}", AuditOutcomes.Failed, $"add refused: {bad}");
            return Results.Problem(statusCode: 400, detail: bad);
        }

        try
        {
            var added = store.Add(kind!, entry!, by, time.GetUtcNow());
            audit.Append(by, AuditActions.PlateListChange, $"plates/{kind!.Name}/{added.Id}", AuditOutcomes.Ok, $"added {Describe(added)}");
            return Results.Json(added.Json(), statusCode: 201);
        }
        catch (DuplicateEntryException e)
        {
            audit.Append(by, AuditActions.PlateListChange, $"plates/{kind!.Name}", AuditOutcomes.Failed, $"add refused: {e.Message}");
            return Results.Problem(statusCode: 409, detail: $"{e.Message}; edit that entry instead");
        }
    }

    private static async Task<IResult> UpdateAsync(string list, long id, HttpRequest request, PlateLists store, AuditLog audit, ClaimsPrincipal user)
    {
        if (Kind(list, out var kind) is { } unknown)
        {
            return unknown;
        }

        var by = user.Identity!.Name!;
        var target = $"plates/{kind!.Name}/{id}";
        var before = store.Find(kind, id);
        if (before is null)
        {
            return NoEntry(kind, id);
        }

        var (entry, bad) = await CandidateAsync(kind, request).ConfigureAwait(false);
        if (bad is not null)
        {
            audit.Append(by, AuditActions.PlateListChange, target, AuditOutcomes.Failed, $"edit refused: {bad}");
            return Results.Problem(statusCode: 400, detail: bad);
        }

        try
        {
            var after = store.Update(kind, id, entry!);
            if (after is null)
            {
                return NoEntry(kind, id);
            }

            audit.Append(by, AuditActions.PlateListChange, target, AuditOutcomes.Ok, $"edited {Describe(before)} -> {Describe(after)}");
            return Results.Json(after.Json());
        }
        catch (DuplicateEntryException e)
        {
            audit.Append(by, AuditActions.PlateListChange, target, AuditOutcomes.Failed, $"edit refused: {e.Message}");
            return Results.Problem(statusCode: 409, detail: e.Message);
        }
    }

    private static IResult Delete(string list, long id, PlateLists store, AuditLog audit, ClaimsPrincipal user)
    {
        if (Kind(list, out var kind) is { } unknown)
        {
            return unknown;
        }

        if (store.Delete(kind!, id) is not { } gone)
        {
            return NoEntry(kind!, id);
        }

        audit.Append(user.Identity!.Name!, AuditActions.PlateListChange, $"plates/{kind!.Name}/{id}", AuditOutcomes.Ok, $"deleted {Describe(gone)}");
        return Results.NoContent();
    }

    private static async Task<IResult> ImportAsync(
        string list, string? replace, string? dryRun, HttpRequest request, PlateLists store, AuditLog audit, TimeProvider time, ClaimsPrincipal user)
    {
        if (Kind(list, out var kind) is { } unknown)
        {
            return unknown;
        }

        var by = user.Identity!.Name!;
        var target = $"plates/{kind!.Name}";
        IResult Refuse(int status, string detail)
        {
            audit.Append(by, AuditActions.PlateListChange, target, AuditOutcomes.Failed, $"import refused: {detail}");
            return Results.Problem(statusCode: status, detail: detail);
        }

        if (Flag(replace, "replace", out var replacing) is { } badReplace)
        {
            return Refuse(400, badReplace);
        }

        if (Flag(dryRun, "dryRun", out var checking) is { } badDry)
        {
            return Refuse(400, badDry);
        }

        if (request.HasFormContentType)
        {
            return Refuse(415, "send the CSV file itself as the body (Content-Type: text/csv), not a form");
        }

        var (bytes, tooBig) = await ReadBodyAsync(request, MaxImportBytes).ConfigureAwait(false);
        if (tooBig)
        {
            return Refuse(413, $"a list file is at most {MaxImportBytes / (1024 * 1024)} MB ({PlateLists.MaxImportRows} entries); split it");
        }

        string csv;
        try
        {
            csv = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Refuse(400, "the file is not UTF-8 text; save the CSV as UTF-8");
        }

        var result = store.Import(kind, csv, replacing, checking, by, time.GetUtcNow());
        var body = new
        {
            list = kind.Name,
            stored = result.Stored,
            dryRun = checking,
            replace = replacing,
            entries = result.Entries,
            replaced = result.Replaced,
            problems = result.Problems.Select(p => new { line = p.Line, problem = p.Problem }),
        };
        if (result.Problems.Count > 0)
        {
            var first = result.Problems[0];
            audit.Append(by, AuditActions.PlateListChange, target, AuditOutcomes.Failed,
                $"import refused, nothing stored: {result.Problems.Count} problem(s), first line {first.Line}: {first.Problem}");
            // A problem+json with the whole report: the detail for people, the lines for the page.
            return Results.Problem(statusCode: 400, title: "the file was not imported",
                detail: $"nothing was stored: {result.Problems.Count} problem(s) in the file, the first on line {first.Line}: {first.Problem}",
                extensions: new Dictionary<string, object?> { ["problems"] = body.problems, ["entries"] = result.Entries });
        }

        if (result.Stored)
        {
            audit.Append(by, AuditActions.PlateListChange, target, AuditOutcomes.Ok,
                replacing ? $"imported {result.Entries} entries, replacing the {result.Replaced} there were" : $"imported {result.Entries} entries");
        }

        return Results.Json(body);
    }

    private static IResult Export(string list, PlateLists store, AuditLog audit, TimeProvider time, ClaimsPrincipal user)
    {
        if (Kind(list, out var kind) is { } unknown)
        {
            return unknown;
        }

        var csv = store.Export(kind!);
        audit.Append(user.Identity!.Name!, AuditActions.PlateListExport, $"plates/{kind!.Name}", AuditOutcomes.Ok, $"{csv.Count(ch => ch == '\n') - 1} entries");
        return Results.File(Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8", $"gatewatch-plates-{kind.Name}-{UtcTime.Compact(time.GetUtcNow())}.csv");
    }

    /// <summary>The entry a JSON body describes: {plate, ...the list's fields}; or why it cannot be one.</summary>
    private static async Task<(PlateCandidate? Entry, string? Problem)> CandidateAsync(PlateListKind kind, HttpRequest request)
    {
        var (body, bad) = await ReadJsonAsync(request).ConfigureAwait(false);
        if (bad is not null)
        {
            return (null, bad);
        }

        var problems = new List<string>();
        string? Text(string name)
        {
            if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.String)
            {
                problems.Add($"{name}: a string");
                return null;
            }

            return v.GetString();
        }

        var plate = Text("plate");
        var entry = PlateLists.Check(kind, plate, Text, problems);
        return problems.Count > 0 ? (null, string.Join("; ", problems)) : (entry, null);
    }

    private static string Describe(PlateListEntry e) =>
        $"{e.Text} ({string.Join(", ", e.Values.Where(v => v.Value.Length > 0).Select(v => $"{v.Key} {v.Value}"))})";

    // ------------------------------------------------------------------ policies and settings

    private sealed record PolicyBody(string? Policy);

    private static async Task<IResult> SetPolicyAsync(
        string agent, string camera, HttpRequest request, AgentRegistry agents, PlateConfig config, AuditLog audit, TimeProvider time, ClaimsPrincipal user)
    {
        var by = user.Identity!.Name!;
        var target = $"plates/policy/{PlateText.Short(agent)}/{PlateText.Short(camera)}";
        IResult Refuse(int status, string detail)
        {
            audit.Append(by, AuditActions.ConfigChange, target, AuditOutcomes.Failed, detail);
            return Results.Problem(statusCode: status, detail: detail);
        }

        if (agents.Find(agent) is null)
        {
            return Refuse(404, $"no agent '{PlateText.Short(agent)}' is registered");
        }

        if (!Id().IsMatch(camera))
        {
            return Refuse(400, "camera: a camera id (lower-case letters, digits, '-' and '_')");
        }

        var (body, bad) = await ReadJsonAsync(request).ConfigureAwait(false);
        var policy = bad is null && body.TryGetProperty("policy", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        if (policy is null || !GatePolicy.All.Contains(policy))
        {
            return Refuse(400, bad ?? $"policy: one of {string.Join(", ", GatePolicy.All)}");
        }

        var before = config.SetPolicy(agent, camera, policy, by, time.GetUtcNow());
        audit.Append(by, AuditActions.ConfigChange, target, AuditOutcomes.Ok, $"plate policy {before} -> {policy}");
        return Results.Json(new { agent, camera, policy });
    }

    private static IResult SettingsJson(PlateSettings s, ConsoleSettings console) => Results.Json(new
    {
        maxDistance = s.MaxDistance,
        timeZone = s.TimeZone,
        retentionDays = console.PlateRetention.TotalDays,
        mostDistance = PlateSettings.MostDistance,
    });

    private static async Task<IResult> SetSettingsAsync(HttpRequest request, PlateConfig config, ConsoleSettings console, AuditLog audit, TimeProvider time, ClaimsPrincipal user)
    {
        var by = user.Identity!.Name!;
        IResult Refuse(string detail)
        {
            audit.Append(by, AuditActions.ConfigChange, "plates/settings", AuditOutcomes.Failed, detail);
            return Results.Problem(statusCode: 400, detail: detail);
        }

        var (body, bad) = await ReadJsonAsync(request).ConfigureAwait(false);
        if (bad is not null)
        {
            return Refuse(bad);
        }

        var s = config.Settings();
        if (body.TryGetProperty("maxDistance", out var d))
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out var distance) || distance is < 0 or > PlateSettings.MostDistance)
            {
                return Refuse($"maxDistance: how many characters a read may be off a list entry, 0 (exact) to {PlateSettings.MostDistance}");
            }

            s = s with { MaxDistance = distance };
        }

        if (body.TryGetProperty("timeZone", out var z))
        {
            if (z.ValueKind != JsonValueKind.String || z.GetString() is not { Length: > 0 and <= 64 } zone || PlateSettings.Zone(zone) is null)
            {
                return Refuse("timeZone: an IANA time zone such as Asia/Ho_Chi_Minh or UTC, in which visitors' days and validity dates are meant");
            }

            s = s with { TimeZone = zone };
        }

        var before = config.Set(s, by, time.GetUtcNow());
        audit.Append(by, AuditActions.ConfigChange, "plates/settings", AuditOutcomes.Ok,
            $"maxDistance {before.MaxDistance} -> {s.MaxDistance}, timeZone {before.TimeZone} -> {s.TimeZone}");
        return SettingsJson(s, console);
    }

    // ------------------------------------------------------------------ reads

    private static IResult Search(HttpRequest request, PlateReads reads, AgentRegistry agents, AuditLog audit, ClaimsPrincipal user, ParkClock clock)
    {
        var by = user.Identity!.Name!;
        var q = request.Query;
        var typed = q["plate"].ToString().Trim();
        var target = typed.Length == 0 ? "plate:(any)" : $"plate:{PlateText.Short(typed)}";
        var (query, csv, problem) = Parse(q);
        if (problem is not null)
        {
            audit.Append(by, AuditActions.PlateSearch, target, AuditOutcomes.Failed, problem);
            return Results.Problem(statusCode: 400, detail: problem);
        }

        var (found, more) = reads.Search(query!);
        var filters = string.Join(", ", new[]
        {
            query!.Pattern is { } p ? $"pattern {p.Shown}" : null,
            query.Tolerance > 0 ? $"tolerating {query.Tolerance} wrong" : null,
            query.From is { } f ? $"from {UtcTime.Format(f)}" : null,
            query.To is { } t ? $"to {UtcTime.Format(t)}" : null,
            query.Agent is { } a ? $"agent {a}" : null,
            query.Camera is { } c ? $"camera {c}" : null,
            query.Class is { } k ? $"class {k}" : null,
            query.Status is { } s ? $"status {s}" : null,
            query.AlertsOnly ? "alerts only" : null,
            csv ? "CSV" : null,
        }.Where(x => x is not null));
        audit.Append(by, AuditActions.PlateSearch, target, AuditOutcomes.Ok, $"{(filters.Length == 0 ? "no filter" : filters)}: {found.Count}{(more ? "+" : "")} read(s)");

        if (csv)
        {
            var text = new StringBuilder("time_local,time_utc,agent,camera,direction,class,plate,confidence,status,matched,alert,acknowledged_by,event_id\n");
            foreach (var r in found)
            {
                text.Append(PlateCsv.Line([
                    clock.Format(r.Time), UtcTime.Format(r.Time), r.Agent, r.Camera, r.Direction, r.Class, r.Text, r.Confidence.ToString("0.###", CultureInfo.InvariantCulture),
                    r.Status, r.Matched, r.Alert ?? "", r.Acknowledged?.By ?? "", r.EventId])).Append('\n');
            }

            return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", "gatewatch-plate-reads.csv");
        }

        var names = agents.List().ToDictionary(a => a.Id, a => a.Name);
        return Results.Json(new { reads = found.Select(r => ReadJson(r, names.GetValueOrDefault(r.Agent))), more });
    }

    /// <summary>A read for the pages: with its crop through the console's relay and a link to its footage.</summary>
    public static object ReadJson(PlateRead r, string? agentName = null) => new
    {
        eventId = r.EventId,
        agent = r.Agent,
        agentName = agentName ?? r.Agent,
        camera = r.Camera,
        time = r.Time,
        plate = r.Text,
        normalized = r.Plate,
        confidence = r.Confidence,
        crop = CropUrl(r),
        @class = r.Class,
        direction = r.Direction,
        status = r.Status,
        matched = r.Matched,
        alert = r.Alert,
        acknowledged = r.Acknowledged,
        footage = $"/recordings.html?agent={Uri.EscapeDataString(r.Agent)}&camera={Uri.EscapeDataString(r.Camera)}&t={Uri.EscapeDataString(UtcTime.Format(r.Time))}",
    };

    public static string? CropUrl(PlateRead r) =>
        r.Crop is null ? null : $"/api/plates/{Uri.EscapeDataString(r.Agent)}/{Uri.EscapeDataString(r.Camera)}/{Uri.EscapeDataString(r.Crop)}";

    /// <summary>The search's query string checked: every parameter that is there must make sense, or the 400 says which does not.</summary>
    private static (ReadQuery? Query, bool Csv, string? Problem) Parse(IQueryCollection q)
    {
        string? One(string name) => q[name].Count switch
        {
            0 => null,
            1 => q[name][0] is { Length: > 0 } v ? v.Trim() : null,
            _ => throw new BadQueryException($"{name}: give it once"),
        };

        try
        {
            PlatePattern? pattern = null;
            if (One("plate") is { } text)
            {
                pattern = PlatePattern.Parse(text, out var why) ?? throw new BadQueryException(why!);
            }

            if (Flag(One("fuzzy"), "fuzzy", out var fuzzy) is { } badFuzzy)
            {
                throw new BadQueryException(badFuzzy);
            }

            if (Flag(One("alerts"), "alerts", out var alerts) is { } badAlerts)
            {
                throw new BadQueryException(badAlerts);
            }

            DateTimeOffset? Time(string name)
            {
                if (One(name) is not { } v)
                {
                    return null;
                }

                return UtcTime.TryParse(v, out var t) ? t : throw new BadQueryException($"{name}: '{PlateText.Short(v)}' is not an ISO 8601 time; send e.g. 2026-03-01T08:00:00Z");
            }

            var from = Time("from");
            var to = Time("to");
            if (from is { } f && to is { } t && t <= f)
            {
                throw new BadQueryException($"the range {UtcTime.Format(f)} to {UtcTime.Format(t)} is empty or reversed: 'from' must be before 'to'");
            }

            string? Matching(string name, Regex shape, string what)
            {
                var v = One(name);
                return v is null || shape.IsMatch(v) ? v : throw new BadQueryException($"{name}: '{PlateText.Short(v)}' is not {what}");
            }

            var agent = Matching("agent", Id(), "an agent id");
            var camera = Matching("camera", Id(), "a camera id");
            var cls = Matching("class", ClassName(), "a class such as car, truck, bus or motorcycle");
            var status = One("status");
            if (status is not null && !PlateStatus.All.Contains(status))
            {
                throw new BadQueryException($"status: '{PlateText.Short(status)}' is unknown; use {string.Join(", ", PlateStatus.All)}");
            }

            var format = One("format");
            if (format is not (null or "json" or "csv"))
            {
                throw new BadQueryException($"format: '{PlateText.Short(format)}' is unknown; use csv, or leave it out for JSON");
            }

            var csv = format == "csv";
            var limit = csv ? MaxCsvRows : DefaultLimit;
            if (One("limit") is { } l)
            {
                var most = csv ? MaxCsvRows : MaxLimit;
                if (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > most)
                {
                    throw new BadQueryException($"limit: a number from 1 to {most}");
                }
            }

            if (fuzzy && pattern is null)
            {
                throw new BadQueryException("fuzzy: tolerating a wrong character needs a plate to search for");
            }

            return (new ReadQuery(pattern, fuzzy ? 1 : 0, from, to, agent, camera, cls, status, alerts, limit), csv, null);
        }
        catch (BadQueryException e)
        {
            return (null, false, e.Message);
        }
    }

    private sealed class BadQueryException(string message) : Exception(message);

    // ------------------------------------------------------------------ crops

    private static async Task<IResult> CropAsync(string agent, string camera, string file, PlateReads reads, AgentClient agents, ConsoleSettings settings,
        ClaimsPrincipal user, HttpContext http)
    {
        // Checked before anything else: only these shapes ever reach a path to the agent.
        if (!Id().IsMatch(agent) || !Id().IsMatch(camera))
        {
            return Results.Problem(statusCode: 400, detail: "agent, camera: ids of lower-case letters, digits, '-' and '_'");
        }

        if (!PlateWire.CropFile().IsMatch(file))
        {
            return Results.Problem(statusCode: 400, detail: "file: a plate crop is named p-<id>.jpg (8-64 letters, digits or '-')");
        }

        // A guard sees the crops of the wall's alerts, not every plate read; and no one gets the crop of a read
        // the console has deleted (retention), although the agent may still hold the file.
        var reviewer = Rights.Holders[Rights.Review].Any(user.IsInRole);
        if (!reads.HasCrop(agent, camera, file, alertsOnly: !reviewer))
        {
            return Results.Problem(statusCode: 404, detail: reviewer
                ? $"no plate read of {agent}/{camera} has the crop {file} (reads are kept {settings.PlateRetention.TotalDays:0} days)"
                : $"no plate alert of {agent}/{camera} has the crop {file}");
        }

        return await Relay.StreamAsync(agents, agent, $"api/plates/{Uri.EscapeDataString(camera)}/{Uri.EscapeDataString(file)}", http, contentType: "image/jpeg")
            .ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ helpers

    private static string? Flag(string? value, string name, out bool flag)
    {
        flag = false;
        switch (value)
        {
            case null or "" or "false" or "0":
                return null;
            case "true" or "1":
                flag = true;
                return null;
            default:
                return $"{name}: true or false";
        }
    }

    /// <summary>The body, at most <paramref name="max"/> bytes; TooBig when there was more (without reading it all).</summary>
    private static async Task<(byte[] Bytes, bool TooBig)> ReadBodyAsync(HttpRequest request, int max)
    {
        if (request.ContentLength > max)
        {
            return ([], true);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > max)
            {
                return ([], true);
            }

            buffer.Write(chunk, 0, n);
        }

        return (buffer.ToArray(), false);
    }

    /// <summary>A JSON object body of at most <see cref="MaxJsonBytes"/>; or why it is not one.</summary>
    private static async Task<(JsonElement Body, string? Problem)> ReadJsonAsync(HttpRequest request)
    {
        var (bytes, tooBig) = await ReadBodyAsync(request, MaxJsonBytes).ConfigureAwait(false);
        if (tooBig)
        {
            return (default, $"the body is at most {MaxJsonBytes / 1024} KB");
        }

        try
        {
            using var doc = JsonDocument.Parse(bytes);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? (doc.RootElement.Clone(), null) : (default, "the body must be a JSON object");
        }
        catch (JsonException e)
        {
            return (default, $"the body is not JSON ({e.Message.Split(" Path:", 2)[0]})");
        }
    }
}
