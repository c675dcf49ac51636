using System.Data;
using GateWatch.Central.Audit;
using GateWatch.Central.Data;

namespace GateWatch.Central.Plates;

/// <summary>What one sweep did: reads deleted, old reads kept because a case's clip covers them, past visitor entries deleted.</summary>
internal sealed record SweepResult(int Deleted, int KeptForCases, int VisitorsDeleted);

/// <summary>
/// Plate reads are personal data: who drove through which gate when. They are kept for the console's
/// retention period (<see cref="ConsoleSettings.PlateRetention"/>) and then deleted, together with the plate in
/// the crossing event they came from, unless their moment is inside a clip of a case: evidence keeps what it
/// shows. Visitor entries for days past the period go too. Sweeps run at start and every
/// <see cref="SweepEvery"/> on the console's clock (a <see cref="TimeProvider"/> timer, so a test's fake
/// clock drives them).
/// </summary>
internal sealed partial class PlateRetention(ConsoleDb db, ConsoleSettings settings, TimeProvider time, AuditLog audit, ILogger<PlateRetention> log)
    : IHostedService, IDisposable
{
    public static readonly TimeSpan SweepEvery = TimeSpan.FromHours(1);

    private const string Expired = """
        p.time_ms < $cut AND NOT EXISTS (
            SELECT 1 FROM case_clips k WHERE k.agent = p.agent AND k.camera = p.camera AND p.time_ms >= k.from_ms AND p.time_ms <= k.to_ms)
        """;

    private ITimer? _timer;
    private int _running;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = time.CreateTimer(_ => Tick(), null, TimeSpan.Zero, SweepEvery);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private void Tick()
    {
        // A sweep that outlasts the period is not run twice at once.
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return;
        }

        try
        {
            Sweep();
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException)
        {
            // The next tick tries again: a database busy for five seconds must not end the timer, nor the console
            // (an exception escaping a timer's callback ends the process).
            Log.SweepFailed(log, e.Message);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>Deletes what is older than the retention period now; audited when it deleted anything.</summary>
    public SweepResult Sweep()
    {
        var now = time.GetUtcNow();
        var cut = now - settings.PlateRetention;
        var cutMs = cut.ToUnixTimeMilliseconds();
        using var c = db.Open();
        // A visitor entry goes when its whole day (in the gates' time zone) is older than the period.
        var cutDay = PlateConfig.Settings(c, null).DayAt(cut).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        // IMMEDIATE: no read arrives between choosing what goes and deleting it.
        using var tx = c.BeginTransaction(IsolationLevel.Serializable, deferred: false);
        int Run(string sql)
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            cmd.Parameters.AddWithValue("$cut", cutMs);
            cmd.Parameters.AddWithValue("$day", cutDay);
            return cmd.ExecuteNonQuery();
        }

        // The event keeps its crossing (the counts do not change), without the plate.
        Run($"UPDATE events SET data = json_remove(data, '$.plate') WHERE id IN (SELECT p.event_id FROM plate_reads p WHERE {Expired})");
        var deleted = Run($"DELETE FROM plate_reads AS p WHERE {Expired}");
        var visitors = Run("DELETE FROM plate_visitors WHERE day < $day");
        int kept;
        using (var count = c.CreateCommand())
        {
            count.Transaction = tx;
            count.CommandText = "SELECT COUNT(*) FROM plate_reads WHERE time_ms < $cut";
            count.Parameters.AddWithValue("$cut", cutMs);
            kept = Convert.ToInt32(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        tx.Commit();
        if (deleted > 0 || visitors > 0)
        {
            audit.Append("system", AuditActions.PlateRetention, "plate-reads", AuditOutcomes.Ok,
                $"retention {settings.PlateRetention.TotalDays:0.##} days: {deleted} read(s) before {UtcTime.Format(cut)} deleted, " +
                $"{kept} older kept for cases; {visitors} visitor entr{(visitors == 1 ? "y" : "ies")} before {cutDay} deleted");
        }

        return new SweepResult(deleted, kept, visitors);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "plate retention sweep failed, tried again in an hour: {Why}")]
        public static partial void SweepFailed(ILogger log, string why);
    }
}
