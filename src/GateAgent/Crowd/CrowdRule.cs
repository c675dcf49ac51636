namespace GateWatch.Agent.Crowd;

internal sealed record CrowdOptions
{
    /// <summary>Dips below crowdMin shorter than this do not restart the clock: one person briefly hidden is not the crowd leaving.</summary>
    public double GapSeconds { get; init; } = 1.5;

    /// <summary>A raised flag clears only after the count has stayed below crowdMin this long, so it does not flap at the threshold.</summary>
    public double ReleaseSeconds { get; init; } = 2.0;

    /// <summary>After a flag clears, a new one for the same zone waits this long; a crowd that re-forms at once is still reported, late.</summary>
    public double CooldownSeconds { get; init; } = 10.0;
}

/// <summary>A crowd gathering in a zone: condition held from StartFrame, flagged at AlertFrame, cleared at EndFrame.</summary>
internal sealed record CrowdEpisode(
    string Zone, long StartFrame, DateTimeOffset StartTime, long AlertFrame, DateTimeOffset AlertTime,
    long? EndFrame, DateTimeOffset? EndTime, int Peak);

internal enum CrowdChange
{
    None,
    Raised,
    Cleared,
}

/// <summary>
/// "crowdMin people in the zone for crowdSeconds" with hysteresis in time on both edges and a cooldown.
/// Time is the frames' capture time, so the rule runs the same on a live camera and on a file.
/// </summary>
internal sealed class CrowdRule(string zone, int crowdMin, double crowdSeconds, CrowdOptions options)
{
    private (long Frame, DateTimeOffset Time)? _start;       // first frame of the current run at or above crowdMin
    private (long Frame, DateTimeOffset Time)? _lastAbove;   // latest frame at or above crowdMin
    private DateTimeOffset? _cooldownUntil;
    private int _peak;

    public CrowdEpisode? Active { get; private set; }

    public (CrowdChange Change, CrowdEpisode? Episode) Observe(int count, long frame, DateTimeOffset time)
    {
        if (count >= crowdMin)
        {
            var gapTooLong = _lastAbove is { } la && (time - la.Time).TotalSeconds > options.GapSeconds;
            if (_start is null || (gapTooLong && Active is null))
            {
                _start = (frame, time);
                _peak = 0;
            }

            _lastAbove = (frame, time);
            _peak = Math.Max(_peak, count);
            if (Active is not null)
            {
                Active = Active with { Peak = _peak };
                return (CrowdChange.None, null);
            }

            var held = (time - _start.Value.Time).TotalSeconds;
            var coolingDown = _cooldownUntil is { } until && time < until;
            if (held >= crowdSeconds && !coolingDown)
            {
                Active = new CrowdEpisode(zone, _start.Value.Frame, _start.Value.Time, frame, time, null, null, _peak);
                return (CrowdChange.Raised, Active);
            }

            return (CrowdChange.None, null);
        }

        if (_lastAbove is not { } last)
        {
            return (CrowdChange.None, null);
        }

        var below = (time - last.Time).TotalSeconds;
        if (Active is not null && below >= options.ReleaseSeconds)
        {
            return (CrowdChange.Cleared, Clear(last.Frame, last.Time));
        }

        if (Active is null && below > options.GapSeconds)
        {
            _start = null;
            _lastAbove = null;
        }

        return (CrowdChange.None, null);
    }

    /// <summary>Ends an active episode at the end of a stream; the last frame at or above crowdMin is its end.</summary>
    public CrowdEpisode? Flush() => Active is not null && _lastAbove is { } last ? Clear(last.Frame, last.Time) : null;

    private CrowdEpisode Clear(long endFrame, DateTimeOffset endTime)
    {
        var ended = Active! with { EndFrame = endFrame, EndTime = endTime, Peak = _peak };
        Active = null;
        _start = null;
        _lastAbove = null;
        _cooldownUntil = endTime + TimeSpan.FromSeconds(options.CooldownSeconds);
        return ended;
    }
}
