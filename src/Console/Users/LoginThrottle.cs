using System.Collections.Concurrent;

namespace GateWatch.Central.Users;

/// <summary>
/// Slows password guessing: after <see cref="FreeFailures"/> failures for a name, or from one address, each
/// further attempt must wait, doubling from 1 s to 15 min. Counted per name and per address so that
/// neither a spray over many names from one place nor many places against one name gets through.
/// </summary>
internal sealed class LoginThrottle(TimeProvider time)
{
    /// <summary>Typos happen; five wrong tries in a row do not slow anyone down.</summary>
    public const int FreeFailures = 5;

    private static readonly TimeSpan MaxLockout = TimeSpan.FromMinutes(15);

    /// <summary>Failures older than this are forgotten.</summary>
    private static readonly TimeSpan Memory = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset Last, DateTimeOffset Until)> _state = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long the caller must still wait; zero when it may try.</summary>
    public TimeSpan WaitFor(string name, string address)
    {
        var now = time.GetUtcNow();
        var wait = TimeSpan.Zero;
        foreach (var key in Keys(name, address))
        {
            if (_state.TryGetValue(key, out var s) && s.Until > now && s.Until - now > wait)
            {
                wait = s.Until - now;
            }
        }

        return wait;
    }

    public void Failed(string name, string address)
    {
        var now = time.GetUtcNow();
        foreach (var key in Keys(name, address))
        {
            _state.AddOrUpdate(key, _ => (1, now, now), (_, s) =>
            {
                var failures = now - s.Last > Memory ? 1 : s.Failures + 1;
                var lockout = failures <= FreeFailures ? TimeSpan.Zero
                    : TimeSpan.FromSeconds(Math.Min(MaxLockout.TotalSeconds, Math.Pow(2, failures - FreeFailures - 1)));
                return (failures, now, now + lockout);
            });
        }
    }

    /// <summary>A right password clears the name's count; the address keeps its own, a spray from it is still a spray.</summary>
    public void Succeeded(string name) => _state.TryRemove("name:" + name.Trim(), out _);

    private static string[] Keys(string name, string address) => ["name:" + name.Trim(), "addr:" + address];
}
