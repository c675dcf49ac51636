using System.Globalization;
using GateWatch.Central.Agents;
using GateWatch.Central.Alerts;
using GateWatch.Central.Data;
using GateWatch.Central.Plates;
using Microsoft.Data.Sqlite;

namespace GateWatch.Central.Shifts;

/// <summary>
/// What one gate's shift holds, for the guard who hands over and the reviewer who reads it later: entries and exits
/// per camera and class, the alerts raised with who acknowledged them and what they noted, the time cameras or the
/// whole gate were dark, and the guards' own notes. Everything comes from the events as stored; nothing is kept
/// twice, so a late event (an agent's outbox catching up) is in the report the next time it is read.
/// </summary>
internal static class HandoverReport
{
    public sealed record Count(string Camera, string Class, long In, long Out);

    public sealed record Alert(string Id, string Camera, string Type, DateTimeOffset Time, Plates.Acknowledgement? Acknowledged, string Detail);

    /// <summary>A dark stretch; To is null while it lasts. Kind is the event type that opened it.</summary>
    public sealed record Outage(string Camera, string Kind, DateTimeOffset From, DateTimeOffset? To, string Reason);

    public sealed record Report(
        string Agent, string AgentName, ShiftSpan Span, DateTimeOffset AsOf, bool Complete,
        IReadOnlyList<Count> Counts, IReadOnlyList<Alert> Alerts, IReadOnlyList<Outage> Outages, IReadOnlyList<ShiftStore.Note> Notes);

    /// <summary>How far back an outage that is still open at the shift's start is looked for: a camera dark for a month is a repair job, not a shift's news.</summary>
    private static readonly TimeSpan OutageLookBack = TimeSpan.FromDays(31);

    /// <summary>What ends each kind of outage.</summary>
    private static readonly Dictionary<string, string> Ends = new()
    {
        ["camera-offline"] = "camera-online",
        [AgentWatch.Unreachable] = AgentWatch.Reachable,
        [AgentWatch.RecordingStopped] = AgentWatch.RecordingResumed,
    };

    public static Report Build(ConsoleDb db, ShiftStore store, string agent, string agentName, ShiftSpan span, DateTimeOffset now)
    {
        var until = now < span.End ? now : span.End;
        using var c = db.Open();
        return new Report(agent, agentName, span, until, now >= span.End,
            Counts(c, agent, span.Start, until), Alerts(c, agent, span.Start, until), Outages(c, agent, span.Start, until), store.Notes(agent, span));
    }

    private static List<Count> Counts(SqliteConnection c, string agent, DateTimeOffset from, DateTimeOffset to)
    {
        using var cmd = Command(c, agent, from, to, """
            SELECT camera, COALESCE(json_extract(data, '$.class'), 'unknown') AS cls,
                   SUM(CASE WHEN json_extract(data, '$.direction') = 'in' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN json_extract(data, '$.direction') = 'out' THEN 1 ELSE 0 END)
            FROM events WHERE agent = $agent AND camera <> '' AND type = 'crossing' AND time_ms >= $from AND time_ms < $to
            GROUP BY camera, cls ORDER BY camera, cls
            """);
        using var r = cmd.ExecuteReader();
        var rows = new List<Count>();
        while (r.Read())
        {
            rows.Add(new Count(r.GetString(0), Convert.ToString(r.GetValue(1), CultureInfo.InvariantCulture) ?? "", r.GetInt64(2), r.GetInt64(3)));
        }

        return rows;
    }

    private static List<Alert> Alerts(SqliteConnection c, string agent, DateTimeOffset from, DateTimeOffset to)
    {
        using var cmd = Command(c, agent, from, to, $"""
            SELECT e.id, e.camera, e.type, e.time_ms, a.by_user, a.time_ms, a.note,
                   COALESCE(json_extract(e.data, '$.zone'), json_extract(e.data, '$.reason'), '')
            FROM events e LEFT JOIN acknowledgements a ON a.event_id = e.id
            WHERE e.agent = $agent AND e.type IN ('{string.Join("', '", AlertEndpoints.Types)}') AND e.time_ms >= $from AND e.time_ms < $to
            ORDER BY e.time_ms, e.id
            """);
        var rows = new List<Alert>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var ack = r.IsDBNull(4) ? null : new Plates.Acknowledgement(r.GetString(4), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)), r.GetString(6));
                rows.Add(new Alert(r.GetString(0), r.GetString(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)), ack,
                    Convert.ToString(r.GetValue(7), CultureInfo.InvariantCulture) ?? ""));
            }
        }

        // Plate alerts are kept with their reads; the read's plate is what the guard acted on.
        using var plates = Command(c, agent, from, to, $"""
            SELECT p.event_id, p.camera, p.alert, p.time_ms, a.by_user, a.time_ms, a.note, p.text
            FROM plate_reads p LEFT JOIN acknowledgements a ON a.event_id = p.event_id
            WHERE p.agent = $agent AND p.alert IS NOT NULL AND p.time_ms >= $from AND p.time_ms < $to
            """);
        using (var r = plates.ExecuteReader())
        {
            while (r.Read())
            {
                var ack = r.IsDBNull(4) ? null : new Plates.Acknowledgement(r.GetString(4), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)), r.GetString(6));
                rows.Add(new Alert(r.GetString(0), r.GetString(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)), ack, r.GetString(7)));
            }
        }

        return [.. rows.OrderBy(a => a.Time).ThenBy(a => a.Id, StringComparer.Ordinal)];
    }

    /// <summary>Dark stretches that overlap the shift, including one that began before it and one still open.</summary>
    private static List<Outage> Outages(SqliteConnection c, string agent, DateTimeOffset from, DateTimeOffset to)
    {
        var types = Ends.Keys.Concat(Ends.Values).ToArray();
        using var cmd = Command(c, agent, from - OutageLookBack, to, $"""
            SELECT camera, type, time_ms, COALESCE(json_extract(data, '$.reason'), '')
            FROM events WHERE agent = $agent AND type IN ('{string.Join("', '", types)}') AND time_ms >= $from AND time_ms < $to
            ORDER BY time_ms, seq
            """);
        using var r = cmd.ExecuteReader();
        var open = new Dictionary<(string Camera, string Kind), (DateTimeOffset From, string Reason)>();
        var spans = new List<Outage>();
        while (r.Read())
        {
            var (camera, type, at, reason) = (r.GetString(0), r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), r.GetString(3));
            if (Ends.ContainsKey(type))
            {
                open.TryAdd((camera, type), (at, reason));
                continue;
            }

            var kind = Ends.First(e => e.Value == type).Key;
            if (open.Remove((camera, kind), out var began) && at > from)
            {
                spans.Add(new Outage(camera, kind, began.From, at, began.Reason));
            }
        }

        spans.AddRange(open.Select(o => new Outage(o.Key.Camera, o.Key.Kind, o.Value.From, null, o.Value.Reason)));
        return [.. spans.OrderBy(s => s.From).ThenBy(s => s.Camera, StringComparer.Ordinal)];
    }

    private static SqliteCommand Command(SqliteConnection c, string agent, DateTimeOffset from, DateTimeOffset to, string sql)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$agent", agent);
        cmd.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        return cmd;
    }
}
