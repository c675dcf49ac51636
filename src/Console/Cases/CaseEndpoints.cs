using System.Buffers;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using GateWatch.Central.Agents;
using GateWatch.Central.Audit;
using GateWatch.Central.Evidence;
using GateWatch.Central.Users;

namespace GateWatch.Central.Cases;

/// <summary>
/// Investigators' cases: clips copied from the agents that recorded them (checked against the agent's
/// SHA-256 as they arrive), and signed evidence packages made of them.
/// </summary>
internal static partial class CaseEndpoints
{
    public const int MaxNumber = 64;
    public const int MaxDescription = 4000;

    /// <summary>Why a clip matters is a sentence or a paragraph, not a report.</summary>
    public const int MaxReason = 1000;

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,39}$")]
    private static partial Regex CameraId();

    /// <summary>
    /// The only download an agent's clip export may name: a file its own clip endpoint serves, by the name the
    /// agent makes (a GUID's 32 hex digits). Anything else (another host, "..", backslashes, escapes, a query)
    /// could send the agent's key elsewhere or reach another of its endpoints, so it is not followed at all.
    /// </summary>
    [GeneratedRegex(@"\A/api/clips/[0-9a-f]{32}\.mp4\z", RegexOptions.CultureInvariant)]
    private static partial Regex ClipDownloadPath();

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex UnsafeInFileName();

    private sealed record NewCase(string? Number, string? Description);

    private sealed record NewClip(string? Agent, string? Camera, string? From, string? To, string? Reason);

    public static IServiceCollection AddCases(this IServiceCollection services) => services.AddSingleton<CaseStore>();

    public static WebApplication MapCases(this WebApplication app)
    {
        var cases = app.MapGroup("/api/cases").RequireAuthorization(Rights.Export);
        cases.MapGet("/", (CaseStore store) => Results.Json(store.List()));
        cases.MapPost("/", Create);
        cases.MapGet("/{id:long}", (long id, CaseStore store) =>
            store.Find(id) is { } found ? Results.Json(found) : UnknownCase(id));
        cases.MapPost("/{id:long}/clips", AddClipAsync);
        cases.MapPost("/{id:long}/packages", PackageAsync);
        cases.MapGet("/{id:long}/packages/{packageId:long}/download", Download);
        return app;
    }

    private static IResult Create(NewCase? body, CaseStore store, AuditLog audit, TimeProvider time, ClaimsPrincipal user)
    {
        var by = user.Identity!.Name!;
        var number = body?.Number?.Trim() ?? "";
        var description = body?.Description?.Trim() ?? "";
        string? problem = null;
        if (number.Length is 0 or > MaxNumber || number.Any(char.IsControl))
        {
            problem = $"number: the case number, 1 to {MaxNumber} characters on one line";
        }
        else if (description.Length is 0 or > MaxDescription)
        {
            problem = $"description: what the case is about, 1 to {MaxDescription} characters";
        }

        if (problem is not null)
        {
            audit.Append(by, AuditActions.CaseCreated, $"case:{Short(number)}", AuditOutcomes.Failed, problem);
            return Results.Problem(statusCode: 400, detail: problem);
        }

        try
        {
            var created = store.Create(number, description, by, time.GetUtcNow());
            audit.Append(by, AuditActions.CaseCreated, $"case:{created.Number}", AuditOutcomes.Ok, $"id {created.Id}");
            return Results.Json(new { created.Id, created.Number, created.Description, created.CreatedBy, created.Created }, statusCode: 201);
        }
        catch (DuplicateCaseException e)
        {
            audit.Append(by, AuditActions.CaseCreated, $"case:{number}", AuditOutcomes.Failed, e.Message);
            return Results.Problem(statusCode: 409, detail: $"{e.Message}; open that case or choose another number");
        }
    }

    private static async Task<IResult> AddClipAsync(
        long id, NewClip? body, CaseStore store, AgentRegistry registry, AgentClient agents, ConsoleSettings settings, AuditLog audit, TimeProvider time,
        ClaimsPrincipal user, CancellationToken ct)
    {
        var by = user.Identity!.Name!;
        IResult Refuse(int status, string detail, string target)
        {
            audit.Append(by, AuditActions.ClipAdded, target, AuditOutcomes.Failed, detail);
            return Results.Problem(statusCode: status, detail: detail);
        }

        if (store.Find(id) is not { } found)
        {
            return Refuse(404, UnknownCaseDetail(id), $"case:{id}");
        }

        var target = $"case:{found.Number}";
        var reason = body?.Reason?.Trim() ?? "";
        if (reason.Length is 0 or > MaxReason)
        {
            return Refuse(400, $"reason: why this footage belongs to the case, 1 to {MaxReason} characters", target);
        }

        var agentId = body?.Agent ?? "";
        if (registry.Find(agentId) is null)
        {
            var known = registry.List().Select(a => a.Id).ToList();
            return Refuse(404, $"no agent '{Short(agentId)}' is registered; registered are: {(known.Count == 0 ? "none" : string.Join(", ", known))}", target);
        }

        var camera = body?.Camera ?? "";
        if (!CameraId().IsMatch(camera))
        {
            return Refuse(400, "camera: a camera id (lower-case letters, digits, '-' and '_'), as GET /api/cameras lists them", target);
        }

        if (!UtcTime.TryParse(body?.From, out var from) || !UtcTime.TryParse(body?.To, out var to))
        {
            return Refuse(400, "from, to: ISO 8601 UTC times, e.g. 2026-03-01T08:00:00Z", target);
        }

        if (to <= from)
        {
            return Refuse(400, $"the range {UtcTime.Format(from)} to {UtcTime.Format(to)} is empty or reversed", target);
        }

        target = $"case:{found.Number} {agentId}/{camera}";
        JsonElement cut;
        try
        {
            cut = await agents.PostJsonAsync(agentId, $"api/cameras/{Uri.EscapeDataString(camera)}/clips",
                new { from = from.ToString("O", CultureInfo.InvariantCulture), to = to.ToString("O", CultureInfo.InvariantCulture) }, ct).ConfigureAwait(false);
        }
        catch (AgentRequestException e)
        {
            // The agent's "no footage" (with what it has) and "bad range" go to the investigator as they are;
            // the agent refusing the console's own key is the console's problem, not the user's.
            return Refuse(e.Status is 401 or 403 ? 502 : e.Status, e.Message, target);
        }
        catch (AgentUnavailableException e)
        {
            return Refuse(502, e.Message, target);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Refuse(502, $"agent {agentId} did not cut the clip in time", target);
        }

        string download, sha256;
        long bytes;
        double duration;
        List<ClipGap> gaps;
        try
        {
            download = cut.GetProperty("download").GetString() ?? "";
            sha256 = cut.GetProperty("sha256").GetString()!.ToLowerInvariant();
            bytes = cut.GetProperty("bytes").GetInt64();
            duration = cut.GetProperty("durationSeconds").GetDouble();
            gaps = cut.GetProperty("gaps").EnumerateArray()
                .Select(g => new ClipGap(g.GetProperty("from").GetDateTimeOffset().ToUniversalTime(), g.GetProperty("to").GetDateTimeOffset().ToUniversalTime()))
                .ToList();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or NullReferenceException)
        {
            return Refuse(502, $"agent {agentId} answered the clip request with something that is not a clip ({e.Message})", target);
        }

        if (!ClipDownloadPath().IsMatch(download))
        {
            return Refuse(502, $"agent {agentId} cut the clip but named a download that is not one of its clip files " +
                $"(\"{Printable(Short(download))}\", not /api/clips/<32 hex digits>.mp4); nothing was fetched", target);
        }

        var dataDir = Path.GetFullPath(settings.DataDir);
        var folder = Path.Combine(dataDir, "cases", id.ToString(CultureInfo.InvariantCulture), "clips");
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Guid.NewGuid():N}.partial");
        try
        {
            var copied = await CopyFromAgentAsync(agents, agentId, download.TrimStart('/'), temp, ct).ConfigureAwait(false);
            if (copied.Error is { } error)
            {
                return Refuse(502, error, target);
            }

            if (copied.Sha256 != sha256 || copied.Bytes != bytes)
            {
                return Refuse(502, $"the clip arrived damaged: {copied.Bytes} bytes with SHA-256 {copied.Sha256}, but agent {agentId} reported " +
                    $"{bytes} bytes with SHA-256 {sha256}; nothing was stored, try again", target);
            }

            var clip = store.AddClip(dataDir, id, new CaseClip(0, agentId, camera, from, to, reason, by, time.GetUtcNow(), sha256, bytes, duration, gaps), temp);
            var gapNote = gaps.Count == 0 ? "" : $"; {gaps.Count} gap(s) without recording";
            audit.Append(by, AuditActions.ClipAdded, target, AuditOutcomes.Ok,
                $"{UtcTime.Format(from)} to {UtcTime.Format(to)}, sha256 {sha256}{gapNote}; reason: {reason}");
            return Results.Json(clip, statusCode: 201);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Streams a clip from its agent to <paramref name="path"/>, hashing it on the way, never holding it whole.</summary>
    private static async Task<(string Sha256, long Bytes, string? Error)> CopyFromAgentAsync(
        AgentClient agents, string agent, string download, string path, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await agents.StreamAsync(agent, download, null, ct).ConfigureAwait(false);
        }
        catch (AgentUnavailableException e)
        {
            return ("", 0, e.Message);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                return ("", 0, $"agent {agent} cut the clip but refused to hand it over (HTTP {(int)response.StatusCode})");
            }

            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                long bytes = 0;
                await using var input = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                int n;
                while ((n = await agents.ReadAsync(agent, input, buffer, ct).ConfigureAwait(false)) > 0)
                {
                    sha.AppendData(buffer, 0, n);
                    await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                    bytes += n;
                }

                output.Flush(flushToDisk: true);
                return (Convert.ToHexStringLower(sha.GetHashAndReset()), bytes, null);
            }
            catch (HttpRequestException e)
            {
                return ("", 0, $"agent {agent}: the clip download broke off ({e.Message})");
            }
            catch (AgentStalledException e)
            {
                return ("", 0, e.Message);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static async Task<IResult> PackageAsync(
        long id, CaseStore store, EvidenceKey key, ConsoleSettings settings, AuditLog audit, TimeProvider time, ClaimsPrincipal user, CancellationToken ct)
    {
        var by = user.Identity!.Name!;
        if (store.Find(id) is not { } found)
        {
            audit.Append(by, AuditActions.Export, $"case:{id}", AuditOutcomes.Failed, UnknownCaseDetail(id));
            return UnknownCase(id);
        }

        var target = $"case:{found.Number}";
        if (found.Clips.Count == 0)
        {
            const string none = "the case has no clips yet; add footage with POST /api/cases/{id}/clips before packaging it";
            audit.Append(by, AuditActions.Export, target, AuditOutcomes.Failed, none);
            return Results.Problem(statusCode: 400, detail: none);
        }

        var dataDir = Path.GetFullPath(settings.DataDir);
        var now = time.GetUtcNow();
        var clips = found.Clips.Select(c => (Clip: c, InZip: $"{EvidencePackager.ClipsFolder}{c.Id}-{c.Agent}-{c.Camera}-{UtcTime.Compact(c.From)}.mp4")).ToList();
        var manifest = new EvidenceManifest(
            EvidenceManifest.CurrentFormatVersion, new EvidenceCase(found.Number, found.Description), by, now, "",
            clips.Select(c => new EvidenceClip(c.InZip, c.Clip.Camera, c.Clip.Agent, c.Clip.From, c.Clip.To, c.Clip.Sha256, c.Clip.Bytes, c.Clip.Reason,
                c.Clip.Gaps.Select(g => new EvidenceGap(g.From, g.To)).ToList())).ToList());

        var relativeFolder = Path.Combine("cases", id.ToString(CultureInfo.InvariantCulture), "packages");
        Directory.CreateDirectory(Path.Combine(dataDir, relativeFolder));
        var safeNumber = UnsafeInFileName().Replace(found.Number, "-").Trim('-', '.');
        var stem = $"{(safeNumber.Length > 0 ? safeNumber : "case")}-{UtcTime.Compact(now)}";
        var relative = Path.Combine(relativeFolder, stem + ".zip");
        // Two packages of one case in the same second are two files, never one overwriting the other.
        for (var n = 2; File.Exists(Path.Combine(dataDir, relative)); n++)
        {
            relative = Path.Combine(relativeFolder, $"{stem}-{n}.zip");
        }

        var zip = Path.Combine(dataDir, relative);
        try
        {
            await EvidencePackager.CreateAsync(zip, manifest, clips.Select(c => (c.InZip, Path.Combine(dataDir, c.Clip.File))).ToList(), key, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // A clip file changed or vanished since it was added: the package would not be evidence.
            var detail = $"the package could not be made: {e.Message}";
            audit.Append(by, AuditActions.Export, target, AuditOutcomes.Failed, detail);
            return Results.Problem(statusCode: 500, detail: detail);
        }

        string sha;
        long bytes;
        await using (var read = new FileStream(zip, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        {
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(read, ct).ConfigureAwait(false));
            bytes = read.Length;
        }

        var package = store.AddPackage(id, relative, sha, bytes, by, now);
        audit.Append(by, AuditActions.Export, target, AuditOutcomes.Ok, $"package {package.File}, {clips.Count} clip(s), sha256 {sha}");
        return Results.Json(package, statusCode: 201);
    }

    private static IResult Download(long id, long packageId, CaseStore store, ConsoleSettings settings, AuditLog audit, ClaimsPrincipal user)
    {
        var by = user.Identity!.Name!;
        var found = store.Find(id);
        var package = found?.Packages.FirstOrDefault(p => p.Id == packageId);
        if (found is null || package is null)
        {
            var detail = found is null ? UnknownCaseDetail(id)
                : $"case {found.Number} has no package {packageId}; it has {(found.Packages.Count == 0 ? "none" : string.Join(", ", found.Packages.Select(p => p.Id)))}";
            audit.Append(by, AuditActions.Export, $"case:{found?.Number ?? id.ToString(CultureInfo.InvariantCulture)}", AuditOutcomes.Failed, $"download: {detail}");
            return Results.Problem(statusCode: 404, detail: detail);
        }

        var path = Path.Combine(Path.GetFullPath(settings.DataDir), package.Path);
        if (!File.Exists(path))
        {
            var detail = $"package {package.File} is recorded but its file is missing from the console's data folder";
            audit.Append(by, AuditActions.Export, $"case:{found.Number}", AuditOutcomes.Failed, $"download: {detail}");
            return Results.Problem(statusCode: 410, detail: detail);
        }

        audit.Append(by, AuditActions.Export, $"case:{found.Number}", AuditOutcomes.Ok, $"download {package.File}");
        return Results.File(path, "application/zip", fileDownloadName: package.File, enableRangeProcessing: true);
    }

    private static string UnknownCaseDetail(long id) => $"no case {id}; GET /api/cases lists the cases there are";

    private static IResult UnknownCase(long id) => Results.Problem(statusCode: 404, detail: UnknownCaseDetail(id));

    private static string Short(string s) => s.Length > 64 ? s[..64] + "..." : s;

    /// <summary>What an agent sent, fit to quote in a message and the audit log: control characters shown as '?'.</summary>
    private static string Printable(string s) => string.Concat(s.Select(c => char.IsControl(c) ? '?' : c));
}
