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

    public static IServiceCollection AddAgents(this IServiceCollection services) =>
        services.AddHttpContextAccessor().AddSingleton<AgentRegistry>().AddSingleton<EventIngest>().AddSingleton<AgentClient>()
            .AddSingleton<AgentWatch>().AddHostedService(sp => sp.GetRequiredService<AgentWatch>())
            .AddSingleton<IngestRefusals>();

    public static WebApplication MapAgents(this WebApplication app)
    {
        // Agents present their own key, not a user's cookie.
        app.MapPost("/api/agents/events", Ingest).AllowAnonymous();

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
