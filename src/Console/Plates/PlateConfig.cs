using System.Globalization;
using GateWatch.Central.Data;
using Microsoft.Data.Sqlite;

namespace GateWatch.Central.Plates;

/// <summary>
/// The admin's plate settings. <see cref="MaxDistance"/>: how many characters a read may be off a list entry and
/// still match it. <see cref="TimeZone"/>: the gates' own time zone, in which a visitor's day and an allowed
/// vehicle's validity dates are meant (the console otherwise speaks UTC, but "expected on 1 March" means the
/// gate's 1 March: at UTC+7 a visitor at 06:30 arrives on the UTC day before).
/// </summary>
internal sealed record PlateSettings(int MaxDistance, string TimeZone)
{
    public const int DefaultMaxDistance = 1;

    /// <summary>Beyond 3 nearly every plate of the same length matches every other.</summary>
    public const int MostDistance = 3;

    public static readonly PlateSettings Default = new(DefaultMaxDistance, "UTC");

    /// <summary>The gate's day at <paramref name="time"/>.</summary>
    public DateOnly DayAt(DateTimeOffset time) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time, Zone(TimeZone) ?? TimeZoneInfo.Utc).DateTime);

    /// <summary>The zone an IANA id names, or null (checked as the park's clock checks it).</summary>
    public static TimeZoneInfo? Zone(string id) => ParkClock.TryFind(id, out var zone) ? zone : null;
}

/// <summary>A camera's gate policy as set, with who set it.</summary>
internal sealed record CameraPolicy(string Agent, string Camera, string Policy, string SetBy, DateTimeOffset Set);

/// <summary>Plate settings and the cameras' gate policies in the console's database.</summary>
internal sealed class PlateConfig(ConsoleDb db)
{
    private const string MaxDistanceKey = "maxDistance";
    private const string TimeZoneKey = "timeZone";

    public PlateSettings Settings()
    {
        using var c = db.Open();
        return Settings(c, null);
    }

    public static PlateSettings Settings(SqliteConnection c, SqliteTransaction? tx)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT key, value FROM plate_settings";
        using var r = cmd.ExecuteReader();
        var s = PlateSettings.Default;
        while (r.Read())
        {
            s = r.GetString(0) switch
            {
                MaxDistanceKey => s with { MaxDistance = int.Parse(r.GetString(1), CultureInfo.InvariantCulture) },
                TimeZoneKey => s with { TimeZone = r.GetString(1) },
                _ => s,
            };
        }

        return s;
    }

    /// <summary>Stores the settings (already checked); returns what was before.</summary>
    public PlateSettings Set(PlateSettings settings, string by, DateTimeOffset now)
    {
        using var c = db.Open();
        using var tx = c.BeginTransaction();
        var before = Settings(c, tx);
        foreach (var (key, value) in new[] { (MaxDistanceKey, settings.MaxDistance.ToString(CultureInfo.InvariantCulture)), (TimeZoneKey, settings.TimeZone) })
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO plate_settings (key, value, set_by, set_ms) VALUES ($key, $value, $by, $now)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_ms = excluded.set_ms
                """;
            cmd.Parameters.AddWithValue("$key", key);
            cmd.Parameters.AddWithValue("$value", value);
            cmd.Parameters.AddWithValue("$by", by);
            cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
        return before;
    }

    public IReadOnlyList<CameraPolicy> Policies()
    {
        using var c = db.Open();
        return Policies(c, null);
    }

    public static List<CameraPolicy> Policies(SqliteConnection c, SqliteTransaction? tx)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT agent, camera, policy, set_by, set_ms FROM plate_policies ORDER BY agent, camera";
        using var r = cmd.ExecuteReader();
        var list = new List<CameraPolicy>();
        while (r.Read())
        {
            list.Add(new CameraPolicy(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), UtcTime.FromMs(r.GetInt64(4))));
        }

        return list;
    }

    /// <summary>Sets a camera's policy (already checked); returns the one before (log when none was set).</summary>
    public string SetPolicy(string agent, string camera, string policy, string by, DateTimeOffset now)
    {
        using var c = db.Open();
        using var tx = c.BeginTransaction();
        var before = Policies(c, tx).FirstOrDefault(p => p.Agent == agent && p.Camera == camera)?.Policy ?? GatePolicy.Log;
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO plate_policies (agent, camera, policy, set_by, set_ms) VALUES ($agent, $camera, $policy, $by, $now)
            ON CONFLICT (agent, camera) DO UPDATE SET policy = excluded.policy, set_by = excluded.set_by, set_ms = excluded.set_ms
            """;
        cmd.Parameters.AddWithValue("$agent", agent);
        cmd.Parameters.AddWithValue("$camera", camera);
        cmd.Parameters.AddWithValue("$policy", policy);
        cmd.Parameters.AddWithValue("$by", by);
        cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        cmd.ExecuteNonQuery();
        tx.Commit();
        return before;
    }
}
