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

/// <summary>
/// A crowd gathering in a zone: condition held from StartFrame, flagged at AlertFrame, cleared at EndFrame.
/// <see cref="Peak"/> is the most people the zone held; <see cref="Estimate"/> the density estimate of the zone at the
/// alert (and, once cleared, at its end), null on a camera without density estimates.
/// </summary>
internal sealed record CrowdEpisode(
    string Zone, long StartFrame, DateTimeOffset StartTime, long AlertFrame, DateTimeOffset AlertTime,
    long? EndFrame, DateTimeOffset? EndTime, int Peak)
{
    public double? Estimate { get; init; }

    /// <summary>The highest density estimate during the episode (null without estimates).</summary>
    public double? PeakEstimate { get; init; }

    /// <summary>Whether the zone was counted by the density estimate (not its tracks) when the episode was last updated.</summary>
    public bool Dense { get; init; }
}

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
    private double? _estimate;
    private double? _peakEstimate;
    private bool _dense;

    public CrowdEpisode? Active { get; private set; }

    /// <param name="count">The zone's occupancy in this frame.</param>
    /// <param name="estimate">The zone's newest density estimate, or null when there is none; carried by the episode.</param>
    /// <param name="dense">Whether <paramref name="count"/> is the estimate's rather than the tracks'.</param>
    public (CrowdChange Change, CrowdEpisode? Episode) Observe(int count, long frame, DateTimeOffset time, double? estimate = null, bool dense = false)
    {
        _estimate = estimate;
        _dense = dense;
        if (estimate is { } e && Active is not null)
        {
            _peakEstimate = Math.Max(_peakEstimate ?? 0, e);
        }

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
                Active = Active with { Peak = _peak, PeakEstimate = _peakEstimate, Dense = dense };
                return (CrowdChange.None, null);
            }

            var held = (time - _start.Value.Time).TotalSeconds;
            var coolingDown = _cooldownUntil is { } until && time < until;
            if (held >= crowdSeconds && !coolingDown)
            {
                _peakEstimate = estimate;
                Active = new CrowdEpisode(zone, _start.Value.Frame, _start.Value.Time, frame, time, null, null, _peak)
                {
                    Estimate = estimate,
                    PeakEstimate = estimate,
                    Dense = dense,
                };
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
        var ended = Active! with { EndFrame = endFrame, EndTime = endTime, Peak = _peak, Estimate = _estimate, PeakEstimate = _peakEstimate, Dense = _dense };
        Active = null;
        _start = null;
        _lastAbove = null;
        _peakEstimate = null;
        _cooldownUntil = endTime + TimeSpan.FromSeconds(options.CooldownSeconds);
        return ended;
    }
}
