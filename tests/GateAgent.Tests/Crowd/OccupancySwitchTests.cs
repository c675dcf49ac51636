using GateWatch.Agent.Crowd;

namespace GateWatch.Agent.Tests.Crowd;

public sealed class OccupancySwitchTests
{
    [Fact]
    public void Sparse_scenes_count_tracks_and_a_crowd_counts_the_estimate()
    {
        var s = new OccupancySwitch(up: 10, down: 7);

        Assert.Equal(4, s.Choose(tracked: 4, estimate: 5.2));
        Assert.False(s.Dense);
        Assert.Equal(31, s.Choose(tracked: 12, estimate: 30.6));
        Assert.True(s.Dense);
    }

    [Fact]
    public void Between_the_thresholds_the_count_keeps_its_source()
    {
        var s = new OccupancySwitch(up: 10, down: 7);

        // Rising: 8 and 9.9 are below up, so tracks; 10 switches.
        Assert.Equal(6, s.Choose(6, 8));
        Assert.Equal(6, s.Choose(6, 9.9));
        Assert.Equal(10, s.Choose(6, 10));
        // Falling: 9 and 7 are still the estimate's; below 7 back to tracks.
        Assert.Equal(9, s.Choose(6, 9));
        Assert.Equal(7, s.Choose(6, 7));
        Assert.True(s.Dense);
        Assert.Equal(6, s.Choose(6, 6.9));
        Assert.False(s.Dense);
    }

    [Fact]
    public void Without_an_estimate_the_zone_counts_tracks_at_once()
    {
        var s = new OccupancySwitch(up: 10, down: 7);
        s.Choose(5, 40);

        Assert.Equal(5, s.Choose(5, null));
        Assert.False(s.Dense);
    }

    [Fact]
    public void In_a_crowd_more_tracked_people_than_estimated_are_kept()
    {
        var s = new OccupancySwitch(up: 10, down: 7);

        Assert.Equal(14, s.Choose(14, 11.2));
    }

    [Fact]
    public void Thresholds_the_wrong_way_round_are_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new OccupancySwitch(up: 5, down: 5));

    [Fact]
    public void An_estimate_is_due_every_period_of_capture_time_and_after_the_clock_goes_back()
    {
        var t0 = DateTimeOffset.UnixEpoch;
        var s = new DensitySchedule(2);

        Assert.True(s.Take(t0));
        Assert.False(s.Take(t0.AddSeconds(1.9)));
        Assert.True(s.Take(t0.AddSeconds(2)));
        Assert.False(s.Take(t0.AddSeconds(3)));
        Assert.True(s.Take(t0.AddSeconds(1)));   // a looped file starts again
    }
}
