using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace GateWatch.Agent.Outbox;

/// <summary>
/// Every event the agent produces, in one SQLite file, written before anything else happens to it.
/// Delivery reads <see cref="Pending"/> and marks what the console accepted; the local API reads by cursor.
/// Delivered events stay, so the API can still serve them.
/// </summary>
internal sealed class EventOutbox : IDisposable
{
    private const string Columns = "seq, id, agent, camera, type, time_ms, data";

    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();
    private readonly string _agentId;
    private readonly TimeProvider _time;

    public EventOutbox(string dbPath, string agentId, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentId);
        _agentId = agentId;
        _time = time;
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = dbPath, Pooling = false }.ToString());
        _db.Open();
        // FULL, unlike the segment index: in WAL mode it syncs the log on every commit, so an event
        // survives a power cut once Append returns. Nothing else could re-create a lost event.
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        // AUTOINCREMENT so a seq is never handed out twice, even after the newest rows are deleted:
        // readers hold seqs as cursors.
        Execute("""
            CREATE TABLE IF NOT EXISTS events (
                seq           INTEGER PRIMARY KEY AUTOINCREMENT,
                id            TEXT NOT NULL UNIQUE,
                agent         TEXT NOT NULL,
                camera        TEXT NOT NULL,
                type          TEXT NOT NULL,
                time_ms       INTEGER NOT NULL,
                data          TEXT NOT NULL,
                created_ms    INTEGER NOT NULL,
                delivered_ms  INTEGER
            );
            CREATE INDEX IF NOT EXISTS events_pending ON events (seq) WHERE delivered_ms IS NULL;
            CREATE INDEX IF NOT EXISTS events_by_camera ON events (camera, seq);
            """);
    }

    /// <summary>Raised after an event is stored, outside the lock, so delivery need not wait for its poll.</summary>
    public event EventHandler? Appended;

    /// <summary>Stores an event durably and returns it with its seq and id.</summary>
    /// <param name="data">A JSON object; an undefined element is stored as <c>{}</c>.</param>
    public AgentEvent Append(string camera, string type, DateTimeOffset time, JsonElement data)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(camera);
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        if (data.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
        {
            throw new ArgumentException($"Event data must be a JSON object, not {data.ValueKind}.", nameof(data));
        }

        // The store keeps milliseconds; rounding here makes the returned event equal what a reader gets back.
        var at = DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
        var now = _time.GetUtcNow();
        var id = Guid.CreateVersion7(now).ToString("N");
        var json = data.ValueKind == JsonValueKind.Undefined ? "{}" : data.GetRawText();
        AgentEvent stored;
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                INSERT INTO events (id, agent, camera, type, time_ms, data, created_ms)
                VALUES ($id, $agent, $camera, $type, $time, $data, $created)
                RETURNING seq
                """;
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$agent", _agentId);
            cmd.Parameters.AddWithValue("$camera", camera);
            cmd.Parameters.AddWithValue("$type", type);
            cmd.Parameters.AddWithValue("$time", at.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$data", json);
            cmd.Parameters.AddWithValue("$created", now.ToUnixTimeMilliseconds());
            var seq = (long)cmd.ExecuteScalar()!;
            stored = new AgentEvent(seq, id, _agentId, camera, type, at, JsonElement.Parse(json));
        }

        Appended?.Invoke(this, EventArgs.Empty);
        return stored;
    }

    /// <summary>Events with seq greater than <paramref name="cursor"/>, oldest first, delivered or not.</summary>
    public IReadOnlyList<AgentEvent> ReadAfter(long cursor, int limit, string? camera = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = camera is null
                ? $"SELECT {Columns} FROM events WHERE seq > $cursor ORDER BY seq LIMIT $limit"
                : $"SELECT {Columns} FROM events WHERE camera = $camera AND seq > $cursor ORDER BY seq LIMIT $limit";
            cmd.Parameters.AddWithValue("$cursor", cursor);
            cmd.Parameters.AddWithValue("$limit", limit);
            if (camera is not null)
            {
                cmd.Parameters.AddWithValue("$camera", camera);
            }

            return Read(cmd);
        }
    }

    /// <summary>Undelivered events in seq order, which is also each camera's own order.</summary>
    public IReadOnlyList<AgentEvent> Pending(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = $"SELECT {Columns} FROM events WHERE delivered_ms IS NULL ORDER BY seq LIMIT $limit";
            cmd.Parameters.AddWithValue("$limit", limit);
            return Read(cmd);
        }
    }

    /// <summary>Records that the console accepted these events; the first delivery time is kept.</summary>
    public void MarkDelivered(IReadOnlyCollection<long> seqs, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        if (seqs.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            // One transaction: one sync for the whole batch instead of one per event.
            using var tx = _db.BeginTransaction();
            using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "UPDATE events SET delivered_ms = $at WHERE seq = $seq AND delivered_ms IS NULL";
            var seqParam = cmd.Parameters.Add("$seq", SqliteType.Integer);
            cmd.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            foreach (var seq in seqs)
            {
                seqParam.Value = seq;
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    public long PendingCount()
    {
        lock (_gate)
        {
            return Scalar("SELECT COUNT(*) FROM events WHERE delivered_ms IS NULL");
        }
    }

    /// <summary>The newest seq, 0 when the outbox is empty.</summary>
    public long LastSeq()
    {
        lock (_gate)
        {
            // From AUTOINCREMENT's own counter: MAX(seq) would go back to 0 once old events are pruned.
            return Scalar("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)");
        }
    }

    /// <summary>
    /// Drops events older than <paramref name="before"/> that the console already has. With no console
    /// (<paramref name="undeliveredToo"/>) the local API is the only reader, and old events go regardless.
    /// </summary>
    public int Prune(DateTimeOffset before, bool undeliveredToo)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = undeliveredToo
                ? "DELETE FROM events WHERE time_ms < $before"
                : "DELETE FROM events WHERE time_ms < $before AND delivered_ms IS NOT NULL";
            cmd.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            return cmd.ExecuteNonQuery();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _db.Dispose();
        }
    }

    private static List<AgentEvent> Read(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<AgentEvent>();
        while (r.Read())
        {
            list.Add(new AgentEvent(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)), JsonElement.Parse(r.GetString(6))));
        }

        return list;
    }

    private long Scalar(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }

    private void Execute(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
