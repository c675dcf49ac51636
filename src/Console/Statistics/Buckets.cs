using GateWatch.Central.Shifts;

namespace GateWatch.Central.Statistics;

internal enum BucketKind
{
    Hour,
    Day,
    Shift,
}

/// <summary>One period of a chart: an hour, a day or a shift of the park's clock; Shift names it for shift buckets.</summary>
internal sealed record Bucket(DateTimeOffset Start, DateTimeOffset End, string? Shift);

/// <summary>
/// Which hour, day or shift of the park's clock an instant falls in. The database groups events by quarter hour of
/// UTC and the quarters are folded here: every zone's offset, every clock change and every shift boundary falls on a
/// quarter hour, so a quarter never straddles two periods, and the zone's rules live in one place (TimeZoneInfo), not
/// in SQL.
/// </summary>
internal sealed class Buckets(BucketKind kind, ParkClock clock, ShiftPlan plan)
{
    public const long GrainMs = 15 * 60_000;

    private readonly Dictionary<long, Bucket> _byGrain = [];

    public BucketKind Kind => kind;

    public ParkClock Clock => clock;

    public Bucket Of(DateTimeOffset t) => kind switch
    {
        BucketKind.Hour => Hour(t),
        BucketKind.Day => Day(clock.Day(t)),
        _ => plan.Find(t, clock) is var s ? new Bucket(s.Start, s.End, s.Shift.Name) : null!,
    };

    /// <summary>The bucket of a quarter hour the database grouped by (its start in Unix ms).</summary>
    public Bucket OfGrain(long grainMs)
    {
        if (!_byGrain.TryGetValue(grainMs, out var b))
        {
            b = Of(DateTimeOffset.FromUnixTimeMilliseconds(grainMs));
            _byGrain[grainMs] = b;
        }

        return b;
    }

    /// <summary>Every bucket that overlaps [from, to), in order, the empty ones too: a chart's x axis.</summary>
    public IEnumerable<Bucket> Between(DateTimeOffset from, DateTimeOffset to)
    {
        for (var b = Of(from); b.Start < to; b = Of(b.End))
        {
            yield return b;
        }
    }

    private Bucket Hour(DateTimeOffset t)
    {
        var start = clock.StartOfHour(t);
        return new Bucket(start, start.AddHours(1), null);
    }

    private Bucket Day(DateOnly d) => new(clock.StartOfDay(d), clock.StartOfDay(d.AddDays(1)), null);
}
