using System.Globalization;
using System.Text;
using GateWatch.Central.Alerts;
using GateWatch.Central.Data;
using GateWatch.Central.Shifts;
using GateWatch.Central.Users;
using Microsoft.Data.Sqlite;

namespace GateWatch.Central.Statistics;

/// <summary>
/// Entries, exits, alerts (plate alerts included) and crowd peaks per hour, day or shift of the park's clock, for reviewers, as JSON or CSV. The database groups and counts;
/// the events themselves are never loaded, so a year of a busy gate costs one index scan.
/// </summary>
internal static class StatisticsEndpoints
{
    /// <summary>A year and a leap day: enough to compare one year with the last, bounded all the same.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(366);

    public static readonly TimeSpan DefaultRange = TimeSpan.FromDays(7);

    private sealed record Query(DateTimeOffset From, DateTimeOffset To, Buckets Buckets, bool Csv);

    public static WebApplication MapStatistics(this WebApplication app)
    {
        var stats = app.MapGroup("/api/stats").RequireAuthorization(Rights.Statistics);
        stats.MapGet("/crossings", (string? from, string? to, string? bucket, string? format, ConsoleDb db, ParkClock clock, ShiftStore shifts, TimeProvider time) =>
            Parse(from, to, bucket, format, clock, shifts, time, out var q) is { } bad ? bad : Crossings(db, q!));
        stats.MapGet("/alerts", (string? from, string? to, string? bucket, string? format, ConsoleDb db, ParkClock clock, ShiftStore shifts, TimeProvider time) =>
            Parse(from, to, bucket, format, clock, shifts, time, out var q) is { } bad ? bad : Alerts(db, q!));
        stats.MapGet("/crowd", (string? from, string? to, string? bucket, string? format, ConsoleDb db, ParkClock clock, ShiftStore shifts, TimeProvider time) =>
            Parse(from, to, bucket, format, clock, shifts, time, out var q) is { } bad ? bad : Crowd(db, q!));
        // The periods of a range, the empty ones too, so a chart's axis is the park's hours, days or shifts.
        stats.MapGet("/buckets", (string? from, string? to, string? bucket, ParkClock clock, ShiftStore shifts, TimeProvider time) =>
            Parse(from, to, bucket, null, clock, shifts, time, out var q) is { } bad ? bad
                : Results.Json(q!.Buckets.Between(q.From, q.To).Select(b => Wire(q, b)).Select(w => new { bucket = w.Utc, end = w.End, local = w.Local, shift = w.Shift })));
        return app;
    }

    /// <summary>A bucket as the API gives it: its start in UTC and on the park's clock, its end, and its shift.</summary>
    private sealed record BucketWire(string Utc, string End, string Local, string? Shift);

    private static BucketWire Wire(Query q, Bucket b) =>
        new(UtcTime.Format(b.Start), UtcTime.Format(b.End), q.Buckets.Clock.Format(b.Start), b.Shift);

    /// <summary>The CSV's first columns: the bucket on the park's clock and in UTC (and its shift when per shift).</summary>
    private static string BucketHeader(Query q) => q.Buckets.Kind == BucketKind.Shift ? "bucket_local,bucket_utc,shift" : "bucket_local,bucket_utc";

    private static string[] BucketFields(Query q, BucketWire w) => q.Buckets.Kind == BucketKind.Shift ? [w.Local, w.Utc, w.Shift ?? ""] : [w.Local, w.Utc];

    private static IResult Crossings(ConsoleDb db, Query q)
    {
        using var c = db.Open();
        using var cmd = Command(c, q, """
            SELECT (e.time_ms / $grain) * $grain AS g, e.agent, COALESCE(a.name, e.agent), e.camera,
                   COALESCE(json_extract(e.data, '$.class'), 'unknown') AS cls,
                   SUM(CASE WHEN json_extract(e.data, '$.direction') = 'in' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN json_extract(e.data, '$.direction') = 'out' THEN 1 ELSE 0 END)
            FROM events e LEFT JOIN agents a ON a.id = e.agent
            WHERE e.type = 'crossing' AND e.time_ms >= $from AND e.time_ms < $to
            GROUP BY g, e.agent, e.camera, cls
            """);
        using var r = cmd.ExecuteReader();
        var sums = new Dictionary<(DateTimeOffset, string, string, string), (Bucket Bucket, string AgentName, long In, long Out)>();
        while (r.Read())
        {
            var b = q.Buckets.OfGrain(r.GetInt64(0));
            var key = (b.Start, r.GetString(1), r.GetString(3), Convert.ToString(r.GetValue(4), CultureInfo.InvariantCulture) ?? "");
            var was = sums.GetValueOrDefault(key, (b, r.GetString(2), 0, 0));
            sums[key] = (b, was.AgentName, was.In + r.GetInt64(5), was.Out + r.GetInt64(6));
        }

        var rows = sums.OrderBy(x => x.Key.Item1).ThenBy(x => x.Key.Item2, StringComparer.Ordinal).ThenBy(x => x.Key.Item3, StringComparer.Ordinal)
            .ThenBy(x => x.Key.Item4, StringComparer.Ordinal)
            .Select(x => (Bucket: Wire(q, x.Value.Bucket), Agent: x.Key.Item2, x.Value.AgentName, Camera: x.Key.Item3, Class: x.Key.Item4, x.Value.In, x.Value.Out)).ToList();
        return q.Csv
            ? Csv(q, "crossings", BucketHeader(q) + ",agent,camera,class,entries,exits",
                rows.Select(x => Line([.. BucketFields(q, x.Bucket), x.Agent, x.Camera, x.Class, Num(x.In), Num(x.Out)])))
            : Results.Json(rows.Select(x => new
            {
                agent = x.Agent, agentName = x.AgentName, camera = x.Camera, bucket = x.Bucket.Utc, local = x.Bucket.Local, shift = x.Bucket.Shift,
                @class = x.Class, @in = x.In, @out = x.Out,
            }));
    }

    private static IResult Alerts(ConsoleDb db, Query q)
    {
        using var c = db.Open();
        // Plate alerts live with their reads (and go with them at the end of the retention period).
        using var cmd = Command(c, q, $"""
            SELECT (time_ms / $grain) * $grain AS g, agent, camera, type, COUNT(*)
            FROM (
                SELECT time_ms, agent, camera, type FROM events
                WHERE type IN ('{string.Join("', '", AlertEndpoints.Types)}') AND time_ms >= $from AND time_ms < $to
                UNION ALL
                SELECT time_ms, agent, camera, alert FROM plate_reads
                WHERE alert IS NOT NULL AND time_ms >= $from AND time_ms < $to)
            GROUP BY g, agent, camera, type
            """);
        using var r = cmd.ExecuteReader();
        var sums = new Dictionary<(DateTimeOffset, string, string, string), (Bucket Bucket, long Count)>();
        while (r.Read())
        {
            var b = q.Buckets.OfGrain(r.GetInt64(0));
            var key = (b.Start, r.GetString(1), r.GetString(2), r.GetString(3));
            sums[key] = (b, sums.GetValueOrDefault(key).Count + r.GetInt64(4));
        }

        var rows = sums.OrderBy(x => x.Key.Item1).ThenBy(x => x.Key.Item2, StringComparer.Ordinal).ThenBy(x => x.Key.Item3, StringComparer.Ordinal)
            .ThenBy(x => x.Key.Item4, StringComparer.Ordinal)
            .Select(x => (Bucket: Wire(q, x.Value.Bucket), Agent: x.Key.Item2, Camera: x.Key.Item3, Type: x.Key.Item4, x.Value.Count)).ToList();
        return q.Csv
            ? Csv(q, "alerts", BucketHeader(q) + ",agent,camera,type,count", rows.Select(x => Line([.. BucketFields(q, x.Bucket), x.Agent, x.Camera, x.Type, Num(x.Count)])))
            : Results.Json(rows.Select(x => new { bucket = x.Bucket.Utc, local = x.Bucket.Local, shift = x.Bucket.Shift, agent = x.Agent, camera = x.Camera, type = x.Type, count = x.Count }));
    }

    /// <summary>
    /// The most people each zone held per bucket (from the agents' minute peaks), and its highest density estimate:
    /// how big the gatherings at each gate got, hour by hour. A zone with nobody in it sends nothing, so has no row.
    /// </summary>
    private static IResult Crowd(ConsoleDb db, Query q)
    {
        using var c = db.Open();
        using var cmd = Command(c, q, $"""
            SELECT (e.time_ms / $grain) * $grain AS g, e.agent, COALESCE(a.name, e.agent), e.camera,
                   COALESCE(json_extract(e.data, '$.zone'), '') AS zone,
                   MAX(COALESCE(json_extract(e.data, '$.peak'), 0)), MAX(json_extract(e.data, '$.estimate'))
            FROM events e LEFT JOIN agents a ON a.id = e.agent
            WHERE e.type = '{Agents.EventIngest.ZonePeak}' AND e.time_ms >= $from AND e.time_ms < $to
            GROUP BY g, e.agent, e.camera, zone
            """);
        using var r = cmd.ExecuteReader();
        var peaks = new Dictionary<(DateTimeOffset, string, string, string), (Bucket Bucket, string AgentName, long Peak, double? Estimate)>();
        while (r.Read())
        {
            var b = q.Buckets.OfGrain(r.GetInt64(0));
            var key = (b.Start, r.GetString(1), r.GetString(3), Convert.ToString(r.GetValue(4), CultureInfo.InvariantCulture) ?? "");
            var peak = Convert.ToInt64(r.GetValue(5), CultureInfo.InvariantCulture);
            double? estimate = r.IsDBNull(6) ? null : Convert.ToDouble(r.GetValue(6), CultureInfo.InvariantCulture);
            if (peaks.TryGetValue(key, out var was))
            {
                peak = Math.Max(peak, was.Peak);
                estimate = was.Estimate is { } w && (estimate is null || w > estimate) ? w : estimate;
            }

            peaks[key] = (b, r.GetString(2), peak, estimate);
        }

        var rows = peaks.OrderBy(x => x.Key.Item1).ThenBy(x => x.Key.Item2, StringComparer.Ordinal).ThenBy(x => x.Key.Item3, StringComparer.Ordinal)
            .ThenBy(x => x.Key.Item4, StringComparer.Ordinal)
            .Select(x => (Bucket: Wire(q, x.Value.Bucket), Agent: x.Key.Item2, x.Value.AgentName, Camera: x.Key.Item3, Zone: x.Key.Item4, x.Value.Peak,
                Estimate: x.Value.Estimate is { } e ? Math.Round(e, 1) : (double?)null)).ToList();
        return q.Csv
            ? Csv(q, "crowd", BucketHeader(q) + ",agent,camera,zone,peak_people,peak_estimate", rows.Select(x => Line([
                .. BucketFields(q, x.Bucket), x.Agent, x.Camera, x.Zone, Num(x.Peak), x.Estimate is { } e ? e.ToString("0.0", CultureInfo.InvariantCulture) : ""])))
            : Results.Json(rows.Select(x => new
            {
                bucket = x.Bucket.Utc, local = x.Bucket.Local, shift = x.Bucket.Shift, agent = x.Agent, agentName = x.AgentName, camera = x.Camera,
                zone = x.Zone, peak = x.Peak, estimate = x.Estimate,
            }));
    }

    private static SqliteCommand Command(SqliteConnection c, Query q, string sql)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$grain", Buckets.GrainMs);
        cmd.Parameters.AddWithValue("$from", q.From.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$to", q.To.ToUnixTimeMilliseconds());
        return cmd;
    }

    /// <summary>
    /// A time of the query string: an ISO 8601 instant, or a date alone, which is that day's midnight on the park's
    /// clock (what a person means by "from 1 March").
    /// </summary>
    private static bool TryTime(string text, ParkClock clock, out DateTimeOffset t)
    {
        if (text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            t = clock.StartOfDay(day);
            return true;
        }

        return UtcTime.TryParse(text, out t);
    }

    /// <summary>The query string checked; null when it is fine, else the 400 that says what is wrong.</summary>
    private static IResult? Parse(string? from, string? to, string? bucket, string? format, ParkClock clock, ShiftStore shifts, TimeProvider time, out Query? query)
    {
        query = null;
        var now = time.GetUtcNow();
        DateTimeOffset f = default, t = now;
        if (from is not null && !TryTime(from, clock, out f))
        {
            return Bad($"from: '{Short(from)}' is not an ISO 8601 time or day; send e.g. 2026-03-01T00:00:00Z, or 2026-03-01 for that day's start in {clock.Id}");
        }

        if (to is not null && !TryTime(to, clock, out t))
        {
            return Bad($"to: '{Short(to)}' is not an ISO 8601 time or day; send e.g. 2026-03-08T00:00:00Z, or 2026-03-08 for that day's start in {clock.Id}");
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

        BucketKind? kind = (bucket ?? "hour") switch
        {
            "hour" => BucketKind.Hour,
            "day" => BucketKind.Day,
            "shift" => BucketKind.Shift,
            _ => null,
        };
        if (kind is null)
        {
            return Bad($"bucket: '{Short(bucket!)}' is unknown; use hour, day or shift");
        }

        if (format is not (null or "json" or "csv"))
        {
            return Bad($"format: '{Short(format)}' is unknown; use csv, or leave it out for JSON");
        }

        query = new Query(f, t, new Buckets(kind.Value, clock, shifts.Plan()), format == "csv");
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

    private static string Line(params string[] fields) => Plates.PlateCsv.Line(fields);

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static IResult Bad(string detail) => Results.Problem(statusCode: 400, detail: detail);

    private static string Short(string s) => s.Length > 40 ? s[..40] + "..." : s;
}
