using System.Buffers.Binary;
using System.Data;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GateWatch.Central.Data;
using Microsoft.Data.Sqlite;

namespace GateWatch.Central.Audit;

/// <summary>One audit record as stored.</summary>
/// <param name="Seq">1, 2, 3, ... with no gaps: a gap means an entry was removed.</param>
/// <param name="PrevHash">The previous entry's <paramref name="Hash"/>; 64 zeros for entry 1.</param>
/// <param name="Hash">Lowercase hex SHA-256 of this entry; see <see cref="AuditLog.ComputeHash"/>.</param>
internal sealed record AuditEntry(
    long Seq, DateTimeOffset Time, string Actor, string Action, string Target, string Outcome, string Detail, string PrevHash, string Hash);

/// <summary>The result of walking the whole chain.</summary>
/// <param name="Count">Entries read.</param>
/// <param name="FirstBadSeq">The first entry found wrong; null when the chain is intact.</param>
/// <param name="Problems">What is wrong, in chain order (at most <see cref="AuditLog.MaxProblems"/>).</param>
/// <param name="LastSeq">The newest entry (0 when empty). A hash chain cannot show that its newest entries
/// were cut off, so an administrator who notes LastSeq and LastHash can later check that they are still there.</param>
internal sealed record AuditVerification(bool Ok, long Count, long? FirstBadSeq, IReadOnlyList<string> Problems, long LastSeq, string LastHash)
{
    /// <summary>The first problem, or null when the chain is intact.</summary>
    public string? Problem => Problems.Count > 0 ? Problems[0] : null;
}

/// <summary>
/// The append-only, hash-chained audit log (table <c>audit</c>, migration step 2). Triggers refuse every
/// UPDATE and DELETE, so nothing in the product can edit it; the chain makes any edit made outside the
/// product (with the triggers dropped) visible to <see cref="Verify"/>.
/// </summary>
internal sealed class AuditLog(ConsoleDb db, TimeProvider time)
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Verify stops collecting after this many; a wholesale rewrite need not produce a million lines.</summary>
    public const int MaxProblems = 100;

    private const string Columns = "seq, time_ms, actor, action, target, outcome, detail, prev_hash, hash";

    public AuditEntry Append(string actor, string action, string target, string outcome, string detail)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(outcome);
        ArgumentNullException.ThrowIfNull(detail);

        using var c = db.Open();
        // IMMEDIATE takes the write lock before the last entry is read, so two appends (threads or
        // processes) cannot both build on the same predecessor and fork the chain; the second waits
        // (busy_timeout) and then reads the first one's entry.
        using var tx = c.BeginTransaction(IsolationLevel.Serializable, deferred: false);

        long prevSeq = 0;
        var prevHash = GenesisHash;
        using (var last = c.CreateCommand())
        {
            last.Transaction = tx;
            last.CommandText = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
            using var r = last.ExecuteReader();
            if (r.Read())
            {
                prevSeq = r.GetInt64(0);
                prevHash = r.GetString(1);
            }
        }

        // The clock is read under the lock too, so entry times rise with seq whenever the clock does.
        var timeMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var seq = prevSeq + 1;
        var hash = ComputeHash(seq, timeMs, actor, action, target, outcome, detail, prevHash);

        using (var insert = c.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = $"INSERT INTO audit ({Columns}) VALUES ($seq, $time, $actor, $action, $target, $outcome, $detail, $prev, $hash)";
            insert.Parameters.AddWithValue("$seq", seq);
            insert.Parameters.AddWithValue("$time", timeMs);
            insert.Parameters.AddWithValue("$actor", actor);
            insert.Parameters.AddWithValue("$action", action);
            insert.Parameters.AddWithValue("$target", target);
            insert.Parameters.AddWithValue("$outcome", outcome);
            insert.Parameters.AddWithValue("$detail", detail);
            insert.Parameters.AddWithValue("$prev", prevHash);
            insert.Parameters.AddWithValue("$hash", hash);
            insert.ExecuteNonQuery();
        }

        tx.Commit();
        return new AuditEntry(seq, DateTimeOffset.FromUnixTimeMilliseconds(timeMs), actor, action, target, outcome, detail, prevHash, hash);
    }

    /// <summary>Up to <paramref name="limit"/> entries after <paramref name="afterSeq"/>, oldest first; optionally one action only.</summary>
    public IReadOnlyList<AuditEntry> Read(long afterSeq, int limit, string? action = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM audit WHERE seq > $after"
            + (action is null ? "" : " AND action = $action")
            + " ORDER BY seq LIMIT $limit";
        cmd.Parameters.AddWithValue("$after", afterSeq);
        cmd.Parameters.AddWithValue("$limit", limit);
        if (action is not null)
        {
            cmd.Parameters.AddWithValue("$action", action);
        }

        using var r = cmd.ExecuteReader();
        var entries = new List<AuditEntry>();
        while (r.Read())
        {
            entries.Add(ReadEntry(r));
        }

        return entries;
    }

    /// <summary>
    /// Walks the whole chain from entry 1: every seq present, every hash matching its entry's contents,
    /// every prev_hash equal to the entry before's hash. Reads one snapshot (WAL), so appends carry on meanwhile.
    /// </summary>
    public AuditVerification Verify()
    {
        using var c = db.Open();
        using var tx = c.BeginTransaction(deferred: true);
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"SELECT {Columns} FROM audit ORDER BY seq";
        using var r = cmd.ExecuteReader();

        var problems = new List<string>();
        long? firstBad = null;
        long count = 0;
        long prevSeq = 0;
        string? prevHash = GenesisHash; // null: the entry before could not be read, so there is nothing to link to

        void Problem(long seq, string text)
        {
            firstBad ??= seq;
            if (problems.Count < MaxProblems)
            {
                problems.Add(text);
            }
        }

        while (r.Read())
        {
            count++;
            AuditEntry e;
            try
            {
                e = ReadEntry(r);
            }
            catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException)
            {
                // Only an edit outside the product can store a value of the wrong type; name it and go on.
                var seq = r.GetInt64(0);
                Problem(seq, $"entry {seq} cannot be read ({ex.Message})");
                prevSeq = seq;
                prevHash = null;
                continue;
            }

            var gap = e.Seq != prevSeq + 1;
            if (gap)
            {
                Problem(prevSeq + 1, e.Seq - 1 == prevSeq + 1
                    ? $"entry {prevSeq + 1} missing"
                    : $"entries {prevSeq + 1}-{e.Seq - 1} missing");
            }

            if (ComputeHash(e.Seq, e.Time.ToUnixTimeMilliseconds(), e.Actor, e.Action, e.Target, e.Outcome, e.Detail, e.PrevHash) != e.Hash)
            {
                Problem(e.Seq, $"entry {e.Seq}'s hash does not match its contents");
            }

            // After a gap the link is broken by construction; the gap already says why.
            if (!gap && prevHash is not null && e.PrevHash != prevHash)
            {
                Problem(e.Seq, e.Seq == 1
                    ? "entry 1 does not start the chain (prev_hash is not 64 zeros)"
                    : $"entry {e.Seq} does not follow {prevSeq} (prev_hash)");
            }

            prevSeq = e.Seq;
            prevHash = e.Hash;
        }

        return new AuditVerification(firstBad is null, count, firstBad, problems, prevSeq, prevHash ?? "");
    }

    /// <summary>
    /// An entry's hash: lowercase hex SHA-256 over the fields seq, time_ms, actor, action, target, outcome,
    /// detail, prev_hash, in that order, each written as a 4-byte big-endian byte count followed by that
    /// many bytes of UTF-8 (seq and time_ms as invariant decimal digits, e.g. "17", "1767225600000").
    /// The length prefixes keep the encoding unambiguous: no choice of field text can make two different
    /// entries encode to the same bytes.
    /// </summary>
    public static string ComputeHash(long seq, long timeMs, string actor, string action, string target, string outcome, string detail, string prevHash)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var field in (ReadOnlySpan<string>)[
            seq.ToString(CultureInfo.InvariantCulture), timeMs.ToString(CultureInfo.InvariantCulture),
            actor, action, target, outcome, detail, prevHash])
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)bytes.Length);
            sha.AppendData(length);
            sha.AppendData(bytes);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static AuditEntry ReadEntry(SqliteDataReader r) => new(
        r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
        r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetString(8));
}
