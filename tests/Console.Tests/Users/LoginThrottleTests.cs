using GateWatch.Central.Users;
using Microsoft.Extensions.Time.Testing;

namespace GateWatch.Central.Tests.Users;

/// <summary>The login throttle on a fake clock: it slows guessing, and a spray of guessed names cannot grow it without end.</summary>
public sealed class LoginThrottleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_spray_of_guessed_names_is_bounded_and_forgotten_after_the_memory()
    {
        var throttle = new LoginThrottle(_time);
        for (var i = 0; i < 3 * LoginThrottle.MaxEntries; i++)
        {
            throttle.Failed($"guess-{i}", $"10.0.{i / 250 % 250}.{i % 250}");
        }

        Assert.InRange(throttle.Tracked, 1, LoginThrottle.MaxEntries + 2);

        // Two hours on, one more failure sweeps: what is left is that failure's name and address.
        _time.Advance(TimeSpan.FromHours(2));
        for (var i = 0; i < 256; i++)
        {
            throttle.Failed("admin", "192.0.2.7");
        }

        Assert.Equal(2, throttle.Tracked);
    }

    [Fact]
    public void The_name_being_guessed_now_stays_locked_through_a_flood_of_other_names()
    {
        var throttle = new LoginThrottle(_time);
        for (var i = 0; i < LoginThrottle.FreeFailures + 3; i++)
        {
            throttle.Failed("admin", "192.0.2.7");
        }

        Assert.True(throttle.WaitFor("admin", "198.51.100.1") > TimeSpan.Zero);
        for (var i = 0; i < 2 * LoginThrottle.MaxEntries; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            throttle.Failed($"guess-{i}", "203.0.113.9");
            if (i % 1000 == 0)
            {
                // The attacker keeps trying admin too: it stays among the newest, and locked.
                throttle.Failed("admin", "192.0.2.7");
            }
        }

        Assert.True(throttle.WaitFor("admin", "198.51.100.1") > TimeSpan.Zero);
        Assert.InRange(throttle.Tracked, 1, LoginThrottle.MaxEntries + 2);
    }
}
