using System.Globalization;

namespace GateWatch.Central;

/// <summary>A time zone the console does not know; the message names what was asked for.</summary>
internal sealed class UnknownTimeZoneException(string message) : Exception(message);

/// <summary>
/// The park's wall clock: its IANA time zone, for everything a person reads as a day, an hour or a shift.
/// Stored times stay UTC; only the grouping and the showing go through here, so a 23- or a 25-hour day
/// (a clock change) is a day all the same.
/// </summary>
internal sealed class ParkClock
{
    /// <summary>Where GateWatch's parks are: Vietnam has had no clock changes since 1975.</summary>
    public const string DefaultZone = "Asia/Ho_Chi_Minh";

    public ParkClock(TimeZoneInfo zone) => Zone = zone;

    public TimeZoneInfo Zone { get; }

    public string Id => Zone.Id;

    /// <summary>The zone named by its IANA id ("Europe/Berlin"); "UTC" is one too. Refuses Windows names and typos.</summary>
    public static ParkClock For(string id)
    {
        if (!LooksLikeZone(id))
        {
            throw new UnknownTimeZoneException($"'{Short(id)}' is not an IANA time zone name such as {DefaultZone} or Europe/Berlin");
        }

        return TryFind(id, out var zone)
            ? new ParkClock(zone)
            : throw new UnknownTimeZoneException($"'{id}' is not a time zone this machine knows (IANA names such as {DefaultZone} or Europe/Berlin; Debian's tzdata holds them)");
    }

    /// <summary>
    /// The zone an IANA id names. The id is checked for its shape first: it becomes a file path under the system's
    /// zoneinfo folder, so "../" and the like never reach it.
    /// </summary>
    public static bool TryFind(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        return LooksLikeZone(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id!, out zone!);
    }

    private static bool LooksLikeZone(string? id) =>
        !string.IsNullOrWhiteSpace(id) && id.Length <= 64 && !id.Contains("..", StringComparison.Ordinal)
        && char.IsAsciiLetter(id[0]) && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '-' or '+');

    /// <summary>The instant as the park's clock shows it, with the offset in force then.</summary>
    public DateTimeOffset Local(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, Zone);

    public DateOnly Day(DateTimeOffset t) => DateOnly.FromDateTime(Local(t).DateTime);

    /// <summary>
    /// The instant the park's clock shows <paramref name="time"/> on <paramref name="day"/>. A time the clock skips
    /// (spring forward) is the instant the clock jumps; a time it shows twice (fall back) is its first showing.
    /// </summary>
    public DateTimeOffset At(DateOnly day, TimeOnly time)
    {
        var wall = day.ToDateTime(time, DateTimeKind.Unspecified);
        if (Zone.IsInvalidTime(wall))
        {
            // The skipped hour: the first minute the clock shows after it is the instant it jumped.
            var probe = wall;
            while (Zone.IsInvalidTime(probe))
            {
                probe = probe.AddMinutes(1);
            }

            return new DateTimeOffset(probe, Zone.GetUtcOffset(probe));
        }

        var offset = Zone.IsAmbiguousTime(wall) ? Zone.GetAmbiguousTimeOffsets(wall).Max() : Zone.GetUtcOffset(wall);
        return new DateTimeOffset(wall, offset);
    }

    public DateTimeOffset StartOfDay(DateOnly day) => At(day, TimeOnly.MinValue);

    /// <summary>How long the park's day is: 24 h but on the days the clock changes.</summary>
    public TimeSpan DayLength(DateOnly day) => StartOfDay(day.AddDays(1)) - StartOfDay(day);

    /// <summary>The start of the park's hour holding t; the repeated hour of a fall-back night is an hour of its own.</summary>
    public DateTimeOffset StartOfHour(DateTimeOffset t)
    {
        var local = Local(t);
        return new DateTimeOffset(local.Year, local.Month, local.Day, local.Hour, 0, 0, local.Offset);
    }

    /// <summary>"2026-12-01T21:16:00+07:00": the park's wall time with its offset, for CSV and the API.</summary>
    public string Format(DateTimeOffset t) => Local(t).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>"UTC+07:00" at the instant given.</summary>
    public string OffsetName(DateTimeOffset t)
    {
        var off = Zone.GetUtcOffset(t);
        return "UTC" + (off < TimeSpan.Zero ? "-" : "+") + off.ToString(@"hh\:mm", CultureInfo.InvariantCulture);
    }

    private static string Short(string? s) => s is null ? "" : s.Length > 40 ? s[..40] + "..." : s;
}
