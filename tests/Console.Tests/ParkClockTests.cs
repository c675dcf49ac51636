namespace GateWatch.Central.Tests;

/// <summary>The park's clock from Debian's tzdata: Vietnam's plain UTC+7 and a zone with clock changes.</summary>
public sealed class ParkClockTests
{
    private static readonly ParkClock Hanoi = ParkClock.For("Asia/Ho_Chi_Minh");
    private static readonly ParkClock Berlin = ParkClock.For("Europe/Berlin");

    [Fact]
    public void A_day_in_Vietnam_starts_at_17_00_UTC_the_day_before()
    {
        Assert.Equal(DateTimeOffset.Parse("2026-11-30T17:00:00Z"), Hanoi.StartOfDay(new DateOnly(2026, 12, 1)));
        Assert.Equal(new DateOnly(2026, 12, 2), Hanoi.Day(DateTimeOffset.Parse("2026-12-01T17:00:00Z")));
        Assert.Equal(new DateOnly(2026, 12, 1), Hanoi.Day(DateTimeOffset.Parse("2026-12-01T16:59:59Z")));
        Assert.Equal("2026-12-01T21:16:00+07:00", Hanoi.Format(DateTimeOffset.Parse("2026-12-01T14:16:00Z")));
        Assert.Equal("UTC+07:00", Hanoi.OffsetName(DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Berlin_has_a_23_and_a_25_hour_day_and_hours_follow_the_clock()
    {
        Assert.Equal(TimeSpan.FromHours(23), Berlin.DayLength(new DateOnly(2026, 3, 29)));
        Assert.Equal(TimeSpan.FromHours(25), Berlin.DayLength(new DateOnly(2026, 10, 25)));
        Assert.Equal(TimeSpan.FromHours(24), Berlin.DayLength(new DateOnly(2026, 10, 26)));

        // 02:30 does not exist on 29 March: it is the instant the clock jumped to 03:00 CEST (01:00Z).
        Assert.Equal(DateTimeOffset.Parse("2026-03-29T01:00:00Z"), Berlin.At(new DateOnly(2026, 3, 29), new TimeOnly(2, 30)));
        // 02:30 comes twice on 25 October: the first, still summer time (00:30Z).
        Assert.Equal(DateTimeOffset.Parse("2026-10-25T00:30:00Z"), Berlin.At(new DateOnly(2026, 10, 25), new TimeOnly(2, 30)));

        // The repeated hour is an hour of its own, each starting where its clock says 02:00.
        Assert.Equal(DateTimeOffset.Parse("2026-10-25T00:00:00Z"), Berlin.StartOfHour(DateTimeOffset.Parse("2026-10-25T00:40:00Z")));
        Assert.Equal(DateTimeOffset.Parse("2026-10-25T01:00:00Z"), Berlin.StartOfHour(DateTimeOffset.Parse("2026-10-25T01:40:00Z")));
        Assert.Equal("2026-10-25T02:40:00+01:00", Berlin.Format(DateTimeOffset.Parse("2026-10-25T01:40:00Z")));
    }

    [Theory]
    [InlineData("Asia/Saigon_", "not a time zone this machine knows")]
    [InlineData("Mars/Olympus", "not a time zone this machine knows")]
    [InlineData("", "not an IANA time zone name")]
    [InlineData("../../etc/passwd", "not an IANA time zone name")]
    [InlineData("SE Asia Standard Time", "not an IANA time zone name")]
    public void An_unknown_zone_is_refused_by_name(string zone, string says)
    {
        var e = Assert.Throws<UnknownTimeZoneException>(() => ParkClock.For(zone));
        Assert.Contains(says, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_an_unknown_zone_before_starting_anything()
    {
        var dir = Directory.CreateTempSubdirectory("gateconsole-zone-").FullName;
        var error = new StringWriter();
        var was = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(2, await ConsoleCommands.RunAsync(["serve", "--data", dir, "--time-zone", "Asia/Hanoi_City"]));
        }
        finally
        {
            Console.SetError(was);
        }

        Assert.Contains("--time-zone: 'Asia/Hanoi_City' is not a time zone this machine knows", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        Directory.Delete(dir);
    }

    [Fact]
    public void The_console_runs_on_Vietnamese_time_unless_told_otherwise()
    {
        Assert.Equal("Asia/Ho_Chi_Minh", new ConsoleSettings("/nowhere", "http://127.0.0.1:1").Clock.Id);
    }
}
