namespace GateWatch.Agent.Service;

/// <summary>
/// Delays between restarts of a failing camera: doubling from the first delay to the cap,
/// back to the start once a run has worked. Capped so a camera that comes back is picked up within the cap,
/// yet a dead one costs one connection attempt per cap rather than a busy loop.
/// </summary>
internal sealed class Backoff
{
    private readonly TimeSpan _first;
    private readonly TimeSpan _cap;
    private TimeSpan _next;

    public Backoff(TimeSpan first, TimeSpan cap)
    {
        _first = _next = first;
        _cap = cap;
    }

    public TimeSpan Next()
    {
        var delay = _next;
        _next = TimeSpan.FromTicks(Math.Min(_cap.Ticks, _next.Ticks * 2));
        return delay;
    }

    public void Reset() => _next = _first;
}
