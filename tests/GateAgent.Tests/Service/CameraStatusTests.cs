using GateWatch.Agent.Service;
using Microsoft.Extensions.Time.Testing;

namespace GateWatch.Agent.Tests.Service;

/// <summary>
/// The recording lag in the health answer is what the console's recording-stopped alert is judged on: it must be the
/// footage's real age, whatever the wall clock does (found by the fault campaign, bench/faults, whose clock steps
/// made a recording that was fine look minutes behind).
/// </summary>
public sealed class CameraStatusTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A wall clock that can be stepped while the monotonic clock runs on, as NTP steps a real one.</summary>
    private sealed class SteppedClock(FakeTimeProvider inner) : TimeProvider
    {
        public TimeSpan Step { get; set; }

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Step;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;
    }

    [Fact]
    public void The_recording_lag_is_the_footages_age_on_the_monotonic_clock_across_wall_clock_steps()
    {
        var fake = new FakeTimeProvider(T0);
        var clock = new SteppedClock(fake);
        var status = new CameraStatus("north", "North gate", T0, clock);
        Assert.Null(status.Snapshot().RecordingLagSeconds);

        // A segment that ended a second ago, then 4 s without a new one.
        status.Recorded(1, 1000, T0.AddSeconds(-1));
        fake.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(5, status.Snapshot().RecordingLagSeconds);

        // The wall clock steps 10 minutes ahead, then 10 minutes behind: the footage is 2 s older each time, no more.
        clock.Step = TimeSpan.FromMinutes(10);
        fake.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(7, status.Snapshot().RecordingLagSeconds);
        clock.Step = TimeSpan.FromMinutes(-10);
        fake.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(9, status.Snapshot().RecordingLagSeconds);

        // The same segment reported again by the next watchdog tick does not restart the count.
        status.Recorded(1, 1000, T0.AddSeconds(-1));
        Assert.Equal(9, status.Snapshot().RecordingLagSeconds);

        // A new segment does.
        clock.Step = TimeSpan.Zero;
        status.Recorded(2, 2000, fake.GetUtcNow());
        Assert.Equal(0, status.Snapshot().RecordingLagSeconds);
    }
}
