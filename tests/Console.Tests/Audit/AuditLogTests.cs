using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using GateWatch.Central.Audit;
using GateWatch.Central.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace GateWatch.Central.Tests.Audit;

public sealed class AuditLogTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Directory.CreateTempSubdirectory("gateconsole-audit-").FullName;
    private readonly ConsoleDb _db;
    private readonly FakeTimeProvider _time = new(Start);
    private readonly AuditLog _log;

    public AuditLogTests()
    {
        _db = new ConsoleDb(Path.Combine(_dir, "console.db"));
        _db.Migrate();
        _log = new AuditLog(_db, _time);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Appended_entries_form_a_chain_from_64_zeros_that_verifies()
    {
        var first = _log.Append("alice", AuditActions.Login, "console", AuditOutcomes.Ok, "from 10.0.0.5");
        _time.Advance(TimeSpan.FromSeconds(3));
        var second = _log.Append("alice", AuditActions.LiveView, "agent-1/gate-a", AuditOutcomes.Ok, "");

        Assert.Equal(1, first.Seq);
        Assert.Equal(new string('0', 64), first.PrevHash);
        Assert.Equal(Start, first.Time);
        Assert.Equal(2, second.Seq);
        Assert.Equal(first.Hash, second.PrevHash);
        Assert.Equal(Start.AddSeconds(3), second.Time);
        Assert.Matches("^[0-9a-f]{64}$", second.Hash);

        var v = _log.Verify();
        Assert.True(v.Ok, v.Problem);
        Assert.Equal(2, v.Count);
        Assert.Null(v.FirstBadSeq);
        Assert.Empty(v.Problems);
        Assert.Equal(2, v.LastSeq);
        Assert.Equal(second.Hash, v.LastHash);
    }

    [Fact]
    public void An_empty_log_verifies()
    {
        var v = _log.Verify();

        Assert.True(v.Ok);
        Assert.Equal(0, v.Count);
        Assert.Equal(0, v.LastSeq);
    }

    [Fact]
    public void The_hash_is_sha256_over_length_prefixed_utf8_fields_in_the_documented_order()
    {
        var e = _log.Append("zoë", AuditActions.Export, "case 2026-14", AuditOutcomes.Ok, "2 clips");

        var expected = new MemoryStream();
        foreach (var field in new[] { "1", Start.ToUnixTimeMilliseconds().ToString(), "zoë", "export", "case 2026-14", "ok", "2 clips", new string('0', 64) })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)bytes.Length);
            expected.Write(length);
            expected.Write(bytes);
        }

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expected.ToArray())), e.Hash);
        // Moving text across a field boundary changes the hash: the encoding is unambiguous.
        Assert.NotEqual(
            AuditLog.ComputeHash(1, 0, "ab", "c", "", "ok", "", AuditLog.GenesisHash),
            AuditLog.ComputeHash(1, 0, "a", "bc", "", "ok", "", AuditLog.GenesisHash));
    }

    [Fact]
    public void Update_and_delete_through_a_normal_connection_are_refused_by_the_triggers()
    {
        _log.Append("alice", AuditActions.Login, "console", AuditOutcomes.Ok, "");
        using var c = _db.Open();

        var update = Assert.Throws<SqliteException>(() => ConsoleDb.Exec(c, null, "UPDATE audit SET actor = 'mallory' WHERE seq = 1"));
        var delete = Assert.Throws<SqliteException>(() => ConsoleDb.Exec(c, null, "DELETE FROM audit"));

        Assert.Contains("audit is append-only", update.Message, StringComparison.Ordinal);
        Assert.Contains("audit is append-only", delete.Message, StringComparison.Ordinal);
        Assert.Equal("alice", ConsoleDb.Scalar(c, "SELECT actor FROM audit WHERE seq = 1"));
        Assert.True(_log.Verify().Ok);
    }

    [Fact]
    public void Read_pages_after_a_seq_and_filters_by_action()
    {
        for (var i = 0; i < 10; i++)
        {
            _log.Append("u" + i, i % 3 == 0 ? AuditActions.LoginFailed : AuditActions.Login, "console", i % 3 == 0 ? AuditOutcomes.Denied : AuditOutcomes.Ok, "");
        }

        var page = _log.Read(afterSeq: 4, limit: 3);
        Assert.Equal([5L, 6L, 7L], page.Select(e => e.Seq));
        Assert.Equal("u4", page[0].Actor);

        var failed = _log.Read(0, 100, AuditActions.LoginFailed);
        Assert.Equal([1L, 4L, 7L, 10L], failed.Select(e => e.Seq));
        Assert.All(failed, e => Assert.Equal(AuditOutcomes.Denied, e.Outcome));
        Assert.Empty(_log.Read(10, 5));
    }

    [Fact]
    public void An_entry_edited_behind_the_products_back_is_named()
    {
        AppendMany(20);
        Tamper("UPDATE audit SET detail = 'nothing happened' WHERE seq = 17");

        var v = _log.Verify();

        Assert.False(v.Ok);
        Assert.Equal(17, v.FirstBadSeq);
        Assert.Equal(["entry 17's hash does not match its contents"], v.Problems);
        Assert.Equal(20, v.Count);
    }

    [Fact]
    public void An_edited_entry_given_a_fresh_hash_breaks_the_link_to_the_next()
    {
        AppendMany(20);
        var e = _log.Read(16, 1)[0];
        var forged = AuditLog.ComputeHash(e.Seq, e.Time.ToUnixTimeMilliseconds(), e.Actor, e.Action, e.Target, AuditOutcomes.Denied, e.Detail, e.PrevHash);
        Tamper($"UPDATE audit SET outcome = 'denied', hash = '{forged}' WHERE seq = 17");

        var v = _log.Verify();

        Assert.False(v.Ok);
        Assert.Equal(18, v.FirstBadSeq);
        Assert.Equal(["entry 18 does not follow 17 (prev_hash)"], v.Problems);
    }

    [Fact]
    public void Deleted_entries_are_named_as_a_gap()
    {
        AppendMany(12);
        Tamper("DELETE FROM audit WHERE seq IN (5, 6)");

        var v = _log.Verify();

        Assert.False(v.Ok);
        Assert.Equal(5, v.FirstBadSeq);
        Assert.Equal(["entries 5-6 missing"], v.Problems);
        Assert.Equal(10, v.Count);
    }

    [Fact]
    public void Deleting_the_first_entry_or_a_single_one_is_named()
    {
        AppendMany(12);
        Tamper("DELETE FROM audit WHERE seq IN (1, 9)");

        var v = _log.Verify();

        Assert.Equal(1, v.FirstBadSeq);
        Assert.Equal(["entry 1 missing", "entry 9 missing"], v.Problems);
    }

    [Fact]
    public void Concurrent_appends_do_not_fork_the_chain()
    {
        var log = new AuditLog(_db, TimeProvider.System);

        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            for (var i = 0; i < 50; i++)
            {
                log.Append($"worker-{worker}", AuditActions.RecordingView, $"clip {i}", AuditOutcomes.Ok, "");
            }
        });

        var v = log.Verify();
        Assert.True(v.Ok, v.Problem);
        Assert.Equal(200, v.Count);
        Assert.Equal(200, v.LastSeq);
        var all = log.Read(0, 1000);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), all.Select(e => e.Seq));
        Assert.All(Enumerable.Range(0, 4), w => Assert.Equal(50, all.Count(e => e.Actor == $"worker-{w}")));
    }

    private void AppendMany(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            _log.Append("admin", AuditActions.ConfigChange, $"setting {i}", AuditOutcomes.Ok, $"value {i}");
            _time.Advance(TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>What someone with the database file could do: drop the guards, then edit.</summary>
    private void Tamper(string sql)
    {
        using var c = _db.Open();
        ConsoleDb.Exec(c, null, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;");
        ConsoleDb.Exec(c, null, sql);
    }
}
