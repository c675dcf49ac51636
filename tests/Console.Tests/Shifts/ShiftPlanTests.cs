using GateWatch.Central.Shifts;

namespace GateWatch.Central.Tests.Shifts;

/// <summary>Shift plans: the whole day exactly once, on the quarter hour; which shift holds an instant, clock changes included.</summary>
public sealed class ShiftPlanTests
{
    private static readonly ParkClock Hanoi = ParkClock.For("Asia/Ho_Chi_Minh");

    private static ShiftPlan Three() => ShiftPlan.Create([S("Sáng", "06:00", "14:00"), S("Chiều", "14:00", "22:00"), S("Đêm", "22:00", "06:00")]);

    private static Shift S(string name, string start, string end)
    {
        Assert.True(ShiftPlan.TryParseTime(start, out var a));
        Assert.True(ShiftPlan.TryParseTime(end, out var b));
        return new Shift(name, a, b);
    }

    [Fact]
    public void The_night_shift_of_a_day_runs_into_the_next_and_holds_what_happens_after_midnight()
    {
        var plan = Three();
        var span = plan.Find(DateTimeOffset.Parse("2026-12-02T01:30:00+07:00"), Hanoi);
        Assert.Equal(("Đêm", new DateOnly(2026, 12, 1)), (span.Shift.Name, span.Day));
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T22:00:00+07:00"), span.Start);
        Assert.Equal(DateTimeOffset.Parse("2026-12-02T06:00:00+07:00"), span.End);

        Assert.Equal("Sáng", plan.Find(DateTimeOffset.Parse("2026-12-02T06:00:00+07:00"), Hanoi).Shift.Name);
        Assert.Equal("Chiều", plan.Find(DateTimeOffset.Parse("2026-12-02T21:59:59+07:00"), Hanoi).Shift.Name);
        Assert.Equal(3, plan.Spans(new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 1), Hanoi).Count());
    }

    [Fact]
    public void A_night_shift_over_a_clock_change_is_seven_or_nine_hours()
    {
        var berlin = ParkClock.For("Europe/Berlin");
        var night = Three().Named("Đêm")!;
        Assert.Equal(TimeSpan.FromHours(7), (ShiftPlan.Span(night, new DateOnly(2026, 3, 28), berlin) is var a ? a.End - a.Start : default));
        Assert.Equal(TimeSpan.FromHours(9), (ShiftPlan.Span(night, new DateOnly(2026, 10, 24), berlin) is var b ? b.End - b.Start : default));
        // Every instant of the 25-hour night belongs to it, the repeated hour included.
        Assert.Equal("Đêm", Three().Find(DateTimeOffset.Parse("2026-10-25T01:30:00Z"), berlin).Shift.Name);
    }

    [Theory]
    [InlineData("06:00", "14:00", "14:00", "22:00", "21:00", "06:00", "shifts 'B' and 'C' overlap 21:00-22:00")]
    [InlineData("06:00", "14:00", "14:00", "22:00", "23:00", "06:00", "no shift covers 22:00-23:00")]
    [InlineData("07:00", "14:00", "14:00", "22:00", "23:00", "06:00", "no shift covers 06:00-07:00, 22:00-23:00")]
    [InlineData("06:00", "14:00", "14:00", "22:00", "22:00", "05:00", "no shift covers 05:00-06:00")]
    [InlineData("06:00", "14:00", "13:00", "23:00", "22:00", "06:00", "shifts 'A' and 'B' overlap 13:00-14:00")]
    [InlineData("06:00", "14:10", "14:10", "22:00", "22:00", "06:00", "14:10:00 is not on the quarter hour")]
    public void Overlaps_gaps_and_odd_minutes_are_refused_naming_the_hours(string a0, string a1, string b0, string b1, string c0, string c1, string says)
    {
        var e = Assert.Throws<ShiftPlanException>(() => ShiftPlan.Create([S("A", a0, a1), S("B", b0, b1), S("C", c0, c1)]));
        Assert.Contains(says, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_must_be_there_and_different_and_one_shift_may_hold_the_whole_day()
    {
        Assert.Contains("named twice", Assert.Throws<ShiftPlanException>(() => ShiftPlan.Create([S("Day", "06:00", "18:00"), S("day", "18:00", "06:00")])).Message, StringComparison.Ordinal);
        Assert.Contains("1 to 40 printable", Assert.Throws<ShiftPlanException>(() => ShiftPlan.Create([S("", "06:00", "18:00"), S("N", "18:00", "06:00")])).Message, StringComparison.Ordinal);
        Assert.Contains("1 to 12 shifts", Assert.Throws<ShiftPlanException>(() => ShiftPlan.Create([])).Message, StringComparison.Ordinal);
        var whole = ShiftPlan.Create([S("All day", "07:00", "07:00")]);
        var span = whole.Find(DateTimeOffset.Parse("2026-12-02T06:59:00+07:00"), Hanoi);
        Assert.Equal((new DateOnly(2026, 12, 1), TimeSpan.FromHours(24)), (span.Day, span.End - span.Start));
        Assert.True(ShiftPlan.TryParseTime("24:00", out var midnight) && midnight == TimeOnly.MinValue);
        Assert.False(ShiftPlan.TryParseTime("25:00", out _));
        Assert.False(ShiftPlan.TryParseTime("6", out _));
    }
}
