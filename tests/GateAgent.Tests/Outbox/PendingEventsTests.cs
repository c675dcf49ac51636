using GateWatch.Agent.Outbox;
using GateWatch.Agent.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GateWatch.Agent.Tests.Outbox;

public sealed class PendingEventsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private readonly ListLogger<PendingEventsTests> _log = new();
    private readonly List<CameraEvent> _stored = [];
    private readonly List<Protection> _protected = [];
    private readonly TempDir _dir = new();
    private bool _outboxFull;
    private bool _indexFull;

    public void Dispose() => _dir.Dispose();

    private PendingEvents Pending(int capacity = PendingEvents.MaxUnsaved) => new(
        "north",
        e =>
        {
            if (_outboxFull)
            {
                throw new IOException("No space left on device");
            }

            _stored.Add(e);
        },
        p =>
        {
            if (_indexFull)
            {
                throw new SqliteException("database or disk is full", 13);
            }

            _protected.Add(p);
        },
        _log,
        capacity);

    private static CameraEvent Event(int n) => CameraEvent.Offline(T0.AddSeconds(n), $"#{n}");

    private string[] Said(LogLevel level) => [.. _log.Entries.Where(e => e.Level == level).Select(e => e.Message)];

    [Fact]
    public void Events_wait_in_order_while_the_store_fails_and_go_in_when_it_recovers()
    {
        var pending = Pending();
        pending.Add(Event(0));
        _outboxFull = true;
        pending.Add(Event(1));
        pending.Add(Event(2));
        pending.Flush();
        Assert.Equal([Event(0)], _stored);
        Assert.Equal(2, pending.Count);

        _outboxFull = false;
        pending.Add(Event(3));

        Assert.Equal([Event(0), Event(1), Event(2), Event(3)], _stored);
        Assert.Equal(0, pending.Count);
        Assert.Equal(["camera north: events cannot be stored (No space left on device); holding them in memory until they can"], Said(LogLevel.Error));
        Assert.Equal(["camera north: events are being stored again"], Said(LogLevel.Information));
    }

    [Fact]
    public void A_flush_alone_stores_what_waits_once_the_store_is_back()
    {
        var pending = Pending();
        _outboxFull = true;
        pending.Add(Event(0));
        _outboxFull = false;

        pending.Flush();

        Assert.Equal([Event(0)], _stored);
    }

    [Fact]
    public void A_protection_the_index_cannot_take_holds_the_events_back_until_it_is_in()
    {
        var pending = Pending();
        var p = new Protection(T0, T0.AddSeconds(30), "crowd in hall");
        _indexFull = true;
        pending.Protect(p);
        pending.Add(Event(0));
        Assert.Empty(_stored);
        Assert.Empty(_protected);

        _indexFull = false;
        pending.Flush();

        Assert.Equal([p], _protected);
        Assert.Equal([Event(0)], _stored);
        Assert.Single(Said(LogLevel.Error));
    }

    [Fact]
    public void Past_its_capacity_the_oldest_waiting_event_is_dropped_and_logged()
    {
        var pending = Pending(capacity: 2);
        _outboxFull = true;
        pending.Add(Event(0));
        pending.Add(Event(1));
        pending.Add(CameraEvent.Online(T0.AddSeconds(2)));
        pending.Add(Event(3));

        _outboxFull = false;
        pending.Flush();

        Assert.Equal([CameraEvent.Online(T0.AddSeconds(2)), Event(3)], _stored);
        Assert.Equal(
            [
                "camera north: a camera-offline event was dropped: the outbox has been unwritable for too long",
                "camera north: a camera-offline event was dropped: the outbox has been unwritable for too long",
            ],
            Said(LogLevel.Error).Where(m => m.Contains("dropped", StringComparison.Ordinal)));
    }

    [Fact]
    public void Stored_in_the_real_outbox_an_event_keeps_its_type_time_and_fields()
    {
        using var outbox = new EventOutbox(_dir.File("events.db"), "gate-north", new FakeTimeProvider(T0));
        var pending = new PendingEvents("north", e => outbox.Append("north", e.Type, e.Time, e.Json()), _ => { }, _log);

        pending.Add(CameraEvent.Offline(T0.AddSeconds(1), "no video for 5 s"));
        pending.Add(CameraEvent.Online(T0.AddSeconds(2)));

        var read = outbox.ReadAfter(0, 10);
        Assert.Equal(["camera-offline", "camera-online"], read.Select(e => e.Type));
        Assert.Equal([T0.AddSeconds(1), T0.AddSeconds(2)], read.Select(e => e.Time));
        Assert.Equal(["""{"reason":"no video for 5 s"}""", "{}"], read.Select(e => e.Data.GetRawText()));
    }
}
