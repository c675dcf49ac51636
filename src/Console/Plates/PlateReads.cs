using GateWatch.Central.Agents;
using GateWatch.Central.Data;
using Microsoft.Data.Sqlite;

namespace GateWatch.Central.Plates;

/// <summary>An acknowledgement of an alert: who, when, what they noted.</summary>
internal sealed record Acknowledgement(string By, DateTimeOffset Time, string Note);

/// <summary>One plate read as stored, with the status and alert decided when it arrived.</summary>
internal sealed record PlateRead(
    string EventId, string Agent, string Camera, DateTimeOffset Time, string Text, string Plate, double Confidence, string? Crop,
    string Class, string Direction, string Status, string Matched, string? Alert, Acknowledgement? Acknowledged);

/// <summary>A search of the reads; every filter but the limit is optional.</summary>
internal sealed record ReadQuery(
    PlatePattern? Pattern, int Tolerance, DateTimeOffset? From, DateTimeOffset? To, string? Agent, string? Camera, string? Class,
    string? Status, bool AlertsOnly, int Limit);

/// <summary>
/// The plate reads: made from crossings at ingest (an <see cref="IEventHook"/>), searched by reviewers and
/// investigators. A read's status and alert are decided once, when it arrives, from the lists, the camera's
/// policy and the settings of that moment.
/// </summary>
internal sealed class PlateReads(ConsoleDb db) : IEventHook
{
    public string? Problem(IncomingEvent e) => PlateWire.Read(e.Data, out _);

    public void Stored(SqliteConnection c, SqliteTransaction tx, string agent, IReadOnlyList<IncomingEvent> stored)
    {
        // The lists, policies and settings are read once per batch, and only when a batch has a plate in it.
        ListSnapshot? lists = null;
        PlateSettings? settings = null;
        Dictionary<string, string>? policies = null;
        foreach (var e in stored)
        {
            if (e.Type != "crossing" || PlateWire.Read(e.Data, out var plate) is not null || plate is null)
            {
                continue;
            }

            var normalized = PlateText.Normalize(plate.Text);
            if (normalized.Length == 0)
            {
                // A vehicle whose plate could not be read: a crossing, but no read to keep or match.
                continue;
            }

            lists ??= PlateLists.Snapshot(c, tx);
            settings ??= PlateConfig.Settings(c, tx);
            policies ??= PlateConfig.Policies(c, tx).ToDictionary(p => $"{p.Agent}/{p.Camera}", p => p.Policy);
            var verdict = PlateMatcher.Decide(normalized, settings.DayAt(e.Time), lists, settings.MaxDistance);
            var alert = GatePolicy.AlertFor(policies.GetValueOrDefault($"{agent}/{e.Camera}", GatePolicy.Log), verdict.Status);
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO plate_reads (event_id, agent, camera, time_ms, text, plate, confidence, crop, class, direction, status, matched, alert)
                VALUES ($id, $agent, $camera, $time, $text, $plate, $confidence, $crop, $class, $direction, $status, $matched, $alert)
                """;
            cmd.Parameters.AddWithValue("$id", e.Id);
            cmd.Parameters.AddWithValue("$agent", agent);
            cmd.Parameters.AddWithValue("$camera", e.Camera);
            cmd.Parameters.AddWithValue("$time", e.Time.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$text", plate.Text.Trim().ToUpperInvariant());
            cmd.Parameters.AddWithValue("$plate", normalized);
            cmd.Parameters.AddWithValue("$confidence", plate.Confidence);
            cmd.Parameters.AddWithValue("$crop", (object?)plate.Crop ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$class", PlateWire.Word(e.Data, "class"));
            cmd.Parameters.AddWithValue("$direction", PlateWire.Word(e.Data, "direction"));
            cmd.Parameters.AddWithValue("$status", verdict.Status);
            cmd.Parameters.AddWithValue("$matched", verdict.Matched);
            cmd.Parameters.AddWithValue("$alert", (object?)alert ?? DBNull.Value);
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>The newest reads that pass every filter, at most <see cref="ReadQuery.Limit"/>; <c>More</c> when there were more.</summary>
    public (IReadOnlyList<PlateRead> Reads, bool More) Search(ReadQuery q)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        var where = new List<string>();
        void Filter(string sql, string name, object? value)
        {
            if (value is not null)
            {
                where.Add(sql);
                cmd.Parameters.AddWithValue(name, value);
            }
        }

        Filter("p.time_ms >= $from", "$from", q.From?.ToUnixTimeMilliseconds());
        Filter("p.time_ms < $to", "$to", q.To?.ToUnixTimeMilliseconds());
        Filter("p.agent = $agent", "$agent", q.Agent);
        Filter("p.camera = $camera", "$camera", q.Camera);
        Filter("p.class = $class", "$class", q.Class);
        Filter("p.status = $status", "$status", q.Status);
        if (q.AlertsOnly)
        {
            where.Add("p.alert IS NOT NULL");
        }

        if (q.Pattern is { } pattern)
        {
            // The pattern is matched in C# (wildcards and tolerance in one edit distance), called by SQLite row by
            // row, so the plate text a reviewer typed never becomes part of the SQL.
            c.CreateFunction("plate_matches", (string plate) => pattern.Matches(plate, q.Tolerance), isDeterministic: true);
            where.Add("plate_matches(p.plate)");
        }

        cmd.CommandText = $"""
            SELECT {Columns} FROM plate_reads p LEFT JOIN acknowledgements a ON a.event_id = p.event_id
            {(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))}
            ORDER BY p.time_ms DESC, p.event_id LIMIT $limit
            """;
        cmd.Parameters.AddWithValue("$limit", q.Limit + 1);
        var reads = ReadAll(cmd);
        return reads.Count > q.Limit ? (reads[..q.Limit], true) : (reads, false);
    }

    /// <summary>The reads that raised an alert, newest first, from <paramref name="sinceMs"/> on; only unacknowledged ones when <paramref name="open"/>.</summary>
    public static List<PlateRead> Alerts(SqliteConnection c, long sinceMs, bool open, int limit)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"""
            SELECT {Columns} FROM plate_reads p LEFT JOIN acknowledgements a ON a.event_id = p.event_id
            WHERE p.alert IS NOT NULL AND p.time_ms >= $since AND ($open = 0 OR a.event_id IS NULL)
            ORDER BY p.time_ms DESC LIMIT $limit
            """;
        cmd.Parameters.AddWithValue("$since", sinceMs);
        cmd.Parameters.AddWithValue("$open", open ? 1 : 0);
        cmd.Parameters.AddWithValue("$limit", limit);
        return ReadAll(cmd);
    }

    /// <summary>Whether an alerting read has this event id (for acknowledging it).</summary>
    public static bool IsAlert(SqliteConnection c, string eventId)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM plate_reads WHERE event_id = $id AND alert IS NOT NULL";
        cmd.Parameters.AddWithValue("$id", eventId);
        return cmd.ExecuteScalar() is not null;
    }

    /// <summary>
    /// Whether <paramref name="crop"/> is the crop of a read the console still keeps for that camera (and, with
    /// <paramref name="alertsOnly"/>, of one that raised an alert): a deleted read's crop is not relayed any more.
    /// </summary>
    public bool HasCrop(string agent, string camera, string crop, bool alertsOnly)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT 1 FROM plate_reads WHERE agent = $agent AND camera = $camera AND crop = $crop{(alertsOnly ? " AND alert IS NOT NULL" : "")} LIMIT 1";
        cmd.Parameters.AddWithValue("$agent", agent);
        cmd.Parameters.AddWithValue("$camera", camera);
        cmd.Parameters.AddWithValue("$crop", crop);
        return cmd.ExecuteScalar() is not null;
    }

    private const string Columns = """
        p.event_id, p.agent, p.camera, p.time_ms, p.text, p.plate, p.confidence, p.crop, p.class, p.direction, p.status, p.matched, p.alert,
        a.by_user, a.time_ms, a.note
        """;

    private static List<PlateRead> ReadAll(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<PlateRead>();
        while (r.Read())
        {
            list.Add(new PlateRead(
                r.GetString(0), r.GetString(1), r.GetString(2), UtcTime.FromMs(r.GetInt64(3)), r.GetString(4), r.GetString(5), r.GetDouble(6),
                r.IsDBNull(7) ? null : r.GetString(7), r.GetString(8), r.GetString(9), r.GetString(10), r.GetString(11),
                r.IsDBNull(12) ? null : r.GetString(12),
                r.IsDBNull(13) ? null : new Acknowledgement(r.GetString(13), UtcTime.FromMs(r.GetInt64(14)), r.GetString(15))));
        }

        return list;
    }
}
