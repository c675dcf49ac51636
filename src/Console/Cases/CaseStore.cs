using System.Text.Json;
using System.Text.Json.Serialization;
using GateWatch.Central.Data;
using Microsoft.Data.Sqlite;

namespace GateWatch.Central.Cases;

internal sealed record CaseSummary(long Id, string Number, string Description, string CreatedBy, DateTimeOffset Created, int Clips, int Packages);

internal sealed record CaseDetail(
    long Id, string Number, string Description, string CreatedBy, DateTimeOffset Created, IReadOnlyList<CaseClip> Clips, IReadOnlyList<CasePackage> Packages);

internal sealed record ClipGap(DateTimeOffset From, DateTimeOffset To);

/// <summary>A clip copied into a case. <see cref="File"/> (relative to the data folder) stays on the server.</summary>
internal sealed record CaseClip(
    long Id, string Agent, string Camera, DateTimeOffset From, DateTimeOffset To, string Reason, string AddedBy, DateTimeOffset Added,
    string Sha256, long Bytes, double DurationSeconds, IReadOnlyList<ClipGap> Gaps)
{
    [JsonIgnore]
    public string File { get; init; } = "";
}

/// <summary>An evidence package made of a case. <see cref="Path"/> (relative to the data folder) stays on the server.</summary>
internal sealed record CasePackage(long Id, string File, string Sha256, long Bytes, string CreatedBy, DateTimeOffset Created, string Download)
{
    [JsonIgnore]
    public string Path { get; init; } = "";
}

/// <summary>A case number that is already taken (numbers are unique, whatever their case).</summary>
internal sealed class DuplicateCaseException(string number) : Exception($"case number '{number}' is already taken");

/// <summary>Cases, their clips and packages in the console's database.</summary>
internal sealed class CaseStore(ConsoleDb db)
{
    /// <summary>SQLite's extended code for a UNIQUE constraint failure.</summary>
    private const int UniqueViolation = 2067;

    public IReadOnlyList<CaseSummary> List()
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT c.id, c.number, c.description, c.created_by, c.created_ms,
                   (SELECT COUNT(*) FROM case_clips WHERE case_id = c.id),
                   (SELECT COUNT(*) FROM case_packages WHERE case_id = c.id)
            FROM cases c ORDER BY c.created_ms DESC, c.id DESC
            """;
        using var r = cmd.ExecuteReader();
        var list = new List<CaseSummary>();
        while (r.Read())
        {
            list.Add(new CaseSummary(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), UtcTime.FromMs(r.GetInt64(4)), r.GetInt32(5), r.GetInt32(6)));
        }

        return list;
    }

    /// <exception cref="DuplicateCaseException">The number is taken.</exception>
    public CaseSummary Create(string number, string description, string by, DateTimeOffset now)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO cases (number, description, created_by, created_ms) VALUES ($n, $d, $by, $now) RETURNING id";
        cmd.Parameters.AddWithValue("$n", number);
        cmd.Parameters.AddWithValue("$d", description);
        cmd.Parameters.AddWithValue("$by", by);
        cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        try
        {
            var id = (long)cmd.ExecuteScalar()!;
            return new CaseSummary(id, number, description, by, UtcTime.FromMs(now.ToUnixTimeMilliseconds()), 0, 0);
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == UniqueViolation)
        {
            throw new DuplicateCaseException(number);
        }
    }

    public CaseDetail? Find(long id)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT number, description, created_by, created_ms FROM cases WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }

        return new CaseDetail(id, r.GetString(0), r.GetString(1), r.GetString(2), UtcTime.FromMs(r.GetInt64(3)), Clips(c, id), Packages(c, id));
    }

    /// <summary>Stores a clip whose file is at <paramref name="tempFile"/>, moving it to <c>cases/{case}/clips/{clip id}.mp4</c>.</summary>
    public CaseClip AddClip(string dataDir, long caseId, CaseClip clip, string tempFile)
    {
        using var c = db.Open();
        using var tx = c.BeginTransaction();
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO case_clips (case_id, agent, camera, from_ms, to_ms, reason, added_by, added_ms, file, sha256, bytes, duration_s, gaps)
            VALUES ($case, $agent, $camera, $from, $to, $reason, $by, $now, '', $sha, $bytes, $duration, $gaps) RETURNING id
            """;
        cmd.Parameters.AddWithValue("$case", caseId);
        cmd.Parameters.AddWithValue("$agent", clip.Agent);
        cmd.Parameters.AddWithValue("$camera", clip.Camera);
        cmd.Parameters.AddWithValue("$from", clip.From.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$to", clip.To.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$reason", clip.Reason);
        cmd.Parameters.AddWithValue("$by", clip.AddedBy);
        cmd.Parameters.AddWithValue("$now", clip.Added.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$sha", clip.Sha256);
        cmd.Parameters.AddWithValue("$bytes", clip.Bytes);
        cmd.Parameters.AddWithValue("$duration", clip.DurationSeconds);
        cmd.Parameters.AddWithValue("$gaps", JsonSerializer.Serialize(clip.Gaps, JsonSerializerOptions.Web));
        var id = (long)cmd.ExecuteScalar()!;

        // The file gets its final name inside the transaction: a failed move leaves no row naming a missing file.
        var relative = Path.Combine("cases", caseId.ToString(System.Globalization.CultureInfo.InvariantCulture), "clips", $"{id}.mp4");
        File.Move(tempFile, Path.Combine(dataDir, relative), overwrite: false);
        using var name = c.CreateCommand();
        name.Transaction = tx;
        name.CommandText = "UPDATE case_clips SET file = $file WHERE id = $id";
        name.Parameters.AddWithValue("$file", relative);
        name.Parameters.AddWithValue("$id", id);
        name.ExecuteNonQuery();
        tx.Commit();
        return clip with { Id = id, File = relative };
    }

    public CasePackage AddPackage(long caseId, string relativePath, string sha256, long bytes, string by, DateTimeOffset now)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO case_packages (case_id, file, sha256, bytes, created_by, created_ms) VALUES ($case, $file, $sha, $bytes, $by, $now) RETURNING id
            """;
        cmd.Parameters.AddWithValue("$case", caseId);
        cmd.Parameters.AddWithValue("$file", relativePath);
        cmd.Parameters.AddWithValue("$sha", sha256);
        cmd.Parameters.AddWithValue("$bytes", bytes);
        cmd.Parameters.AddWithValue("$by", by);
        cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        var id = (long)cmd.ExecuteScalar()!;
        return Package(id, caseId, relativePath, sha256, bytes, by, now.ToUnixTimeMilliseconds());
    }

    private static List<CaseClip> Clips(SqliteConnection c, long caseId)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT id, agent, camera, from_ms, to_ms, reason, added_by, added_ms, file, sha256, bytes, duration_s, gaps
            FROM case_clips WHERE case_id = $case ORDER BY id
            """;
        cmd.Parameters.AddWithValue("$case", caseId);
        using var r = cmd.ExecuteReader();
        var list = new List<CaseClip>();
        while (r.Read())
        {
            var gaps = JsonSerializer.Deserialize<List<ClipGap>>(r.GetString(12), JsonSerializerOptions.Web) ?? [];
            list.Add(new CaseClip(
                r.GetInt64(0), r.GetString(1), r.GetString(2), UtcTime.FromMs(r.GetInt64(3)), UtcTime.FromMs(r.GetInt64(4)), r.GetString(5), r.GetString(6),
                UtcTime.FromMs(r.GetInt64(7)), r.GetString(9), r.GetInt64(10), r.GetDouble(11), gaps) { File = r.GetString(8) });
        }

        return list;
    }

    private static List<CasePackage> Packages(SqliteConnection c, long caseId)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, file, sha256, bytes, created_by, created_ms FROM case_packages WHERE case_id = $case ORDER BY id";
        cmd.Parameters.AddWithValue("$case", caseId);
        using var r = cmd.ExecuteReader();
        var list = new List<CasePackage>();
        while (r.Read())
        {
            list.Add(Package(r.GetInt64(0), caseId, r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetInt64(5)));
        }

        return list;
    }

    private static CasePackage Package(long id, long caseId, string relativePath, string sha256, long bytes, string by, long createdMs) =>
        new(id, Path.GetFileName(relativePath), sha256, bytes, by, UtcTime.FromMs(createdMs),
            $"/api/cases/{caseId}/packages/{id}/download") { Path = relativePath };
}
