using System.Security.Claims;
using System.Text.Json;
using GateWatch.Central.Agents;
using GateWatch.Central.Audit;
using GateWatch.Central.Users;

namespace GateWatch.Central.Cameras;

/// <summary>
/// Admins' view of the cameras: which ones there are, and each analysed camera's gate spec (lines and zones),
/// read from and written to its agent. The agent validates and applies an edit; the console relays and audits.
/// </summary>
internal static class CameraAdminEndpoints
{
    /// <summary>A gate spec is a few lines and zones; this is generous and still bounded.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    public static WebApplication MapCameraAdmin(this WebApplication app)
    {
        var cameras = app.MapGroup("/api/admin/cameras").RequireAuthorization(Rights.Administer);
        cameras.MapGet("/", ListAsync);
        cameras.MapGet("/{agent}/{camera}/gate", GetGateAsync);
        cameras.MapPut("/{agent}/{camera}/gate", PutGateAsync);
        cameras.MapGet("/{agent}/{camera}/snapshot.jpg", (string agent, string camera, AgentClient agents, HttpContext http) =>
            Relay.StreamAsync(agents, agent, $"api/cameras/{Uri.EscapeDataString(camera)}/snapshot.jpg", http));
        return app;
    }

    private static string GatePath(string camera) => $"api/cameras/{Uri.EscapeDataString(camera)}/gate";

    /// <summary>Every registered agent's cameras from its health, all asked at once; an agent that does not answer is listed, marked, with why.</summary>
    private static async Task<IResult> ListAsync(AgentRegistry registry, AgentClient agents, TimeProvider time, CancellationToken ct)
    {
        AgentHealthAnswer[] answers;
        try
        {
            answers = await AgentHealth.AskAllAsync(registry, agents, time, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The admin left the page: there is nobody to answer.
            return Results.Empty;
        }

        var list = new List<object>();
        foreach (var answer in answers)
        {
            var agent = answer.Agent;
            var problem = answer.Problem;
            if (problem is null)
            {
                try
                {
                    var cameras = answer.Health.GetProperty("cameras").EnumerateArray().Select(c => new
                    {
                        agent = agent.Id,
                        camera = c.GetProperty("id").GetString(),
                        name = c.GetProperty("name").GetString(),
                        hasGate = c.TryGetProperty("gate", out var g) && g.ValueKind == JsonValueKind.String,
                        reachable = true,
                    }).ToList();
                    list.AddRange(cameras);
                    continue;
                }
                catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException)
                {
                    problem = $"answered its health with something the console cannot read ({e.Message})";
                }
            }

            list.Add(new { agent = agent.Id, camera = (string?)null, name = agent.Name, hasGate = false, reachable = false, problem });
        }

        return Results.Json(list);
    }

    private static async Task<IResult> GetGateAsync(string agent, string camera, AgentClient agents, CancellationToken ct)
    {
        try
        {
            return Results.Json(await agents.GetJsonAsync(agent, GatePath(camera), ct).ConfigureAwait(false));
        }
        catch (AgentRequestException e)
        {
            return Results.Problem(statusCode: e.Status, detail: e.Message);
        }
        catch (AgentUnavailableException e)
        {
            return Results.Problem(statusCode: 502, detail: e.Message);
        }
    }

    /// <summary>
    /// Relays an edit {spec, expectedFingerprint}. Every attempt is audited: a change with both fingerprints and
    /// what it now counts, a refusal with the agent's reason (a JSON path, or someone else's edit in between).
    /// </summary>
    private static async Task<IResult> PutGateAsync(string agent, string camera, HttpRequest request, AgentClient agents, AuditLog audit, ClaimsPrincipal by, CancellationToken ct)
    {
        var actor = by.Identity!.Name!;
        var target = $"{agent}/{camera}/gate";
        if (request.ContentLength > MaxBodyBytes)
        {
            return Results.Problem(statusCode: 413, detail: $"a gate spec edit is at most {MaxBodyBytes / 1024} KB");
        }

        JsonElement body;
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, default, ct).ConfigureAwait(false);
            body = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return Results.Problem(statusCode: 400, detail: $"the body is not JSON ({e.Message.Split(" Path:", 2)[0]}); send {{\"spec\": {{...}}, \"expectedFingerprint\": \"...\"}}");
        }

        var expected = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("expectedFingerprint", out var f) && f.ValueKind == JsonValueKind.String
            ? f.GetString()!
            : "?";
        try
        {
            var done = await agents.PutJsonAsync(agent, GatePath(camera), body, ct).ConfigureAwait(false);
            var fingerprint = done.GetProperty("fingerprint").GetString();
            var lines = string.Join(",", Ids(done, "lines"));
            var zones = string.Join(",", Ids(done, "zones"));
            audit.Append(actor, AuditActions.ConfigChange, target, AuditOutcomes.Ok, $"fingerprint {expected} -> {fingerprint}, lines: {lines}; zones: {zones}");
            return Results.Json(done);
        }
        catch (AgentRequestException e)
        {
            audit.Append(actor, AuditActions.ConfigChange, target, AuditOutcomes.Failed, e.Message);
            return Results.Problem(statusCode: e.Status, detail: e.Message);
        }
        catch (AgentUnavailableException e)
        {
            audit.Append(actor, AuditActions.ConfigChange, target, AuditOutcomes.Failed, e.Message);
            return Results.Problem(statusCode: 502, detail: e.Message);
        }
    }

    private static IEnumerable<string?> Ids(JsonElement done, string name) =>
        done.TryGetProperty(name, out var ids) && ids.ValueKind == JsonValueKind.Array ? ids.EnumerateArray().Select(i => i.GetString()) : [];
}
