using GateWatch.Central.Audit;
using GateWatch.Central.Users;
using GateWatch.Central.Web;

namespace GateWatch.Central.Agents;

/// <summary>Agent registration (admins) and the ingest endpoint agents deliver their events to.</summary>
internal static class AgentEndpoints
{
    /// <summary>A batch is at most 100 events of at most 4 KB; 1 MB is generous and still bounded.</summary>
    private const int MaxBatchBytes = 1024 * 1024;

    private sealed record NewAgent(string? Id, string? Name, string? Url, string? ApiKey, string? Fingerprint);

    /// <summary>A new certificate fingerprint for an agent; null or empty trusts the system's CAs.</summary>
    private sealed record NewPin(string? Fingerprint);

    private sealed record NewCode(string? AgentId, string? Name, double? Hours);

    private sealed record Enrol(string? Code, string? AgentId, string? Url, string? ApiKey, string? Fingerprint);

    public static IServiceCollection AddAgents(this IServiceCollection services) =>
        services.AddHttpContextAccessor().AddSingleton<AgentRegistry>().AddSingleton<EventIngest>().AddSingleton<AgentClient>()
            .AddSingleton<AgentWatch>().AddHostedService(sp => sp.GetRequiredService<AgentWatch>())
            .AddSingleton<IngestRefusals>().AddSingleton<Enrolments>();

    public static WebApplication MapAgents(this WebApplication app)
    {
        // Agents present their own key, not a user's cookie.
        app.MapPost("/api/agents/events", Ingest).AllowAnonymous();
        // The enrolment code is the credential; a box being installed has no key yet.
        app.MapPost("/api/agents/enrol", EnrolAgent).AllowAnonymous();

        var admin = app.MapGroup("/api/admin/agents").RequireAuthorization(Rights.Administer);
        admin.MapGet("/", (AgentRegistry agents) => Results.Json(agents.List().Select(a => new { a.Id, a.Name, url = a.Url, lastSeen = a.LastSeen, tlsPin = a.TlsPin })));
        admin.MapPost("/", (NewAgent body, AgentRegistry agents, AuditLog audit, System.Security.Claims.ClaimsPrincipal by) =>
        {
            if (!Uri.TryCreate(body.Url, UriKind.Absolute, out var url))
            {
                return Results.Problem(statusCode: 400, detail: "url: the agent's API address, e.g. http://10.0.0.5:8710");
            }

            try
            {
                var key = agents.Register(body.Id ?? "", body.Name ?? "", url, body.ApiKey ?? "", body.Fingerprint);
                audit.Append(by.Identity!.Name!, AuditActions.AgentRegistered, $"agent:{body.Id}", AuditOutcomes.Ok,
                    string.IsNullOrWhiteSpace(body.Fingerprint) ? url.Authority : $"{url.Authority} {AgentRegistry.PinDetail(body.Fingerprint)}");
                return Results.Json(new { id = body.Id, consoleKey = key, note = "put consoleKey in the agent's console.key; it is not shown again" }, statusCode: 201);
            }
            catch (AgentException e)
            {
                return Results.Problem(statusCode: 400, detail: e.Message);
            }
        });
        admin.MapGet("/enrolments", (Enrolments codes) => Results.Json(codes.List()));
        admin.MapPost("/enrolments", (NewCode body, Enrolments codes, AuditLog audit, System.Security.Claims.ClaimsPrincipal by) =>
        {
            var life = body.Hours is { } h && double.IsFinite(h) ? TimeSpan.FromHours(Math.Min(h, 24 * 365)) : Enrolments.DefaultLife;
            try
            {
                var made = codes.Make(body.AgentId ?? "", body.Name ?? "", life, by.Identity!.Name!);
                audit.Append(by.Identity!.Name!, AuditActions.EnrolmentCodeMade, $"agent:{made.AgentId}", AuditOutcomes.Ok, $"valid until {UtcTime.Format(made.Expires)}");
                return Results.Json(new { code = made.Code, agentId = made.AgentId, expires = made.Expires, note = "shown once: type it on the agent (GateAgent enrol --code ...)" }, statusCode: 201);
            }
            catch (AgentException e)
            {
                return Results.Problem(statusCode: 400, detail: e.Message);
            }
        });
        admin.MapPut("/{id}/tls-pin", (string id, NewPin body, AgentRegistry agents, AuditLog audit, System.Security.Claims.ClaimsPrincipal by) =>
        {
            if (agents.Find(id) is null)
            {
                return Results.Problem(statusCode: 404, detail: $"no agent '{id}' is registered");
            }

            try
            {
                agents.Repin(id, body.Fingerprint);
                audit.Append(by.Identity!.Name!, AuditActions.AgentPinned, $"agent:{id}", AuditOutcomes.Ok, AgentRegistry.PinDetail(body.Fingerprint));
                return Results.NoContent();
            }
            catch (AgentException e)
            {
                return Results.Problem(statusCode: 400, detail: e.Message);
            }
        });
        return app;
    }

    private static IResult EnrolAgent(Enrol? body, HttpContext http, Enrolments codes, LoginThrottle throttle, AuditLog audit, IngestRefusals refusals)
    {
        var remote = http.Connection.RemoteIpAddress?.ToString() ?? "?";
        // The code is the credential: without one the caller is nobody, as at the other agent endpoint.
        if (string.IsNullOrWhiteSpace(body?.Code))
        {
            return Results.Problem(statusCode: 401, detail: "send the one-time enrolment code an admin made for this agent (GateAgent enrol --code)");
        }

        if (string.IsNullOrWhiteSpace(body.AgentId) || string.IsNullOrEmpty(body.ApiKey))
        {
            return Results.Problem(statusCode: 400, detail: "send {\"code\", \"agentId\", \"url\", \"apiKey\", \"fingerprint\"} (GateAgent enrol does)");
        }

        if (!Uri.TryCreate(body.Url, UriKind.Absolute, out var url))
        {
            return Results.Problem(statusCode: 400, detail: "url: the agent's API address as the console reaches it, e.g. https://10.0.0.5:8710");
        }

        // Guessing codes is throttled like guessing passwords: per agent id and per address.
        var throttleName = "enrolment:" + body.AgentId;
        var wait = throttle.WaitFor(throttleName, remote);
        if (wait > TimeSpan.Zero)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: 429, detail: $"too many wrong enrolment codes; try again in {Math.Ceiling(wait.TotalSeconds)} s");
        }

        var who = body.AgentId.Length > 40 ? body.AgentId[..40] : body.AgentId;
        try
        {
            var (key, code) = codes.Redeem(new EnrolmentRequest(body.Code, body.AgentId, url, body.ApiKey, body.Fingerprint), remote);
            throttle.Succeeded(throttleName);
            audit.Append($"agent:{code.AgentId}", AuditActions.AgentEnrolled, $"agent:{code.AgentId}", AuditOutcomes.Ok,
                $"code made by {code.MadeBy}, from {remote}, {url.Authority} {AgentRegistry.PinDetail(body.Fingerprint)}");
            return Results.Json(new { agentId = code.AgentId, name = code.Name, consoleKey = key }, statusCode: 201);
        }
        catch (EnrolmentException e)
        {
            if (e.Status == 401)
            {
                throttle.Failed(throttleName, remote);
                // Unknown codes are summarised per source, like refused event batches, so a guesser cannot flood the audit.
                refusals.Refused($"remote:{remote}", $"enrol:{who}", "unknown enrolment code");
            }
            else
            {
                audit.Append($"agent:{who}", AuditActions.AgentEnrolled, $"agent:{who}", AuditOutcomes.Denied, $"{e.Message} (from {remote})");
            }

            return Results.Problem(statusCode: e.Status, detail: e.Message);
        }
    }

    private static async Task<IResult> Ingest(HttpContext http, AgentRegistry agents, EventIngest ingest, IngestRefusals refusals, ConsoleMetrics metrics)
    {
        var remote = http.Connection.RemoteIpAddress?.ToString() ?? "?";
        var auth = http.Request.Headers.Authorization.ToString();
        var key = auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth[7..].Trim() : null;
        if (key is null)
        {
            refusals.Refused($"remote:{remote}", "events", "no agent key");
            return Results.Problem(statusCode: 401, detail: "send the agent's console key as 'Authorization: Bearer <key>'");
        }

        if (http.Request.ContentLength > MaxBatchBytes)
        {
            return Results.Problem(statusCode: 413, detail: $"a batch is at most {MaxBatchBytes / 1024} KB");
        }

        using var limited = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = await http.Request.Body.ReadAsync(buffer, http.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (limited.Length + n > MaxBatchBytes)
            {
                return Results.Problem(statusCode: 413, detail: $"a batch is at most {MaxBatchBytes / 1024} KB");
            }

            limited.Write(buffer, 0, n);
        }

        if (EventBatch.Read(limited.GetBuffer().AsSpan(0, (int)limited.Length), out var agent, out var events) is { } problem)
        {
            return Results.Problem(statusCode: 400, detail: problem);
        }

        if (!agents.Authenticate(agent, key))
        {
            var who = agent.Length > 40 ? agent[..40] : agent;
            refusals.Refused($"remote:{remote}", $"agent:{who}", "wrong or unknown key");
            return Results.Problem(statusCode: 401, detail: "unknown agent or wrong key");
        }

        agents.Seen(agent);
        var result = ingest.Store(agent, events);
        foreach (var r in result.Rejected)
        {
            refusals.Refused($"agent:{agent}", "event", r);
        }

        metrics.Ingested(result.Stored, result.Duplicates, result.Rejected.Count);
        return Results.Json(new { stored = result.Stored, duplicates = result.Duplicates, rejected = result.Rejected });
    }
}
