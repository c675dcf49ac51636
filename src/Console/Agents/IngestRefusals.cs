using System.Globalization;
using GateWatch.Central.Audit;

namespace GateWatch.Central.Agents;

/// <summary>
/// Audits refused event deliveries without letting a flood of them flood the audit log. The ingest endpoint is
/// open to anyone on the network (agents present a key, not a session), so each refused POST costs its sender
/// nothing and would cost the console an audit row forever. Per source (a remote address, or an agent whose
/// events are rejected), the first refusal of each <see cref="Window"/> is audited in full and the rest are
/// counted; when the window ends one summary row says how many more came, between when and when, and the last
/// reason. An auditor still sees every source and every minute it was refused; the log grows by at most two
/// rows per source per minute.
/// </summary>
internal sealed partial class IngestRefusals : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Sources followed at once. Ten thousand windows are about a megabyte; beyond them, refusals from new sources
    /// are counted together under one entry rather than let an address-hopping flood grow memory.
    /// </summary>
    public const int MaxSources = 10_000;

    private const string Overflow = "(other sources)";

    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly ILogger<IngestRefusals> _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Counted> _open = new(StringComparer.Ordinal);
    private readonly ITimer _timer;
    private readonly int _maxSources;

    public IngestRefusals(AuditLog audit, TimeProvider time, ILogger<IngestRefusals> log, int maxSources = MaxSources)
    {
        _maxSources = maxSources;
        _audit = audit;
        _time = time;
        _log = log;
        _timer = time.CreateTimer(_ => Flush(), null, Window, Window);
    }

    private sealed class Counted(DateTimeOffset since, string target)
    {
        public DateTimeOffset Since { get; } = since;

        public DateTimeOffset Last { get; set; } = since;

        public int More { get; set; }

        public string Target { get; set; } = target;

        public string Why { get; set; } = "";
    }

    /// <summary>Sources with an open window now.</summary>
    public int Followed
    {
        get
        {
            lock (_lock)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>Audits (or counts) one refusal by <paramref name="actor"/>, e.g. "remote:10.0.0.9" or "agent:gate-north".</summary>
    public void Refused(string actor, string target, string why)
    {
        var now = _time.GetUtcNow();
        (string Actor, Counted Window)? ended = null;
        lock (_lock)
        {
            if (!_open.TryGetValue(actor, out var open) && _open.Count >= _maxSources)
            {
                actor = Overflow;
                _open.TryGetValue(actor, out open);
            }

            if (open is not null && now - open.Since < Window)
            {
                open.More++;
                open.Last = now;
                open.Target = target;
                open.Why = why;
                return;
            }

            if (open is not null)
            {
                ended = (actor, open);
            }

            _open[actor] = new Counted(now, target);
        }

        if (ended is { } e)
        {
            Summarise(e.Actor, e.Window);
        }

        Log.Refused(_log, actor, why);
        _audit.Append(actor, AuditActions.IngestRefused, target, AuditOutcomes.Denied, why);
    }

    /// <summary>Closes every window that has ended, writing its summary; the timer calls it every <see cref="Window"/>.</summary>
    public void Flush()
    {
        var now = _time.GetUtcNow();
        List<(string, Counted)> ended;
        lock (_lock)
        {
            ended = [.. _open.Where(kv => now - kv.Value.Since >= Window).Select(kv => (kv.Key, kv.Value))];
            foreach (var (actor, _) in ended)
            {
                _open.Remove(actor);
            }
        }

        foreach (var (actor, window) in ended)
        {
            try
            {
                Summarise(actor, window);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
            {
                // A timer's callback must not throw (it would end the console); the count is lost, the log says so.
                Log.SummaryLost(_log, actor, window.More, e.Message);
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Summarise(string actor, Counted window)
    {
        if (window.More == 0)
        {
            return;
        }

        var detail = string.Create(CultureInfo.InvariantCulture,
            $"{window.More} more refused from {UtcTime.Format(window.Since)} to {UtcTime.Format(window.Last)} (not audited one by one); the last: {window.Why}");
        _audit.Append(actor, AuditActions.IngestRefused, window.Target, AuditOutcomes.Denied, detail);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "event ingest refused for {Actor}: {Why}")]
        public static partial void Refused(ILogger log, string actor, string why);

        [LoggerMessage(Level = LogLevel.Error, Message = "could not audit {More} further ingest refusals by {Actor}: {Why}")]
        public static partial void SummaryLost(ILogger log, string actor, int more, string why);
    }
}
