using System.Text.Json;
using GateWatch.Agent.Crowd;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Events;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Outbox;

namespace GateWatch.Agent.Tests.Outbox;

public sealed class CameraEventTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan PreRoll = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PostRoll = TimeSpan.FromSeconds(8);

    private static readonly CrowdEpisode Open = new("hall", StartFrame: 10, StartTime: T0, AlertFrame: 40, AlertTime: T0.AddSeconds(3), EndFrame: null, EndTime: null, Peak: 6);
    private static readonly CrowdEpisode Closed = Open with { EndFrame = 90, EndTime = T0.AddSeconds(8), Peak = 7 };

    /// <summary>The text the agent stored before the payloads were typed, from the same anonymous objects it built.</summary>
    private static string Before(object data) => JsonSerializer.SerializeToElement(data).GetRawText();

    [Fact]
    public void A_crossing_is_stored_at_its_time_with_the_same_fields_as_before()
    {
        var crossing = new Crossing("door", Direction.Out, Frame: 12, Time: T0.AddMilliseconds(1234), TrackId: 7, Class: ObjectClass.Bicycle);

        var e = CameraEvent.From(new CrossingEvent(crossing));

        Assert.NotNull(e);
        Assert.Equal("crossing", e.Type);
        Assert.Equal(crossing.Time, e.Time);
        Assert.Equal(Before(new { line = "door", direction = "out", trackId = 7, @class = "bicycle" }), e.Json().GetRawText());
        Assert.Null(Protection.For(new CrossingEvent(crossing), PreRoll, PostRoll));
    }

    [Fact]
    public void A_raised_crowd_starts_at_the_alert_and_protects_from_before_the_start_to_after_the_alert()
    {
        var raised = new CrowdEvent(Open, CrowdChange.Raised);

        var e = CameraEvent.From(raised);

        Assert.NotNull(e);
        Assert.Equal(("crowd-start", Open.AlertTime), (e.Type, e.Time));
        Assert.Equal(Before(new { zone = "hall", startTime = T0, peak = 6, counting = "tracks" }), e.Json().GetRawText());
        Assert.Equal(new Protection(T0 - PreRoll, Open.AlertTime + PostRoll, "crowd in hall"), Protection.For(raised, PreRoll, PostRoll));
    }

    [Fact]
    public void A_cleared_crowd_ends_at_its_end_and_protects_the_whole_episode()
    {
        var cleared = new CrowdEvent(Closed, CrowdChange.Cleared);

        var e = CameraEvent.From(cleared);

        Assert.NotNull(e);
        Assert.Equal(("crowd-end", Closed.EndTime!.Value), (e.Type, e.Time));
        Assert.Equal(Before(new { zone = "hall", startTime = T0, peak = 7, counting = "tracks" }), e.Json().GetRawText());
        Assert.Equal(new Protection(T0 - PreRoll, Closed.EndTime.Value + PostRoll, "crowd in hall"), Protection.For(cleared, PreRoll, PostRoll));
    }

    [Fact]
    public void Occupancy_and_unchanged_crowds_stay_out_of_the_outbox()
    {
        GateEvent[] quiet = [new OccupancyEvent("hall", 3, T0, 2), new CrowdEvent(Open, CrowdChange.None)];

        Assert.All(quiet, e => Assert.Null(CameraEvent.From(e)));
        Assert.All(quiet, e => Assert.Null(Protection.For(e, PreRoll, PostRoll)));
    }

    [Fact]
    public void Online_and_offline_have_the_same_fields_as_before()
    {
        Assert.Equal(("camera-online", T0, Before(new { })), Flat(CameraEvent.Online(T0)));
        Assert.Equal(("camera-offline", T0, Before(new { reason = "recorder: \"gone\" <now>" })), Flat(CameraEvent.Offline(T0, "recorder: \"gone\" <now>")));
    }

    private static (string, DateTimeOffset, string) Flat(CameraEvent e) => (e.Type, e.Time, e.Json().GetRawText());
}
