using System.Security.Claims;
using System.Text.Json;
using GateWatch.Central.Agents;
using GateWatch.Central.Audit;
using GateWatch.Central.Data;
using GateWatch.Central.Users;

namespace GateWatch.Central.Live;

/// <summary>The live wall for guards: every camera of every agent, its video, overlay data and a still.</summary>
internal static class LiveEndpoints
{
    public static WebApplication MapLive(this WebApplication app)
    {
        var live = app.MapGroup("/api/live").RequireAuthorization(Rights.Watch);
        live.MapGet("/wall", Wall);
        live.MapGet("/today", Today);
        live.MapGet("/{agent}/{camera}/video", (string agent, string camera, AgentClient agents, AuditLog audit, ClaimsPrincipal user, HttpContext http) =>
            Relay.StreamAsync(agents, agent, $"api/cameras/{Uri.EscapeDataString(camera)}/live.mp4", http, (status, why) =>
                audit.Append(user.Identity!.Name!, AuditActions.LiveView, $"{agent}/{camera}",
                    status is >= 200 and < 300 ? AuditOutcomes.Ok : AuditOutcomes.Failed, why is null ? "" : $"HTTP {status}: {why}")));
        live.MapGet("/{agent}/{camera}/meta", (string agent, string camera, AgentClient agents, HttpContext http) =>
            Relay.StreamAsync(agents, agent, $"api/cameras/{Uri.EscapeDataString(camera)}/live/meta", http));
        live.MapGet("/{agent}/{camera}/snapshot.jpg", (string agent, string camera, AgentClient agents, HttpContext http) =>
            Relay.StreamAsync(agents, agent, $"api/cameras/{Uri.EscapeDataString(camera)}/snapshot.jpg", http));
        return app;
    }

    /// <summary>Entries and exits since midnight on the park's clock, per camera, for the wall's counters.</summary>
    private static IResult Today(ConsoleDb db, ParkClock clock, TimeProvider time)
    {
        var day = clock.Day(time.GetUtcNow());
        var midnight = clock.StartOfDay(day);
        var next = clock.StartOfDay(day.AddDays(1));
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT agent, camera,
                   SUM(CASE WHEN json_extract(data, '$.direction') = 'in' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN json_extract(data, '$.direction') = 'out' THEN 1 ELSE 0 END)
            FROM events
            WHERE type = 'crossing' AND time_ms >= $from AND time_ms < $to
            GROUP BY agent, camera ORDER BY agent, camera
            """;
        cmd.Parameters.AddWithValue("$from", midnight.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$to", next.ToUnixTimeMilliseconds());
        using var r = cmd.ExecuteReader();
        var rows = new List<object>();
        while (r.Read())
        {
            rows.Add(new { agent = r.GetString(0), camera = r.GetString(1), @in = r.GetInt64(2), @out = r.GetInt64(3) });
        }

        return Results.Json(rows);
    }

    /// <summary>
    /// Each agent's cameras with their state and counts, all agents asked at once. An agent that does not
    /// answer is marked (reachable false, with why): its cameras it sent events from, or one tile for it.
    /// </summary>
    private static async Task<IResult> Wall(AgentRegistry registry, AgentClient agents, ConsoleDb db, TimeProvider time, CancellationToken ct)
    {
        AgentHealthAnswer[] answers;
        try
        {
            answers = await AgentHealth.AskAllAsync(registry, agents, time, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The guard closed the page or gave up: nobody is waiting for an answer, and nothing went wrong.
            return Results.Empty;
        }

        var tiles = new List<object>();
        foreach (var answer in answers)
        {
            var agent = answer.Agent;
            var problem = answer.Problem;
            if (problem is null)
            {
                try
                {
                    var cameras = new List<object>();
                    foreach (var c in answer.Health.GetProperty("cameras").EnumerateArray())
                    {
                        cameras.Add(new
                        {
                            agent = agent.Id,
                            agentName = agent.Name,
                            camera = c.GetProperty("id").GetString(),
                            name = c.GetProperty("name").GetString(),
                            state = c.GetProperty("state").GetString(),
                            since = c.GetProperty("since"),
                            lineCounts = c.GetProperty("lineCounts"),
                            zoneCounts = c.GetProperty("zoneCounts"),
                            reachable = true,
                        });
                    }

                    tiles.AddRange(cameras);
                    continue;
                }
                catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException)
                {
                    problem = $"answered its health with something the wall cannot read ({e.Message})";
                }
            }

            var remembered = AgentHealth.RememberedCameras(agent, db);
            if (remembered.Count == 0)
            {
                tiles.Add(new { agent = agent.Id, agentName = agent.Name, camera = (string?)null, name = agent.Name, state = "unreachable", reachable = false, problem });
            }

            tiles.AddRange(remembered.Select(camera =>
                new { agent = agent.Id, agentName = agent.Name, camera = (string?)camera.Id, name = camera.Name, state = "unreachable", reachable = false, problem }));
        }

        return Results.Json(tiles);
    }
}
