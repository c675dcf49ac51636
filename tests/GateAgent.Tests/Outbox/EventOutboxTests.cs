using System.Text.Json;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace GateWatch.Agent.Tests.Outbox;

public sealed class EventOutboxTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _time = new(T0);

    private string DbPath => _dir.File("events.db");

    private static JsonElement Data(string json) => JsonElement.Parse(json);

    [Fact]
    public void Events_seqs_and_pending_survive_closing_and_reopening()
    {
        List<AgentEvent> written;
        using (var outbox = new EventOutbox(DbPath, "gate-north", _time))
        {
            written =
            [
                outbox.Append("north-1", "crossing", T0, Data("""{"line":"door","direction":"in"}""")),
                outbox.Append("north-2", "crowd-start", T0.AddSeconds(1), Data("""{"zone":"hall","peak":9}""")),
                outbox.Append("north-1", "camera-offline", T0.AddSeconds(2), Data("{}")),
            ];
            outbox.MarkDelivered([written[0].Seq], T0.AddSeconds(3));
        }

        using var reopened = new EventOutbox(DbPath, "gate-north", _time);
        var read = reopened.ReadAfter(0, 100);
        Assert.Equal(written.Select(Flat), read.Select(Flat));
        Assert.Equal([written[1].Seq, written[2].Seq], reopened.Pending(100).Select(e => e.Seq));
        Assert.Equal(2, reopened.PendingCount());
        Assert.Equal(written[2].Seq, reopened.LastSeq());
        Assert.True(reopened.Append("north-2", "crowd-end", T0.AddSeconds(4), Data("{}")).Seq > written[2].Seq);
    }

    [Fact]
    public void ReadAfter_returns_what_follows_the_cursor_in_seq_order_limited_and_by_camera()
    {
        using var outbox = new EventOutbox(DbPath, "gate-north", _time);
        Assert.Equal(0, outbox.LastSeq());
        Assert.Empty(outbox.ReadAfter(0, 10));
        var all = Enumerable.Range(0, 10)
            .Select(i => outbox.Append(i % 2 == 0 ? "a" : "b", "crossing", T0.AddSeconds(i), Data($$"""{"n":{{i}}}""")))
            .ToList();

        Assert.Equal(all.Select(e => e.Seq).Order(), all.Select(e => e.Seq));
        Assert.Equal(all.Skip(3).Take(4).Select(e => e.Seq), outbox.ReadAfter(all[2].Seq, 4).Select(e => e.Seq));
        Assert.Equal(all.Where(e => e.Camera == "b" && e.Seq > all[4].Seq).Select(e => e.Seq),
            outbox.ReadAfter(all[4].Seq, 100, "b").Select(e => e.Seq));
        Assert.Empty(outbox.ReadAfter(outbox.LastSeq(), 100));
        Assert.Equal(7, outbox.ReadAfter(0, 100)[7].Data.GetProperty("n").GetInt32());
    }

    [Fact]
    public void MarkDelivered_takes_events_out_of_pending_only()
    {
        using var outbox = new EventOutbox(DbPath, "gate-north", _time);
        var all = Enumerable.Range(0, 5).Select(i => outbox.Append("a", "crossing", T0.AddSeconds(i), Data("{}"))).ToList();

        outbox.MarkDelivered([all[0].Seq, all[2].Seq], T0.AddMinutes(1));
        outbox.MarkDelivered([all[0].Seq], T0.AddMinutes(2));
        outbox.MarkDelivered([], T0.AddMinutes(3));

        Assert.Equal([all[1].Seq, all[3].Seq, all[4].Seq], outbox.Pending(100).Select(e => e.Seq));
        Assert.Equal([all[1].Seq], outbox.Pending(1).Select(e => e.Seq));
        Assert.Equal(3, outbox.PendingCount());
        Assert.Equal(all.Select(e => e.Seq), outbox.ReadAfter(0, 100).Select(e => e.Seq));
    }

    [Fact]
    public void Pruning_drops_old_delivered_events_keeps_undelivered_ones_and_never_reuses_a_seq()
    {
        using var outbox = new EventOutbox(DbPath, "gate-north", _time);
        var all = Enumerable.Range(0, 4).Select(i => outbox.Append("a", "crossing", T0.AddDays(i), Data("{}"))).ToList();
        outbox.MarkDelivered([all[0].Seq, all[1].Seq, all[3].Seq], T0.AddDays(5));

        Assert.Equal(2, outbox.Prune(T0.AddDays(3), undeliveredToo: false));
        Assert.Equal([all[2].Seq, all[3].Seq], outbox.ReadAfter(0, 100).Select(e => e.Seq));

        Assert.Equal(1, outbox.Prune(T0.AddDays(3), undeliveredToo: true));
        Assert.Equal(1, outbox.Prune(T0.AddDays(9), undeliveredToo: false));
        Assert.Empty(outbox.ReadAfter(0, 100));
        Assert.Equal(all[3].Seq, outbox.LastSeq());
        Assert.Equal(all[3].Seq + 1, outbox.Append("a", "crossing", T0, Data("{}")).Seq);
    }

    [Fact]
    public void Append_stores_utc_milliseconds_a_unique_id_and_object_data_only()
    {
        using var outbox = new EventOutbox(DbPath, "gate-north", _time);
        var local = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_567);

        var e = outbox.Append("a", "crossing", local, default);
        var again = outbox.Append("a", "crossing", local, Data("""{"x":1}"""));

        Assert.Equal(TimeSpan.Zero, e.Time.Offset);
        Assert.Equal(T0.AddMilliseconds(123), e.Time);
        Assert.Equal("{}", e.Data.GetRawText());
        Assert.Matches("^[0-9a-f]{32}$", e.Id);
        Assert.Equal(7, Guid.ParseExact(e.Id, "N").Version);
        Assert.NotEqual(e.Id, again.Id);
        Assert.Equal("gate-north", e.Agent);
        Assert.Throws<ArgumentException>(() => outbox.Append("a", "crossing", local, Data("[1,2]")));
        Assert.Equal(2, outbox.LastSeq());
    }

    [Fact]
    public void Appended_is_raised_after_the_event_is_readable()
    {
        using var outbox = new EventOutbox(DbPath, "gate-north", _time);
        long seen = -1;
        outbox.Appended += (_, _) => seen = outbox.PendingCount();

        outbox.Append("a", "crossing", T0, Data("{}"));

        Assert.Equal(1, seen);
    }

    [Fact]
    public void Wire_json_is_camel_case_with_iso_utc_times_and_data_inline()
    {
        var e = new AgentEvent(1, "0195f0c1a2b34c5d8e9f001122334455", "gate-north", "north-1", "crossing",
            T0.AddMilliseconds(123), Data("""{"line":"door","direction":"in"}"""));

        var json = JsonSerializer.Serialize(e, AgentEventJson.Default.AgentEvent);
        var batch = JsonSerializer.Serialize(new AgentEventBatch("gate-north", [e]), AgentEventJson.Default.AgentEventBatch);
        var back = JsonSerializer.Deserialize(json, AgentEventJson.Default.AgentEvent)!;

        Assert.Equal("""{"seq":1,"id":"0195f0c1a2b34c5d8e9f001122334455","agent":"gate-north","camera":"north-1","type":"crossing","time":"2026-11-23T10:00:00.123+00:00","data":{"line":"door","direction":"in"}}""", json);
        Assert.Equal($$"""{"agent":"gate-north","events":[{{json}}]}""", batch);
        Assert.Equal(Flat(e), Flat(back));
    }

    private static (long, string, string, string, string, DateTimeOffset, string) Flat(AgentEvent e) =>
        (e.Seq, e.Id, e.Agent, e.Camera, e.Type, e.Time, e.Data.GetRawText());

    public void Dispose() => _dir.Dispose();
}
