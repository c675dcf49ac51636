using System.Globalization;
using System.Text;
using GateWatch.Central.Alerts;
using GateWatch.Central.Data;
using GateWatch.Central.Users;
using Microsoft.Data.Sqlite;

namespace GateWatch.Central.Statistics;

/// <summary>
/// Entries, exits, alerts (plate alerts included) and crowd peaks per hour or day, for reviewers, as JSON or CSV. The database groups and counts;
/// the events themselves are never loaded, so a year of a busy gate costs one index scan.
/// </summary>
internal static class StatisticsEndpoints
{
    /// <summary>A year and a leap day: enough to compare one year with the last, bounded all the same.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(366);

    public static readonly TimeSpan DefaultRange = TimeSpan.FromDays(7);

    private const long HourMs = 3_600_000;
    private const long DayMs = 86_400_000;

    private sealed record Query(DateTimeOffset From, DateTimeOffset To, long BucketMs, bool Csv);

    public static WebApplication MapStatistics(this WebApplication app)
    {
        var stats = app.MapGroup("/api/stats").RequireAuthorization(Rights.Statistics);
        stats.MapGet("/crossings", (string? from, string? to, string? bucket, string? format, ConsoleDb db, TimeProvider time) =>
            Parse(from, to, bucket, format, time, out var q) is { } bad ? bad : Crossings(db, q!));
        stats.MapGet("/alerts", (string? from, string? to, string? bucket, string? format, ConsoleDb db, TimeProvider time) =>
            Parse(from, to, bucket, format, time, out var q) is { } bad ? bad : Alerts(db, q!));
        stats.MapGet("/crowd", (string? from, string? to, string? bucket, string? format, ConsoleDb db, TimeProvider time) =>
            Parse(from, to, bucket, format, time, out var q) is { } bad ? bad : Crowd(db, q!));
        return app;
    }

    private static IResult Crossings(ConsoleDb db, Query q)
    {
        using var c = db.Open();
        using var cmd = Command(c, q, """
            SELECT (e.time_ms / $bucket) * $bucket AS b, e.agent, COALESCE(a.name, e.agent), e.camera,
                   COALESCE(json_extract(e.data, '$.class'), 'unknown') AS cls,
                   SUM(CASE WHEN json_extract(e.data, '$.direction') = 'in' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN json_extract(e.data, '$.direction') = 'out' THEN 1 ELSE 0 END)
            FROM events e LEFT JOIN agents a ON a.id = e.agent
            WHERE e.type = 'crossing' AND e.time_ms >= $from AND e.time_ms < $to
            GROUP BY b, e.agent, e.camera, cls
            ORDER BY b, e.agent, e.camera, cls
            """);
        using var r = cmd.ExecuteReader();
        var rows = new List<(string Bucket, string Agent, string AgentName, string Camera, string Class, long In, long Out)>();
        while (r.Read())
        {
            rows.Add((UtcTime.Format(UtcTime.FromMs(r.GetInt64(0))), r.GetString(1), r.GetString(2), r.GetString(3),
                Convert.ToString(r.GetValue(4), CultureInfo.InvariantCulture) ?? "", r.GetInt64(5), r.GetInt64(6)));
        }

        return q.Csv
            ? Csv(q, "crossings", "bucket_utc,agent,camera,class,entries,exits", rows.Select(x => Line(x.Bucket, x.Agent, x.Camera, x.Class, Num(x.In), Num(x.Out))))
            : Results.Json(rows.Select(x => new { agent = x.Agent, agentName = x.AgentName, camera = x.Camera, bucket = x.Bucket, @class = x.Class, @in = x.In, @out = x.Out }));
    }

    private static IResult Alerts(ConsoleDb db, Query q)
    {
        using var c = db.Open();
        // Plate alerts live with their reads (and go with them at the end of the retention period).
        using var cmd = Command(c, q, $"""
            SELECT (time_ms / $bucket) * $bucket AS b, agent, camera, type, COUNT(*)
            FROM (
                SELECT time_ms, agent, camera, type FROM events
                WHERE type IN ('{string.Join("', '", AlertEndpoints.Types)}') AND time_ms >= $from AND time_ms < $to
                UNION ALL
                SELECT time_ms, agent, camera, alert FROM plate_reads
                WHERE alert IS NOT NULL AND time_ms >= $from AND time_ms < $to)
            GROUP BY b, agent, camera, type
            ORDER BY b, agent, camera, type
            """);
        using var r = cmd.ExecuteReader();
        var rows = new List<(string Bucket, string Agent, string Camera, string Type, long Count)>();
        while (r.Read())
        {
            rows.Add((UtcTime.Format(UtcTime.FromMs(r.GetInt64(0))), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4)));
        }

        return q.Csv
            ? Csv(q, "alerts", "bucket_utc,agent,camera,type,count", rows.Select(x => Line(x.Bucket, x.Agent, x.Camera, x.Type, Num(x.Count))))
            : Results.Json(rows.Select(x => new { bucket = x.Bucket, agent = x.Agent, camera = x.Camera, type = x.Type, count = x.Count }));
    }

    /// <summary>
    /// The most people each zone held per bucket (from the agents' minute peaks), and its highest density estimate:
    /// how big the gatherings at each gate got, hour by hour. A zone with nobody in it sends nothing, so has no row.
    /// </summary>
    private static IResult Crowd(ConsoleDb db, Query q)
    {
        using var c = db.Open();
        using var cmd = Command(c, q, $"""
            SELECT (e.time_ms / $bucket) * $bucket AS b, e.agent, COALESCE(a.name, e.agent), e.camera,
                   COALESCE(json_extract(e.data, '$.zone'), '') AS zone,
                   MAX(COALESCE(json_extract(e.data, '$.peak'), 0)), MAX(json_extract(e.data, '$.estimate'))
            FROM events e LEFT JOIN agents a ON a.id = e.agent
            WHERE e.type = '{Agents.EventIngest.ZonePeak}' AND e.time_ms >= $from AND e.time_ms < $to
            GROUP BY b, e.agent, e.camera, zone
            ORDER BY b, e.agent, e.camera, zone
            """);
        using var r = cmd.ExecuteReader();
        var rows = new List<(string Bucket, string Agent, string AgentName, string Camera, string Zone, long Peak, double? Estimate)>();
        while (r.Read())
        {
            rows.Add((UtcTime.Format(UtcTime.FromMs(r.GetInt64(0))), r.GetString(1), r.GetString(2), r.GetString(3),
                Convert.ToString(r.GetValue(4), CultureInfo.InvariantCulture) ?? "", Convert.ToInt64(r.GetValue(5), CultureInfo.InvariantCulture),
                r.IsDBNull(6) ? null : Math.Round(Convert.ToDouble(r.GetValue(6), CultureInfo.InvariantCulture), 1)));
        }

        return q.Csv
            ? Csv(q, "crowd", "bucket_utc,agent,camera,zone,peak_people,peak_estimate", rows.Select(x => Line(
                x.Bucket, x.Agent, x.Camera, x.Zone, Num(x.Peak), x.Estimate is { } e ? e.ToString("0.0", CultureInfo.InvariantCulture) : "")))
            : Results.Json(rows.Select(x => new { bucket = x.Bucket, agent = x.Agent, agentName = x.AgentName, camera = x.Camera, zone = x.Zone, peak = x.Peak, estimate = x.Estimate }));
    }

    private static SqliteCommand Command(SqliteConnection c, Query q, string sql)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$bucket", q.BucketMs);
        cmd.Parameters.AddWithValue("$from", q.From.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$to", q.To.ToUnixTimeMilliseconds());
        return cmd;
    }

    /// <summary>The query string checked; null when it is fine, else the 400 that says what is wrong.</summary>
    private static IResult? Parse(string? from, string? to, string? bucket, string? format, TimeProvider time, out Query? query)
    {
        query = null;
        var now = time.GetUtcNow();
        DateTimeOffset f = default, t = now;
        if (from is not null && !UtcTime.TryParse(from, out f))
        {
            return Bad($"from: '{Short(from)}' is not an ISO 8601 time; send e.g. 2026-03-01T00:00:00Z");
        }

        if (to is not null && !UtcTime.TryParse(to, out t))
        {
            return Bad($"to: '{Short(to)}' is not an ISO 8601 time; send e.g. 2026-03-08T00:00:00Z");
        }

        if (from is null)
        {
            f = t - DefaultRange;
        }

        if (t <= f)
        {
            return Bad($"the range {UtcTime.Format(f)} to {UtcTime.Format(t)} is empty or reversed: 'from' must be before 'to'");
        }

        if (t - f > MaxRange)
        {
            return Bad($"the range is {(t - f).TotalDays:0.#} days; at most {MaxRange.TotalDays:0} days at a time");
        }

        long? bucketMs = (bucket ?? "hour") switch
        {
            "hour" => HourMs,
            "day" => DayMs,
            _ => null,
        };
        if (bucketMs is null)
        {
            return Bad($"bucket: '{Short(bucket!)}' is unknown; use hour or day");
        }

        if (format is not (null or "json" or "csv"))
        {
            return Bad($"format: '{Short(format)}' is unknown; use csv, or leave it out for JSON");
        }

        query = new Query(f, t, bucketMs.Value, format == "csv");
        return null;
    }

    private static IResult Csv(Query q, string what, string header, IEnumerable<string> lines)
    {
        var text = new StringBuilder(header).Append('\n');
        foreach (var line in lines)
        {
            text.Append(line).Append('\n');
        }

        return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8",
            $"gatewatch-{what}-{UtcTime.Compact(q.From)}-{UtcTime.Compact(q.To)}.csv");
    }

    private static string Line(params string[] fields) => string.Join(',', fields.Select(Field));

    /// <summary>
    /// RFC 4180 quoting, and a leading apostrophe on what a spreadsheet would run as a formula: an agent's
    /// class names reach the file, and a file from the console must not make Excel compute anything.
    /// </summary>
    private static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static IResult Bad(string detail) => Results.Problem(statusCode: 400, detail: detail);

    private static string Short(string s) => s.Length > 40 ? s[..40] + "..." : s;
}
