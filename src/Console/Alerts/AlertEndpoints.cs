using System.Security.Claims;
using System.Text.Json;
using GateWatch.Central.Agents;
using GateWatch.Central.Audit;
using GateWatch.Central.Data;
using GateWatch.Central.Plates;
using GateWatch.Central.Users;

namespace GateWatch.Central.Alerts;

/// <summary>What guards must react to: crowd gatherings, cameras and whole agents going offline, and plates a gate's policy alerts on, until acknowledged with a note.</summary>
internal static class AlertEndpoints
{
    /// <summary>The event types that raise an alert on the wall.</summary>
    public static readonly IReadOnlyList<string> Types = ["crowd-start", "camera-offline", AgentWatch.Unreachable, AgentWatch.RecordingStopped];

    /// <summary>
    /// An alert event <c>e</c> with its acknowledgement <c>a</c> and the event <c>b</c> that cleared it (an agent that
    /// answers again, a camera recording again); open means neither.
    /// </summary>
    public static readonly string StateJoins = $"""
        FROM events e LEFT JOIN acknowledgements a ON a.event_id = e.id
        LEFT JOIN events b ON b.agent = e.agent AND b.camera = e.camera AND (
          (e.type = '{AgentWatch.Unreachable}' AND b.type = '{AgentWatch.Reachable}' AND json_extract(b.data, '$.unreachable') = e.id)
          OR (e.type = '{AgentWatch.RecordingStopped}' AND b.type = '{AgentWatch.RecordingResumed}' AND json_extract(b.data, '$.stopped') = e.id))
        """;

    /// <summary>The most alerts one list holds, the newest.</summary>
    private const int MaxListed = 500;

    /// <summary>A note is a sentence or two of what the guard saw or did; a page of text is not a note.</summary>
    private const int MaxNote = 1000;

    private sealed record Ack(string? Note);

    public static WebApplication MapAlerts(this WebApplication app)
    {
        var alerts = app.MapGroup("/api/alerts").RequireAuthorization(Rights.Watch);
        alerts.MapGet("/", (long? since, bool? open, ConsoleDb db) =>
        {
            using var c = db.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"""
                SELECT e.id, e.agent, e.camera, e.type, e.time_ms, e.data, a.by_user, a.time_ms, a.note, b.time_ms,
                  -- A gathering's crowd-end (same zone and start), for its final peak: found by the camera's index from the alert's time on.
                  CASE WHEN e.type = 'crowd-start' THEN (SELECT x.data FROM events x
                    WHERE x.agent = e.agent AND x.camera = e.camera AND x.time_ms >= e.time_ms AND x.type = 'crowd-end'
                      AND json_extract(x.data, '$.zone') = json_extract(e.data, '$.zone')
                      AND json_extract(x.data, '$.startTime') = json_extract(e.data, '$.startTime') LIMIT 1) END
                {StateJoins}
                WHERE e.type IN ('{string.Join("', '", Types)}') AND e.time_ms >= $since
                  AND ($open = 0 OR (a.event_id IS NULL AND b.id IS NULL))
                ORDER BY e.time_ms DESC LIMIT $limit
                """;
            cmd.Parameters.AddWithValue("$since", since ?? 0);
            cmd.Parameters.AddWithValue("$open", open == true ? 1 : 0);
            cmd.Parameters.AddWithValue("$limit", MaxListed);
            var list = new List<(long Time, object Alert)>();
            using (var r = cmd.ExecuteReader())
            {
                while (r.Read())
                {
                    using var data = JsonDocument.Parse(r.GetString(5));
                    using var ended = r.IsDBNull(10) ? null : JsonDocument.Parse(r.GetString(10));
                    list.Add((r.GetInt64(4), new
                    {
                        id = r.GetString(0),
                        agent = r.GetString(1),
                        camera = r.GetString(2),
                        type = r.GetString(3),
                        time = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
                        data = data.RootElement.Clone(),
                        acknowledged = r.IsDBNull(6) ? null : new { by = r.GetString(6), time = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)), note = r.GetString(8) },
                        // An agent that answers again, or a camera recorded again, clears its own alert: the guard need not acknowledge a blip.
                        cleared = r.IsDBNull(9) ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)),
                        // A crowd alert stays for the guard to acknowledge after the crowd left; its end says how big it got.
                        ended = ended?.RootElement.Clone(),
                    }));
                }
            }

            // Plate alerts are the console's own decision about a crossing, stored with its read rather than sent as an
            // event: listed from there, under the crossing's event id, and acknowledged like any other alert.
            foreach (var p in PlateReads.Alerts(c, since ?? 0, open == true, MaxListed))
            {
                list.Add((p.Time.ToUnixTimeMilliseconds(), new
                {
                    id = p.EventId,
                    agent = p.Agent,
                    camera = p.Camera,
                    type = p.Alert,
                    time = p.Time,
                    data = new { direction = p.Direction, @class = p.Class },
                    plate = new { text = p.Text, confidence = p.Confidence, status = p.Status, matched = p.Matched, crop = PlateEndpoints.CropUrl(p) },
                    acknowledged = p.Acknowledged is { } k ? new { by = k.By, time = k.Time, note = k.Note } : null,
                }));
            }

            return Results.Json(list.OrderByDescending(x => x.Time).Take(MaxListed).Select(x => x.Alert));
        });
        alerts.MapPost("/{id}/acknowledge", (string id, Ack? body, ConsoleDb db, AuditLog audit, TimeProvider time, ClaimsPrincipal user) =>
        {
            var note = body?.Note?.Trim() ?? "";
            if (note.Length is 0 or > MaxNote)
            {
                return Results.Problem(statusCode: 400, detail: $"note: say what was seen or done, 1 to {MaxNote} characters");
            }

            using var c = db.Open();
            using var find = c.CreateCommand();
            find.CommandText = $"SELECT type FROM events WHERE id = $id AND type IN ('{string.Join("', '", Types)}')";
            find.Parameters.AddWithValue("$id", id);
            if (find.ExecuteScalar() is null && !PlateReads.IsAlert(c, id))
            {
                return Results.Problem(statusCode: 404, detail: $"no alert {(id.Length > 64 ? id[..64] : id)}");
            }

            using var ack = c.CreateCommand();
            ack.CommandText = "INSERT INTO acknowledgements (event_id, by_user, time_ms, note) VALUES ($id, $by, $now, $note) ON CONFLICT DO NOTHING";
            ack.Parameters.AddWithValue("$id", id);
            ack.Parameters.AddWithValue("$by", user.Identity!.Name!);
            ack.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
            ack.Parameters.AddWithValue("$note", note);
            if (ack.ExecuteNonQuery() == 0)
            {
                return Results.Problem(statusCode: 409, detail: "this alert was already acknowledged; its note stands");
            }

            audit.Append(user.Identity!.Name!, AuditActions.Acknowledge, $"alert:{id}", AuditOutcomes.Ok, note);
            return Results.NoContent();
        });
        return app;
    }
}
