using System.Diagnostics;
using System.Text.Json;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Tests.Support;
using Microsoft.Extensions.Logging;

using Microsoft.Extensions.Time.Testing;

namespace GateWatch.Agent.Tests.Outbox;

/// <summary>Delivery against a real Kestrel receiver on a loopback port, on the real clock.</summary>
public sealed class EventDeliveryTests : IDisposable
{
    private const string Key = "agent-key-7f3c9d1e";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly TempDir _dir = new();
    private readonly EventOutbox _outbox;
    private readonly HttpClient _http = new();
    private readonly ListLogger<EventDelivery> _log = new();
    private readonly int _port = ConsoleReceiver.FreePort();

    public EventDeliveryTests()
    {
        _outbox = new EventOutbox(_dir.File("events.db"), "gate-north", TimeProvider.System);
    }

    [Fact]
    public async Task Events_produced_while_the_console_is_down_all_arrive_once_and_in_camera_order_once_it_is_up()
    {
        using var delivery = Delivery(Key);
        await delivery.StartAsync(CancellationToken.None);

        var appended = new List<AgentEvent>();
        for (var i = 0; i < 30; i++)
        {
            appended.Add(Append(i % 3 == 0 ? "north-2" : "north-1", i));
            await Task.Delay(50);
        }

        Assert.True(await Until(() => delivery.LastError is not null), "no failed attempt was recorded");
        Assert.Equal(0, delivery.Delivered);
        Assert.Null(delivery.LastSuccess);
        Assert.Equal(30, _outbox.PendingCount());

        await using var receiver = await ConsoleReceiver.StartAsync(_port, Key);
        Assert.True(await Until(() => _outbox.PendingCount() == 0), $"still pending: {_outbox.PendingCount()}");
        await delivery.StopAsync(CancellationToken.None);

        var received = receiver.Events;
        Assert.Equal(0, receiver.Duplicates);
        Assert.Equal(appended.Select(e => e.Id).Order(), received.Select(e => e.Id).Order());
        foreach (var camera in new[] { "north-1", "north-2" })
        {
            Assert.Equal(appended.Where(e => e.Camera == camera).Select(e => e.Seq),
                received.Where(e => e.Camera == camera).Select(e => e.Seq));
        }

        Assert.All(received, e => Assert.Equal("gate-north", e.Agent));
        Assert.Equal(30, delivery.Delivered);
        Assert.NotNull(delivery.LastSuccess);
        Assert.Null(delivery.LastError);
        // One warning for the outage however many retries it took, one line for the recovery.
        Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Single(_log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("30 waiting"));
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains(Key));
    }

    [Fact]
    public async Task Server_errors_are_retried_until_accepted_without_duplicates()
    {
        await using var receiver = await ConsoleReceiver.StartAsync(_port, Key, n => n <= 2 ? 500 : null);
        var appended = Enumerable.Range(0, 5).Select(i => Append("north-1", i)).ToList();
        using var delivery = Delivery(Key);
        await delivery.StartAsync(CancellationToken.None);

        Assert.True(await Until(() => _outbox.PendingCount() == 0), $"still pending: {_outbox.PendingCount()}");
        await delivery.StopAsync(CancellationToken.None);

        Assert.Equal(3, receiver.Requests);
        Assert.Equal(0, receiver.Duplicates);
        Assert.Equal(appended.Select(e => e.Id), receiver.Events.Select(e => e.Id));
        Assert.Equal(5, delivery.Delivered);
        // The failed attempts and the good one carried the same batch under the same key.
        var expectedKey = $"{appended[0].Id}-{appended[^1].Id}";
        Assert.Equal([expectedKey, expectedKey, expectedKey], receiver.IdempotencyKeys);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_retried_and_nothing_is_marked_delivered()
    {
        await using var receiver = await ConsoleReceiver.StartAsync(_port, Key);
        Append("north-1", 0);
        Append("north-1", 1);
        const string wrongKey = "not-the-key-5b8e2a";
        using var delivery = Delivery(wrongKey);
        await delivery.StartAsync(CancellationToken.None);

        Assert.True(await Until(() => receiver.Unauthorized >= 2), $"refused {receiver.Unauthorized} times");
        await delivery.StopAsync(CancellationToken.None);

        Assert.Equal(2, _outbox.PendingCount());
        Assert.Equal(0, delivery.Delivered);
        Assert.Empty(receiver.Events);
        Assert.Contains("401", delivery.LastError);
        Assert.DoesNotContain(wrongKey, delivery.LastError);
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains(wrongKey));
        Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task A_backlog_goes_in_batches_of_100_each_keyed_by_its_first_and_last_id()
    {
        var appended = Enumerable.Range(0, 250).Select(i => Append(i % 2 == 0 ? "a" : "b", i)).ToList();
        await using var receiver = await ConsoleReceiver.StartAsync(_port, Key);
        using var delivery = Delivery(Key);
        await delivery.StartAsync(CancellationToken.None);

        Assert.True(await Until(() => _outbox.PendingCount() == 0), $"still pending: {_outbox.PendingCount()}");
        await delivery.StopAsync(CancellationToken.None);

        Assert.Equal(appended.Select(e => e.Seq), receiver.Events.Select(e => e.Seq));
        Assert.Equal(
            [$"{appended[0].Id}-{appended[99].Id}", $"{appended[100].Id}-{appended[199].Id}", $"{appended[200].Id}-{appended[249].Id}"],
            receiver.IdempotencyKeys);
    }

    [Fact]
    public async Task An_idle_delivery_sends_a_new_event_without_waiting_for_its_poll()
    {
        await using var receiver = await ConsoleReceiver.StartAsync(_port, Key);
        // The delivery's clock never moves: its poll never comes, so only the outbox's wake-up can send the events.
        using var delivery = Delivery(Key, new FakeTimeProvider(DateTimeOffset.UtcNow));
        await delivery.StartAsync(CancellationToken.None);
        Append("north-1", 0);
        Assert.True(await Until(() => delivery.Delivered == 1));

        Append("north-1", 1);
        Assert.True(await Until(() => delivery.Delivered == 2), "the second event waited for a poll");
        await delivery.StopAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 16)]
    [InlineData(6, 30)]
    [InlineData(40, 30)]
    [InlineData(int.MaxValue, 30)]
    public void Backoff_doubles_from_one_second_to_a_thirty_second_cap_plus_at_most_a_tenth(int failures, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), EventDelivery.Backoff(failures, 0));
        var jittered = EventDelivery.Backoff(failures, 0.999);
        Assert.InRange(jittered.TotalSeconds, seconds, seconds * 1.1);
    }

    [Fact]
    public void The_link_never_prints_its_key()
    {
        var link = new ConsoleLink(new Uri("https://ops:pw@console.example/gatewatch"), Key);

        Assert.DoesNotContain(Key, link.ToString());
        Assert.DoesNotContain("pw", link.Display);
        Assert.Equal("https://ops:pw@console.example/gatewatch/api/agents/events", link.EventsEndpoint.ToString());
        Assert.Equal("http://h:5/api/agents/events", new ConsoleLink(new Uri("http://h:5"), Key).EventsEndpoint.ToString());
    }

    private EventDelivery Delivery(string key, TimeProvider? time = null) =>
        new(_outbox, new ConsoleLink(new Uri($"http://127.0.0.1:{_port}/"), key), _http, time ?? TimeProvider.System, _log);

    private AgentEvent Append(string camera, int n) =>
        _outbox.Append(camera, "crossing", DateTimeOffset.UtcNow, JsonElement.Parse($$"""{"n":{{n}}}"""));

    private static async Task<bool> Until(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    public void Dispose()
    {
        _outbox.Dispose();
        _http.Dispose();
        _dir.Dispose();
    }
}
