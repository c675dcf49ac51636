using System.Security.Claims;
using System.Text.Json;
using GateWatch.Central.Agents;
using GateWatch.Central.Audit;
using GateWatch.Central.Data;
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
        rec.MapGet("/{agent}/{camera}/segments/{file}", (string agent, string camera, string file, AgentClient agents, AuditLog audit, ClaimsPrincipal user, HttpContext http) =>
            Relay.StreamAsync(agents, agent, $"api/cameras/{Uri.EscapeDataString(camera)}/segments/{Uri.EscapeDataString(file)}", http,
                FirstFetch(http.Request) ? (status, why) => audit.Append(user.Identity!.Name!, AuditActions.RecordingView, $"{agent}/{camera}/{file}",
                    status is >= 200 and < 300 ? AuditOutcomes.Ok : AuditOutcomes.Failed, why is null ? "" : $"HTTP {status}: {why}") : null));
        rec.MapGet("/{agent}/{camera}/events", Events);
        return app;
    }

    /// <summary>Most events one timeline asks for; a day of a busy gate is a few thousand.</summary>
    private const int MaxEvents = 20_000;

    /// <summary>
    /// Whether this fetch starts watching a segment: no Range, or one from byte 0. A player scrubbing through
    /// a segment asks for many ranges, and one audit row per viewing is what an auditor wants, not hundreds.
    /// </summary>
    private static bool FirstFetch(HttpRequest request)
    {
        var range = request.Headers.Range.ToString();
        return range.Length == 0 || range.Replace(" ", "", StringComparison.Ordinal).StartsWith("bytes=0-", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The camera's events in a range, from the console's own copy, for markers on the timeline; with the spans its
    /// whole agent was unreachable, which are the console's events about the agent rather than about a camera.
    /// </summary>
    private static IResult Events(string agent, string camera, string? from, string? to, ConsoleDb db)
    {
        if (!UtcTime.TryParse(from, out var f) || !UtcTime.TryParse(to, out var t))
        {
            return Results.Problem(statusCode: 400, detail: "from, to: ISO 8601 UTC times, e.g. ?from=2026-03-01T08:00:00Z&to=2026-03-01T09:00:00Z");
        }

        if (t <= f)
        {
            return Results.Problem(statusCode: 400, detail: $"the range {UtcTime.Format(f)} to {UtcTime.Format(t)} is empty or reversed");
        }

        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"""
            SELECT id, type, time_ms, data FROM events
            WHERE agent = $agent AND (camera = $camera OR (camera = '' AND type IN ('{AgentWatch.Unreachable}', '{AgentWatch.Reachable}')))
              AND time_ms >= $from AND time_ms < $to
              -- A zone's minute peaks are the statistics' (one a minute per zone), not moments on the timeline.
              AND type <> '{Agents.EventIngest.ZonePeak}'
            ORDER BY time_ms, seq LIMIT $limit
            """;
        cmd.Parameters.AddWithValue("$agent", agent);
        cmd.Parameters.AddWithValue("$camera", camera);
        cmd.Parameters.AddWithValue("$from", f.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$to", t.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$limit", MaxEvents + 1);
        using var r = cmd.ExecuteReader();
        var list = new List<object>();
        while (r.Read())
        {
            if (list.Count == MaxEvents)
            {
                return Results.Problem(statusCode: 400, detail: $"more than {MaxEvents} events in this range; ask for a shorter one");
            }

            using var data = JsonDocument.Parse(r.GetString(3));
            list.Add(new { id = r.GetString(0), type = r.GetString(1), time = UtcTime.FromMs(r.GetInt64(2)), data = data.RootElement.Clone() });
        }

        return Results.Json(list);
    }
}
