namespace GateWatch.Agent.Outbox;

/// <summary>
/// A camera's events and footage protections on their way to disk. When the database cannot take them (a full
/// disk) they wait here, in order, and go in with the next one that can be stored: the outage is logged once,
/// and nothing is dropped unless the wait grows past the capacity.
/// </summary>
/// <param name="store">Writes one event to the outbox; throws <see cref="Microsoft.Data.Sqlite.SqliteException"/> or <see cref="IOException"/> while it cannot.</param>
/// <param name="protect">Protects footage in the segment index; fails the same way.</param>
internal sealed partial class PendingEvents(string camera, Action<CameraEvent> store, Action<Protection> protect, ILogger log, int capacity = PendingEvents.MaxUnsaved)
{
    /// <summary>
    /// Events held in memory while the outbox cannot store them: an hour of a busy gate's crossings. Beyond
    /// that the oldest go (and are logged), so a disk that stays full cannot exhaust memory as well.
    /// </summary>
    public const int MaxUnsaved = 10_000;

    private readonly Lock _gate = new();
    private readonly Queue<CameraEvent> _events = new();
    private readonly Queue<Protection> _protections = new();
    private bool _storeFailing;

    /// <summary>Events not stored yet.</summary>
    public int Count
    {
        get { lock (_gate) { return _events.Count; } }
    }

    /// <summary>Stores <paramref name="e"/> after everything still waiting, or keeps it waiting with them.</summary>
    public void Add(CameraEvent e)
    {
        lock (_gate)
        {
            if (_events.Count >= capacity)
            {
                Log.EventsDropped(log, camera, _events.Dequeue().Type);
            }

            _events.Enqueue(e);
            FlushLocked();
        }
    }

    /// <summary>Protects footage from retention; like events, a protection the disk cannot take yet waits and is retried.</summary>
    public void Protect(Protection p)
    {
        lock (_gate)
        {
            _protections.Enqueue(p);
            FlushLocked();
        }
    }

    /// <summary>Retries what is waiting; the watchdog calls this every tick so a quiet camera's events go in too.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            FlushLocked();
        }
    }

    private void FlushLocked()
    {
        while (_protections.TryPeek(out var p))
        {
            if (!TryStore(() => protect(p)))
            {
                return;
            }

            _protections.Dequeue();
        }

        while (_events.TryPeek(out var e))
        {
            if (!TryStore(() => store(e)))
            {
                return;
            }

            _events.Dequeue();
            // Only a stored event ends the outage: a protection alone says nothing about the outbox.
            if (_storeFailing)
            {
                _storeFailing = false;
                Log.EventsStored(log, camera);
            }
        }
    }

    private bool TryStore(Action write)
    {
        try
        {
            write();
            return true;
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            if (!_storeFailing)
            {
                _storeFailing = true;
                Log.EventsWaiting(log, camera, ex.Message);
            }

            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "camera {Camera}: events cannot be stored ({Why}); holding them in memory until they can")]
        public static partial void EventsWaiting(ILogger log, string camera, string why);

        [LoggerMessage(Level = LogLevel.Information, Message = "camera {Camera}: events are being stored again")]
        public static partial void EventsStored(ILogger log, string camera);

        [LoggerMessage(Level = LogLevel.Error, Message = "camera {Camera}: a {Type} event was dropped: the outbox has been unwritable for too long")]
        public static partial void EventsDropped(ILogger log, string camera, string type);
    }
}
