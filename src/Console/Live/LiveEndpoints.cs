using System.Text.Json;
using GateWatch.Central.Agents;
using GateWatch.Central.Users;

namespace GateWatch.Central.Live;

/// <summary>The live wall for guards: every camera of every agent, its video, overlay data and a still.</summary>
internal static class LiveEndpoints
{
    public static WebApplication MapLive(this WebApplication app)
    {
        var live = app.MapGroup("/api/live").RequireAuthorization(Rights.Watch);
        live.MapGet("/wall", Wall);
        live.MapGet("/{agent}/{camera}/video", (string agent, string camera, AgentClient agents, HttpContext http) =>
            Relay.StreamAsync(agents, agent, $"api/cameras/{Uri.EscapeDataString(camera)}/live.mp4", http));
        live.MapGet("/{agent}/{camera}/meta", (string agent, string camera, AgentClient agents, HttpContext http) =>
            Relay.StreamAsync(agents, agent, $"api/cameras/{Uri.EscapeDataString(camera)}/live/meta", http));
        live.MapGet("/{agent}/{camera}/snapshot.jpg", (string agent, string camera, AgentClient agents, HttpContext http) =>
            Relay.StreamAsync(agents, agent, $"api/cameras/{Uri.EscapeDataString(camera)}/snapshot.jpg", http));
        return app;
    }

    /// <summary>Each agent's cameras with their state and counts; an agent that does not answer is shown as such.</summary>
    private static async Task<IResult> Wall(AgentRegistry registry, AgentClient agents, CancellationToken ct)
    {
        var tiles = new List<object>();
        foreach (var agent in registry.List())
        {
            try
            {
                var health = await agents.GetJsonAsync(agent.Id, "api/health", ct).ConfigureAwait(false);
                foreach (var c in health.GetProperty("cameras").EnumerateArray())
                {
                    tiles.Add(new
                    {
                        agent = agent.Id,
                        agentName = agent.Name,
                        camera = c.GetProperty("id").GetString(),
                        name = c.GetProperty("name").GetString(),
                        state = c.GetProperty("state").GetString(),
                        since = c.GetProperty("since"),
                        lineCounts = c.GetProperty("lineCounts"),
                        zoneCounts = c.GetProperty("zoneCounts"),
                    });
                }
            }
            catch (Exception e) when (e is AgentUnavailableException or AgentRequestException or JsonException or KeyNotFoundException)
            {
                tiles.Add(new { agent = agent.Id, agentName = agent.Name, camera = (string?)null, name = agent.Name, state = "unreachable", error = e.Message });
            }
        }

        return Results.Json(tiles);
    }
}
