using Microsoft.Data.Sqlite;

namespace GateWatch.Agent.Record;

/// <summary>A recorded file: which camera, which span of wall-clock time, how big, and whether ffmpeg finished it.</summary>
internal sealed record Segment(string Camera, DateTimeOffset Start, DateTimeOffset End, string Path, long Bytes, bool Complete);

/// <summary>
/// The local index of recorded segments in one SQLite file (WAL, so a reader never blocks the recorder
/// and a power cut loses at most the last transaction, which healing re-creates from the files).
/// </summary>
internal sealed class SegmentIndex : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();

    public SegmentIndex(string path)
    {
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        Execute("""
            CREATE TABLE IF NOT EXISTS segments (
                path      TEXT PRIMARY KEY,
                camera    TEXT NOT NULL,
                start_ms  INTEGER NOT NULL,
                end_ms    INTEGER NOT NULL,
                bytes     INTEGER NOT NULL,
                complete  INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS segments_by_camera_start ON segments (camera, start_ms);
            CREATE TABLE IF NOT EXISTS protections (
                id       INTEGER PRIMARY KEY,
                camera   TEXT NOT NULL,
                from_ms  INTEGER NOT NULL,
                to_ms    INTEGER NOT NULL,
                reason   TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS protections_by_camera ON protections (camera, from_ms);
            """);
    }

    public void Upsert(Segment s)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                INSERT INTO segments (path, camera, start_ms, end_ms, bytes, complete)
                VALUES ($path, $camera, $start, $end, $bytes, $complete)
                ON CONFLICT (path) DO UPDATE SET camera = $camera, start_ms = $start, end_ms = $end, bytes = $bytes, complete = $complete
                """;
            cmd.Parameters.AddWithValue("$path", s.Path);
            cmd.Parameters.AddWithValue("$camera", s.Camera);
            cmd.Parameters.AddWithValue("$start", s.Start.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$end", s.End.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$bytes", s.Bytes);
            cmd.Parameters.AddWithValue("$complete", s.Complete ? 1 : 0);
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Segments of a camera overlapping [from, to), oldest first.</summary>
    public List<Segment> List(string camera, DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                SELECT camera, start_ms, end_ms, path, bytes, complete FROM segments
                WHERE camera = $camera AND end_ms > $from AND start_ms < $to ORDER BY start_ms
                """;
            cmd.Parameters.AddWithValue("$camera", camera);
            cmd.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            using var r = cmd.ExecuteReader();
            var list = new List<Segment>();
            while (r.Read())
            {
                list.Add(new Segment(r.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
                    DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), r.GetString(3), r.GetInt64(4), r.GetInt64(5) != 0));
            }

            return list;
        }
    }

    public bool Contains(string path)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT 1 FROM segments WHERE path = $path";
            cmd.Parameters.AddWithValue("$path", path);
            return cmd.ExecuteScalar() is not null;
        }
    }

    /// <summary>
    /// Marks a camera's footage in [from, to] as not to be deleted by retention. Spans are only ever added:
    /// an episode that goes on simply protects again with a later end, and overlapping rows are harmless.
    /// </summary>
    public void Protect(string camera, DateTimeOffset from, DateTimeOffset to, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(camera);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (to < from)
        {
            throw new ArgumentException($"protection of camera {camera} ends ({to:O}) before it starts ({from:O})", nameof(to));
        }

        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO protections (camera, from_ms, to_ms, reason) VALUES ($camera, $from, $to, $reason)";
            cmd.Parameters.AddWithValue("$camera", camera);
            cmd.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$reason", reason);
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Whether any protection of the segment's camera touches [Start, End]; touching ends count, so pre-roll never loses a boundary segment.</summary>
    public bool IsProtected(Segment s)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT 1 FROM protections WHERE camera = $camera AND from_ms <= $end AND to_ms >= $start LIMIT 1";
            cmd.Parameters.AddWithValue("$camera", s.Camera);
            cmd.Parameters.AddWithValue("$start", s.Start.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$end", s.End.ToUnixTimeMilliseconds());
            return cmd.ExecuteScalar() is not null;
        }
    }

    public void Remove(string path)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM segments WHERE path = $path";
            cmd.Parameters.AddWithValue("$path", path);
            cmd.ExecuteNonQuery();
        }
    }

    public IReadOnlyList<string> Cameras()
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT DISTINCT camera FROM segments ORDER BY camera";
            using var r = cmd.ExecuteReader();
            var list = new List<string>();
            while (r.Read())
            {
                list.Add(r.GetString(0));
            }

            return list;
        }
    }

    /// <summary>Bytes of a camera's indexed segments, as the index recorded them.</summary>
    public long TotalBytes(string camera)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT COALESCE(SUM(bytes), 0) FROM segments WHERE camera = $camera";
            cmd.Parameters.AddWithValue("$camera", camera);
            return (long)cmd.ExecuteScalar()!;
        }
    }

    private void Execute(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _db.Dispose();
}
