using GateWatch.Shared.Hosting;
using Microsoft.Data.Sqlite;

namespace GateWatch.Central.Data;

/// <summary>The database cannot be used by this console; the message says why and what to do.</summary>
internal sealed class ConsoleDbException(string message) : Exception(message);

/// <summary>
/// The console's one SQLite file (WAL: readers never wait on the writer). Each caller opens its own
/// connection and disposes it; SQLite pools nothing that matters at this size, and no connection is
/// shared across threads.
/// </summary>
internal sealed class ConsoleDb(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public SqliteConnection Open()
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            ForeignKeys = true,
        }.ToString());
        db.Open();
        using var pragma = db.CreateCommand();
        // busy_timeout: a writer waits for another's transaction instead of failing at once.
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;";
        pragma.ExecuteNonQuery();
        return db;
    }

    /// <summary>Brings the schema to the newest version; each step runs once, in order, in its own transaction.</summary>
    public void Migrate()
    {
        DataFolder.RequireWritable(System.IO.Path.GetDirectoryName(Path)!, "--data");
        using var db = Open();
        Exec(db, null, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        var current = Convert.ToInt32(Scalar(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version"), System.Globalization.CultureInfo.InvariantCulture);
        if (current > Migrations.Steps.Count)
        {
            // A newer console added tables and meanings this one does not know: writing to it could corrupt them.
            throw new ConsoleDbException(
                $"{Path} is schema version {current}, made by a newer GateWatch console than this one (which knows up to {Migrations.Steps.Count}); "
                + "nothing was changed. Run the newer console, or restore a backup made by this version.");
        }

        for (var v = current + 1; v <= Migrations.Steps.Count; v++)
        {
            using var tx = db.BeginTransaction();
            Exec(db, tx, Migrations.Steps[v - 1]);
            Exec(db, tx, $"INSERT INTO schema_version (version) VALUES ({v})");
            tx.Commit();
        }
    }

    /// <summary>The watchdog's liveness check: the file opens and answers a query (a wedged disk or lock does not).</summary>
    public bool Answers()
    {
        try
        {
            using var db = Open();
            return Convert.ToInt32(Scalar(db, "SELECT 1"), System.Globalization.CultureInfo.InvariantCulture) == 1;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    public static void Exec(SqliteConnection db, SqliteTransaction? tx, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
