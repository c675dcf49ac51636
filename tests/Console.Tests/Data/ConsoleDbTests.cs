using GateWatch.Central.Data;

namespace GateWatch.Central.Tests.Data;

public sealed class ConsoleDbTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gateconsole-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Migrating_twice_applies_each_step_once_and_leaves_a_wal_database()
    {
        var db = new ConsoleDb(Path.Combine(_dir, "console.db"));
        db.Migrate();
        db.Migrate();

        using var c = db.Open();
        Assert.Equal((long)Migrations.Steps.Count, ConsoleDb.Scalar(c, "SELECT COUNT(*) FROM schema_version"));
        Assert.Equal("wal", ConsoleDb.Scalar(c, "PRAGMA journal_mode"));
        Assert.Equal(0L, ConsoleDb.Scalar(c, "SELECT COUNT(*) FROM users"));
    }
}
