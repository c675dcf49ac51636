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

    /// <summary>
    /// Names and addresses remembered at most. Each guessed name is an entry: without a bound a spray of random names
    /// grows memory without end. Ten thousand is hours of a park's real sign-ins and their typos.
    /// </summary>
    public const int MaxEntries = 10_000;

    /// <summary>How often (in failures) forgotten entries are swept out, when the bound is not reached first.</summary>
    private const int SweepEvery = 256;

    private long _failures;

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

        if (Interlocked.Increment(ref _failures) % SweepEvery == 0 || _state.Count > MaxEntries)
        {
            Sweep(now);
        }
    }

    /// <summary>Entries remembered now (for the tests and the metrics).</summary>
    public int Tracked => _state.Count;

    /// <summary>
    /// Forgets what no longer counts (failures older than <see cref="Memory"/>, no lockout running); if a flood still
    /// holds more than <see cref="MaxEntries"/>, the longest quiet go first: a name under attack is being tried now.
    /// </summary>
    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, s) in _state)
        {
            if (now - s.Last > Memory && s.Until <= now)
            {
                _state.TryRemove(key, out _);
            }
        }

        var over = _state.Count - MaxEntries;
        if (over > 0)
        {
            foreach (var (key, _) in _state.OrderBy(kv => kv.Value.Last).Take(over + (MaxEntries / 10)).ToList())
            {
                _state.TryRemove(key, out _);
            }
        }
    }

    /// <summary>A right password clears the name's count; the address keeps its own, a spray from it is still a spray.</summary>
    public void Succeeded(string name) => _state.TryRemove("name:" + name.Trim(), out _);

    private static string[] Keys(string name, string address) => ["name:" + name.Trim(), "addr:" + address];
}
