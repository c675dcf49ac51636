using System.Net;
using System.Net.Http.Json;
using GateWatch.Central.Agents;
using GateWatch.Central.Audit;
using GateWatch.Central.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GateWatch.Central.Tests.Agents;

/// <summary>Anonymous POSTs to the open ingest endpoint cannot flood the audit log: the first per source and minute in full, the rest summed up.</summary>
public sealed class IngestRefusalsTests : IAsyncLifetime
{
    private TestConsole _console = null!;

    public async Task InitializeAsync() => _console = await TestConsole.StartAsync();

    public async Task DisposeAsync() => await _console.DisposeAsync();

    private List<AuditEntry> Refusals() =>
        [.. _console.Services.GetRequiredService<AuditLog>().Read(0, 10_000, AuditActions.IngestRefused)];

    [Fact]
    public async Task A_flood_of_keyless_posts_writes_one_row_then_one_summary_per_minute()
    {
        using var http = _console.Client();
        var batch = new { agent = "gate-north", events = Array.Empty<object>() };
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("api/agents/events", batch)).StatusCode);
        }

        var first = Assert.Single(Refusals());
        Assert.Equal(("remote:127.0.0.1", "no agent key"), (first.Actor, first.Detail));

        // The window ends: its count is written once, by the console's own timer.
        _console.Time.Advance(IngestRefusals.Window);
        var rows = Refusals();
        Assert.Equal(2, rows.Count);
        Assert.StartsWith("199 more refused from ", rows[1].Detail, StringComparison.Ordinal);
        Assert.EndsWith("the last: no agent key", rows[1].Detail, StringComparison.Ordinal);
        Assert.Equal(AuditOutcomes.Denied, rows[1].Outcome);

        // The next minute's first refusal is audited in full again; nothing more is summed up when nothing more came.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("api/agents/events", batch)).StatusCode);
        _console.Time.Advance(IngestRefusals.Window);
        Assert.Equal(3, Refusals().Count);
        Assert.True(_console.Services.GetRequiredService<AuditLog>().Verify().Ok);
    }

    [Fact]
    public void Sources_beyond_the_bound_are_counted_together_and_the_windows_are_forgotten_when_they_end()
    {
        var audit = _console.Services.GetRequiredService<AuditLog>();
        using var refusals = new IngestRefusals(audit, _console.Time, NullLogger<IngestRefusals>.Instance, maxSources: 20);
        for (var i = 0; i < 100; i++)
        {
            refusals.Refused($"remote:10.0.{i / 250}.{i % 250}", "events", "no agent key");
        }

        // 20 followed one by one, and one entry for all the others.
        Assert.Equal(21, refusals.Followed);
        Assert.Equal(21, Refusals().Count);
        Assert.Equal("(other sources)", Refusals()[^1].Actor);

        _console.Time.Advance(IngestRefusals.Window);
        refusals.Flush();
        Assert.Equal(0, refusals.Followed);
        var summary = Refusals()[^1];
        Assert.Equal("(other sources)", summary.Actor);
        Assert.StartsWith("79 more refused", summary.Detail, StringComparison.Ordinal);
    }
}
