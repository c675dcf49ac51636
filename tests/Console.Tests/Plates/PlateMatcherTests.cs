using GateWatch.Central.Plates;

namespace GateWatch.Central.Tests.Plates;

public sealed class PlateMatcherTests
{
    private static readonly DateOnly Day = new(2026, 3, 1);

    private static ListSnapshot Lists(ListedPlate[]? allowed = null, ListedPlate[]? denied = null, ListedPlate[]? visitors = null) =>
        new(allowed ?? [], denied ?? [], visitors ?? []);

    private static ListedPlate Entry(long id, string text, DateOnly? from = null, DateOnly? to = null) => new(id, PlateText.Normalize(text), text, from, to);

    [Fact]
    public void A_plate_one_character_off_a_listed_one_matches_it_at_distance_one_but_not_at_zero()
    {
        var lists = Lists(denied: [Entry(4, "51G-123.45")]);
        Assert.Equal(new PlateVerdict("denied", "denied entry 4: 51G-123.45, 1 character off"), PlateMatcher.Decide("51G12346", Day, lists, 1));
        Assert.Equal(PlateStatus.Unlisted, PlateMatcher.Decide("51G12346", Day, lists, 0).Status);
        Assert.Equal(new PlateVerdict("denied", "denied entry 4: 51G-123.45"), PlateMatcher.Decide("51G12345", Day, lists, 0));
        Assert.Equal(PlateStatus.Unlisted, PlateMatcher.Decide("51G12399", Day, lists, 1).Status);
    }

    [Fact]
    public void The_closest_entry_wins_and_between_equals_denied_beats_allowed_beats_visitor()
    {
        var lists = Lists(allowed: [Entry(1, "51G-123.45")], denied: [Entry(2, "51G-123.46")], visitors: [Entry(3, "51G-123.47", Day, Day)]);
        // The allowed car read exactly is not turned into a near miss of the denied one.
        Assert.Equal(PlateStatus.Allowed, PlateMatcher.Decide("51G12345", Day, lists, 1).Status);
        Assert.Equal(PlateStatus.Denied, PlateMatcher.Decide("51G12346", Day, lists, 1).Status);
        Assert.Equal(PlateStatus.Visitor, PlateMatcher.Decide("51G12347", Day, lists, 1).Status);
        // One off the allowed and the denied alike: denied.
        Assert.Equal(PlateStatus.Denied, PlateMatcher.Decide("51G1234X", Day, lists with { Visitors = [] }, 1).Status);
    }

    [Fact]
    public void An_allowed_vehicle_is_allowed_only_within_its_validity_days_both_included()
    {
        var lists = Lists(allowed: [Entry(7, "30V-3993", new DateOnly(2026, 2, 1), new DateOnly(2026, 3, 1))]);
        Assert.Equal(PlateStatus.Allowed, PlateMatcher.Decide("30V3993", new DateOnly(2026, 2, 1), lists, 0).Status);
        Assert.Equal(PlateStatus.Allowed, PlateMatcher.Decide("30V3993", new DateOnly(2026, 3, 1), lists, 0).Status);
        var lapsed = PlateMatcher.Decide("30V3993", new DateOnly(2026, 3, 2), lists, 0);
        Assert.Equal(new PlateVerdict("unlisted", "allowed entry 7: 30V-3993 is valid 2026-02-01 to 2026-03-01, not on 2026-03-02"), lapsed);
        Assert.Equal(PlateStatus.Unlisted, PlateMatcher.Decide("30V3993", new DateOnly(2026, 1, 31), lists, 0).Status);
    }

    [Fact]
    public void An_expected_visitor_is_a_visitor_on_that_day_only()
    {
        var lists = Lists(visitors: [Entry(9, "59-X1 234.56", Day, Day)]);
        Assert.Equal(PlateStatus.Visitor, PlateMatcher.Decide("59X123456", Day, lists, 1).Status);
        Assert.Equal(PlateStatus.Unlisted, PlateMatcher.Decide("59X123456", Day.AddDays(1), lists, 1).Status);
    }

    [Theory]
    [InlineData("log", "denied", null)]
    [InlineData("log", "unlisted", null)]
    [InlineData("alert-denied", "denied", "plate-denied")]
    [InlineData("alert-denied", "unlisted", null)]
    [InlineData("alert-unlisted", "denied", "plate-denied")]
    [InlineData("alert-unlisted", "unlisted", "plate-unlisted")]
    [InlineData("alert-unlisted", "allowed", null)]
    [InlineData("alert-unlisted", "visitor", null)]
    public void Each_policy_alerts_on_what_it_names(string policy, string status, string? alert) =>
        Assert.Equal(alert, GatePolicy.AlertFor(policy, status));

    [Fact]
    public void A_gates_day_is_taken_in_the_gates_time_zone()
    {
        var early = new DateTimeOffset(2026, 2, 28, 23, 30, 0, TimeSpan.Zero); // 06:30 on 1 March in Ho Chi Minh City
        Assert.Equal(new DateOnly(2026, 2, 28), PlateSettings.Default.DayAt(early));
        Assert.Equal(new DateOnly(2026, 3, 1), (PlateSettings.Default with { TimeZone = "Asia/Ho_Chi_Minh" }).DayAt(early));
    }
}
