using System.Globalization;

namespace GateWatch.Central.Shifts;

/// <summary>A shift as the admin sets it: a name and its hours on the park's clock; End before Start crosses midnight.</summary>
internal sealed record Shift(string Name, TimeOnly Start, TimeOnly End)
{
    public string Hours => $"{Hhmm(Start)}-{Hhmm(End)}";

    public static string Hhmm(TimeOnly t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);
}

/// <summary>One shift on one day: the night shift of 1 December runs from 1 December 22:00 to 2 December 06:00.</summary>
internal sealed record ShiftSpan(Shift Shift, DateOnly Day, DateTimeOffset Start, DateTimeOffset End);

/// <summary>A plan the admin cannot save as given; the message names the shifts and hours that are wrong.</summary>
internal sealed class ShiftPlanException(string message) : Exception(message);

/// <summary>
/// The park's shifts: together they cover the day exactly once, so every crossing and every alert belongs to one
/// shift and a day's shift figures add up to the day's. Hours are on the quarter hour: the statistics group time
/// in quarter hours, and every zone's offset from UTC is a whole number of them.
/// </summary>
internal sealed class ShiftPlan
{
    public const int MaxShifts = 12;

    public const int MaxName = 40;

    private const int DayMinutes = 24 * 60;

    private ShiftPlan(IReadOnlyList<Shift> shifts) => Shifts = shifts;

    public IReadOnlyList<Shift> Shifts { get; }

    /// <summary>Checks a plan; throws <see cref="ShiftPlanException"/> saying which shift or which hours are wrong.</summary>
    public static ShiftPlan Create(IReadOnlyList<Shift> shifts)
    {
        if (shifts.Count is 0 or > MaxShifts)
        {
            throw new ShiftPlanException($"a plan has 1 to {MaxShifts} shifts; this one has {shifts.Count}");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in shifts)
        {
            if (s.Name.Length is 0 or > MaxName || s.Name.Any(char.IsControl) || s.Name.Trim() != s.Name)
            {
                throw new ShiftPlanException($"shift '{Short(s.Name)}': a name is 1 to {MaxName} printable characters without spaces at either end");
            }

            if (!names.Add(s.Name))
            {
                throw new ShiftPlanException($"shift '{s.Name}' is named twice");
            }

            foreach (var t in new[] { s.Start, s.End })
            {
                if (t.Minute % 15 != 0 || t.Second != 0 || t.Millisecond != 0)
                {
                    throw new ShiftPlanException($"shift '{s.Name}': {t:HH:mm:ss} is not on the quarter hour (use e.g. 06:00, 13:45)");
                }
            }

            if (s.Start == s.End && shifts.Count > 1)
            {
                throw new ShiftPlanException($"shift '{s.Name}' starts and ends at {Shift.Hhmm(s.Start)}: a whole-day shift leaves no time for the others");
            }
        }

        // Minute by minute, who holds it: the plain way to name the very hours that overlap or that nobody holds.
        var owner = new int[DayMinutes];
        Array.Fill(owner, -1);
        for (var i = 0; i < shifts.Count; i++)
        {
            var minutes = Minutes(shifts[i]).ToArray();
            for (var k = 0; k < minutes.Length; k++)
            {
                var other = owner[minutes[k]];
                if (other >= 0)
                {
                    var end = k;
                    while (end < minutes.Length && owner[minutes[end]] == other)
                    {
                        end++;
                    }

                    throw new ShiftPlanException(
                        $"shifts '{shifts[other].Name}' and '{shifts[i].Name}' overlap {Clock(minutes[k])}-{Clock((minutes[end - 1] + 1) % DayMinutes)}");
                }

                owner[minutes[k]] = i;
            }
        }

        // Free stretches, read round the clock from a held minute so one running over midnight is named once.
        var gaps = new List<string>();
        var first = Array.FindIndex(owner, o => o >= 0);
        for (var k = 1; k <= DayMinutes; k++)
        {
            var m = (first + k) % DayMinutes;
            if (owner[m] < 0 && owner[(m + DayMinutes - 1) % DayMinutes] >= 0)
            {
                var end = m;
                while (owner[end % DayMinutes] < 0)
                {
                    end++;
                }

                gaps.Add($"{Clock(m)}-{Clock(end % DayMinutes)}");
            }
        }

        gaps.Sort(StringComparer.Ordinal);
        return gaps.Count > 0
            ? throw new ShiftPlanException($"no shift covers {string.Join(", ", gaps)}: the shifts must cover the whole day")
            : new ShiftPlan(shifts);
    }

    /// <summary>The shift holding the instant t, and the day it started on.</summary>
    public ShiftSpan Find(DateTimeOffset t, ParkClock clock)
    {
        var day = clock.Day(t);
        // The shift that started on t's day, or one that started the day before and runs past midnight.
        foreach (var d in new[] { day, day.AddDays(-1) })
        {
            foreach (var s in Shifts)
            {
                var span = Span(s, d, clock);
                if (t >= span.Start && t < span.End)
                {
                    return span;
                }
            }
        }

        // Only on a clock change can an instant fall between the spans above (a shift boundary inside a skipped hour).
        return Spans(day.AddDays(-1), day.AddDays(1), clock).First(x => t < x.End);
    }

    public static ShiftSpan Span(Shift s, DateOnly day, ParkClock clock)
    {
        var start = clock.At(day, s.Start);
        var end = clock.At(s.End > s.Start ? day : day.AddDays(1), s.End);
        return new ShiftSpan(s, day, start, end);
    }

    /// <summary>The shifts that start on the days from..to (both included), in time order.</summary>
    public IEnumerable<ShiftSpan> Spans(DateOnly from, DateOnly to, ParkClock clock)
    {
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            foreach (var span in Shifts.Select(s => Span(s, d, clock)).OrderBy(x => x.Start))
            {
                yield return span;
            }
        }
    }

    public Shift? Named(string name) => Shifts.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>"06:00" or "6:00" to a time on the park's clock; "24:00" is midnight at the end of a shift.</summary>
    public static bool TryParseTime(string? text, out TimeOnly time)
    {
        time = default;
        if (text == "24:00")
        {
            return true;
        }

        return text is { Length: 4 or 5 } && TimeOnly.TryParseExact(text, ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    private static IEnumerable<int> Minutes(Shift s)
    {
        var a = s.Start.Hour * 60 + s.Start.Minute;
        var b = s.End.Hour * 60 + s.End.Minute;
        var n = b > a ? b - a : b - a + DayMinutes;
        return Enumerable.Range(0, n).Select(k => (a + k) % DayMinutes);
    }

    private static string Clock(int minute) => $"{minute / 60:00}:{minute % 60:00}";

    private static string Short(string s) => s.Length > 40 ? s[..40] + "..." : s;
}
