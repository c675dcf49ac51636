using GateWatch.Central.Agents;
using GateWatch.Central.Users;

namespace GateWatch.Central.Recordings;

/// <summary>Recorded footage for reviewers and investigators, served from the agent that holds it.</summary>
internal static class RecordingEndpoints
{
    public static WebApplication MapRecordings(this WebApplication app)
    {
        var rec = app.MapGroup("/api/recordings").RequireAuthorization(Rights.Review);
        rec.MapGet("/{agent}/{camera}/segments", async (string agent, string camera, string? from, string? to, AgentClient agents, CancellationToken ct) =>
        {
            var query = $"api/cameras/{Uri.EscapeDataString(camera)}/segments?from={Uri.EscapeDataString(from ?? "")}&to={Uri.EscapeDataString(to ?? "")}";
            try
            {
                return Results.Json(await agents.GetJsonAsync(agent, query, ct).ConfigureAwait(false));
            }
            catch (AgentUnavailableException e)
            {
                return Results.Problem(statusCode: 502, detail: e.Message);
            }
            catch (AgentRequestException e)
            {
                return Results.Problem(statusCode: e.Status, detail: e.Message);
            }
        });
        rec.MapGet("/{agent}/{camera}/segments/{file}", (string agent, string camera, string file, AgentClient agents, HttpContext http) =>
            Relay.StreamAsync(agents, agent, $"api/cameras/{Uri.EscapeDataString(camera)}/segments/{Uri.EscapeDataString(file)}", http));
        return app;
    }
}
