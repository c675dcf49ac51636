using GateWatch.Agent.Crowd;
using Microsoft.Extensions.Time.Testing;

namespace GateWatch.Agent.Tests.Crowd;

/// <summary>
/// The crowd rule on a clock that the test drives: each frame is stamped with the fake clock's time,
/// which then moves on 100 ms (a 10 fps camera).
/// </summary>
public sealed class CrowdRuleTests
{
    private static readonly TimeSpan FramePeriod = TimeSpan.FromMilliseconds(100);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 6, 1, 18, 0, 0, TimeSpan.Zero));
    private readonly DateTimeOffset _start;
    private readonly List<(long Frame, CrowdChange Change, CrowdEpisode Episode)> _changes = [];
    private long _frame;

    public CrowdRuleTests() => _start = _clock.GetUtcNow();

    private DateTimeOffset TimeOf(long frame) => _start + (FramePeriod * frame);

    /// <summary>Feeds one count per frame, in order, recording every change.</summary>
    private void Feed(CrowdRule rule, params int[] counts)
    {
        foreach (var count in counts)
        {
            var (change, episode) = rule.Observe(count, _frame, _clock.GetUtcNow());
            if (change != CrowdChange.None)
            {
                Assert.NotNull(episode);
                _changes.Add((_frame, change, episode));
            }

            _frame++;
            _clock.Advance(FramePeriod);
        }
    }

    private static int[] Repeat(int count, int frames) => Enumerable.Repeat(count, frames).ToArray();

    private static CrowdRule Rule(int crowdMin = 4, double crowdSeconds = 3) => new("plaza", crowdMin, crowdSeconds, new CrowdOptions());

    [Fact]
    public void Raises_once_after_crowdSeconds_at_the_threshold()
    {
        var rule = Rule();
        Feed(rule, Repeat(2, 10));   // frames 0..9: below
        Feed(rule, Repeat(4, 80));   // frames 10..89: at the threshold

        var (frame, change, ep) = Assert.Single(_changes);
        Assert.Equal(CrowdChange.Raised, change);
        Assert.Equal(40, frame);
        Assert.Equal("plaza", ep.Zone);
        Assert.Equal(10, ep.StartFrame);
        Assert.Equal(TimeOf(10), ep.StartTime);
        Assert.Equal(40, ep.AlertFrame);               // 3 s after frame 10
        Assert.Equal(TimeOf(40), ep.AlertTime);
        Assert.Null(ep.EndFrame);
        Assert.Equal(4, ep.Peak);
        Assert.NotNull(rule.Active);
    }

    [Fact]
    public void Does_not_raise_one_frame_before_crowdSeconds()
    {
        var rule = Rule();
        Feed(rule, Repeat(5, 30)); // frames 0..29: 2.9 s
        Assert.Empty(_changes);
        Feed(rule, 5);             // frame 30: 3.0 s
        Assert.Equal(30, Assert.Single(_changes).Frame);
    }

    [Fact]
    public void Active_episode_tracks_the_peak()
    {
        var rule = Rule();
        Feed(rule, Repeat(4, 35));
        Feed(rule, Repeat(7, 3));
        Feed(rule, Repeat(5, 3));
        Assert.Equal(7, rule.Active!.Peak);
    }

    [Fact]
    public void Flickering_at_the_threshold_raises_once_and_does_not_clear()
    {
        var rule = Rule();
        var flicker = Enumerable.Range(0, 120).Select(i => i % 2 == 0 ? 4 : 3).ToArray();
        Feed(rule, flicker); // frames 0..119: 4, 3, 4, 3, ...

        var (frame, change, ep) = Assert.Single(_changes);
        Assert.Equal(CrowdChange.Raised, change);
        Assert.Equal(0, ep.StartFrame);  // the one-frame dips did not restart the clock
        Assert.Equal(30, frame);
        Assert.NotNull(rule.Active);
    }

    [Fact]
    public void Dip_shorter_than_GapSeconds_does_not_restart_the_clock()
    {
        var rule = Rule();
        Feed(rule, Repeat(4, 20));  // frames 0..19
        Feed(rule, Repeat(3, 14));  // frames 20..33: 1.4 s below
        Feed(rule, Repeat(4, 5));   // frame 34: held 3.4 s since frame 0

        var (frame, _, ep) = Assert.Single(_changes);
        Assert.Equal(34, frame);
        Assert.Equal(0, ep.StartFrame);
    }

    [Fact]
    public void Dip_longer_than_GapSeconds_restarts_the_clock()
    {
        var rule = Rule();
        Feed(rule, Repeat(4, 20));  // frames 0..19
        Feed(rule, Repeat(3, 16));  // frames 20..35: 1.6 s below the last frame at 4
        Feed(rule, Repeat(4, 40));  // from frame 36

        var (frame, _, ep) = Assert.Single(_changes);
        Assert.Equal(36, ep.StartFrame);
        Assert.Equal(66, frame);
    }

    [Fact]
    public void Clears_only_after_ReleaseSeconds_below()
    {
        var rule = Rule();
        Feed(rule, Repeat(4, 60));  // frames 0..59, raised at 30
        Feed(rule, Repeat(1, 19));  // frames 60..78: up to 1.9 s below
        Assert.Equal([CrowdChange.Raised], _changes.Select(c => c.Change));

        Feed(rule, 1);              // frame 79: 2.0 s after the last frame at 4
        Assert.Equal(2, _changes.Count);
        var (frame, change, ep) = _changes[1];
        Assert.Equal(CrowdChange.Cleared, change);
        Assert.Equal(79, frame);
        Assert.Equal(0, ep.StartFrame);
        Assert.Equal(30, ep.AlertFrame);
        Assert.Equal(59, ep.EndFrame);     // the last frame at or above crowdMin
        Assert.Equal(TimeOf(59), ep.EndTime);
        Assert.Null(rule.Active);
    }

    [Fact]
    public void Dip_shorter_than_ReleaseSeconds_does_not_clear()
    {
        var rule = Rule();
        Feed(rule, Repeat(4, 40));
        Feed(rule, Repeat(2, 19));
        Feed(rule, Repeat(4, 30));
        Assert.Equal([CrowdChange.Raised], _changes.Select(c => c.Change));
        Assert.NotNull(rule.Active);
    }

    [Fact]
    public void Cooldown_delays_a_crowd_that_reforms_at_once()
    {
        var rule = Rule();
        Feed(rule, Repeat(4, 60));   // raised at 30, last at 4 on frame 59
        Feed(rule, Repeat(0, 20));   // cleared at 79; cooldown until frame 59 + 10 s = frame 159
        Feed(rule, Repeat(5, 150));  // from frame 80 a crowd again: would be due at frame 110

        Assert.Equal([CrowdChange.Raised, CrowdChange.Cleared, CrowdChange.Raised], _changes.Select(c => c.Change));
        var (frame, _, ep) = _changes[2];
        Assert.Equal(159, frame);
        Assert.Equal(80, ep.StartFrame);  // reported late, but with the time it really began
        Assert.Equal(159, ep.AlertFrame);
    }

    [Fact]
    public void After_the_cooldown_a_new_crowd_raises_on_time()
    {
        var rule = Rule();
        Feed(rule, Repeat(4, 60));
        Feed(rule, Repeat(0, 150));  // frames 60..209: clear, and the cooldown (to frame 159) runs out
        Feed(rule, Repeat(4, 40));   // from frame 210

        var raised = _changes.Where(c => c.Change == CrowdChange.Raised).ToList();
        Assert.Equal(2, raised.Count);
        Assert.Equal(210, raised[1].Episode.StartFrame);
        Assert.Equal(240, raised[1].Frame);
    }

    [Fact]
    public void CrowdMin_one_with_zero_seconds_raises_on_the_first_person()
    {
        var rule = Rule(crowdMin: 1, crowdSeconds: 0);
        Feed(rule, 0, 0, 0);
        Assert.Empty(_changes);
        Feed(rule, 1);

        var (frame, change, ep) = Assert.Single(_changes);
        Assert.Equal(CrowdChange.Raised, change);
        Assert.Equal(3, frame);
        Assert.Equal(3, ep.StartFrame);
        Assert.Equal(3, ep.AlertFrame);
        Assert.Equal(1, ep.Peak);
    }

    [Fact]
    public void CrowdMin_one_counts_a_single_person_for_crowdSeconds()
    {
        var rule = Rule(crowdMin: 1, crowdSeconds: 1);
        Feed(rule, Repeat(0, 5));
        Feed(rule, Repeat(1, 20));
        var (frame, _, ep) = Assert.Single(_changes);
        Assert.Equal(5, ep.StartFrame);
        Assert.Equal(15, frame);
    }

    [Fact]
    public void Flush_closes_an_active_episode_at_its_last_frame_above()
    {
        var rule = Rule();
        Feed(rule, Repeat(4, 50));  // raised at 30
        Feed(rule, Repeat(6, 3));   // frames 50..52
        Feed(rule, Repeat(2, 5));   // frames 53..57: below, not yet released

        var ended = rule.Flush();
        Assert.NotNull(ended);
        Assert.Equal(0, ended.StartFrame);
        Assert.Equal(30, ended.AlertFrame);
        Assert.Equal(52, ended.EndFrame);
        Assert.Equal(TimeOf(52), ended.EndTime);
        Assert.Equal(6, ended.Peak);
        Assert.Null(rule.Active);
        Assert.Null(rule.Flush());
    }

    [Fact]
    public void Flush_without_an_episode_returns_nothing()
    {
        var rule = Rule();
        Assert.Null(rule.Flush());
        Feed(rule, Repeat(4, 10)); // building up, not raised
        Assert.Null(rule.Flush());
    }
}
