namespace GateWatch.Agent.Service;

/// <summary>
/// One restartable part of a camera (the recorder or the analysis) as the supervisor, the watchdog and a gate
/// swap share it: the run in progress, so a hung one can be cancelled and a new gate spec can restart it.
/// The run is set and cancelled under one lock so nobody cancels a run its supervisor has already disposed.
/// </summary>
internal sealed class CameraPart(string name)
{
    /// <summary>The longest a restarted part is given to show life: two minutes covers a cold start on a box at full load.</summary>
    public static readonly TimeSpan MostStallLimit = TimeSpan.FromMinutes(2);

    private readonly Lock _gate = new();
    private CancellationTokenSource? _run;
    private bool _restartWanted;
    private DateTimeOffset _since;
    private int _stalls;

    /// <summary>"recorder" or "analysis", as the log and the camera's last error name it.</summary>
    public string Name => name;

    /// <summary>When the part last (re)started: it has until this plus the stall limit to produce something.</summary>
    public DateTimeOffset Since
    {
        get { lock (_gate) { return _since; } }
        set { lock (_gate) { _since = value; } }
    }

    /// <summary>
    /// A run begins at <paramref name="at"/>, and has the stall limit from then. Set together with the run: a run
    /// begun after a 10 s backoff with the last run's start was taken for stalled by the watchdog's next tick and
    /// cancelled before its ffmpeg had written anything (found by the fault campaign, bench/faults: after a full
    /// disk, a recorder stopped within a second of its start left a "finished" segment that does not play).
    /// </summary>
    public void Begin(CancellationTokenSource run, DateTimeOffset at)
    {
        lock (_gate)
        {
            _run = run;
            _since = at;
        }
    }

    /// <summary>No run in progress (a backoff after a failure): nothing to cancel.</summary>
    public void End()
    {
        lock (_gate)
        {
            _run = null;
        }
    }

    /// <summary>Ends the run in progress so that it starts again at once, without backoff.</summary>
    public void Restart()
    {
        lock (_gate)
        {
            // Between runs there is nothing to cancel: the next run reads the new spec.
            _restartWanted = true;
            _run?.Cancel();
        }
    }

    /// <summary>True once after <see cref="Restart"/>: the run ended because it was asked to, and starts again now.</summary>
    public bool TakeRestart()
    {
        lock (_gate)
        {
            var wanted = _restartWanted;
            _restartWanted = false;
            return wanted;
        }
    }

    /// <summary>
    /// Cancels the run in progress if nothing came of it since <paramref name="lastActivity"/> (or since it
    /// started) for longer than <paramref name="limit"/>; <paramref name="stalled"/> says so first, with the limit
    /// that was passed, so the reason is logged before anything the cancellation sets off. Each restart that
    /// again produces nothing doubles the limit, up to <see cref="MostStallLimit"/>: on a machine so loaded that
    /// probing the stream and loading the model take longer than the limit, a fixed one would restart the part
    /// forever before its first frame, while a hung one is still restarted, only less often.
    /// </summary>
    public void CancelIfStalled(DateTimeOffset now, DateTimeOffset? lastActivity, TimeSpan limit, Action<TimeSpan> stalled)
    {
        lock (_gate)
        {
            var active = lastActivity is { } at && at > _since;
            if (active)
            {
                _stalls = 0;
            }

            var since = active ? lastActivity!.Value : _since;
            var allowed = TimeSpan.FromTicks(Math.Min(limit.Ticks << Math.Min(_stalls, 16), Math.Max(limit.Ticks, MostStallLimit.Ticks)));
            if (_run is { IsCancellationRequested: false } run && now - since > allowed)
            {
                _stalls++;
                stalled(allowed);
                run.Cancel();
            }
        }
    }
}
