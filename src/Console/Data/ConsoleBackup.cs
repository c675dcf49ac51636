using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using GateWatch.Central.Evidence;
using Microsoft.Data.Sqlite;

namespace GateWatch.Central.Data;

/// <summary>A backup that cannot be made or brought back; the message says what is wrong and that nothing was changed.</summary>
internal sealed class BackupException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One file of a backup, as the manifest lists it.</summary>
internal sealed record BackupFile(string Path, long Bytes, string Sha256);

/// <summary>What a backup holds: <c>backup.json</c>, the first entry of the zip.</summary>
internal sealed record BackupManifest(int Format, int Schema, DateTimeOffset Created, IReadOnlyList<BackupFile> Files);

/// <summary>
/// The console's whole state in one zip, taken while it runs: the database by SQLite's online backup (a consistent
/// copy, whatever is being written meanwhile), the evidence-signing key (without it no package signed before can be
/// told from a forgery), and the cases' clips and packages. Restored only into an empty folder, and only when every
/// file is whole: a truncated or altered backup, or one from a newer console, is refused before anything is written.
/// </summary>
internal static class ConsoleBackup
{
    public const int Format = 1;
    public const string ManifestEntry = "backup.json";
    private const string DatabaseEntry = "console.db";
    private const string CasesFolder = "cases";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static BackupManifest Create(string dataDir, string zipPath, TimeProvider time)
    {
        var data = Path.GetFullPath(dataDir);
        var database = Path.Combine(data, "console.db");
        if (!File.Exists(database))
        {
            throw new BackupException($"{database} does not exist: {data} is not a console's data folder; nothing was written");
        }

        var target = Path.GetFullPath(zipPath);
        if (File.Exists(target))
        {
            throw new BackupException($"{target} already exists; a backup never overwrites one");
        }

        var partial = target + ".partial";
        var snapshot = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.db");
        try
        {
            var schema = Snapshot(database, snapshot);
            var files = new List<(string Entry, string Source)> { (DatabaseEntry, snapshot) };
            foreach (var key in new[] { EvidenceKey.PrivateKeyFile, EvidenceKey.PublicKeyFile })
            {
                if (File.Exists(Path.Combine(data, key)))
                {
                    files.Add((key, Path.Combine(data, key)));
                }
            }

            var cases = Path.Combine(data, CasesFolder);
            if (Directory.Exists(cases))
            {
                // Clips and packages are written under a temporary name and renamed when whole: a file being copied
                // in now is one the backup leaves out, never half of one.
                files.AddRange(Directory.EnumerateFiles(cases, "*", SearchOption.AllDirectories)
                    .Where(f => !Path.GetFileName(f).StartsWith('.'))
                    .Order(StringComparer.Ordinal)
                    .Select(f => (Path.GetRelativePath(data, f).Replace('\\', '/'), f)));
            }

            var listed = new List<BackupFile>();
            BackupManifest manifest;
            using (var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write))
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
            {
                // The manifest goes last, once every file's hash is known; the restore finds it by the zip's directory.
                foreach (var (entry, source) in files)
                {
                    listed.Add(Add(zip, entry, source));
                }

                manifest = new BackupManifest(Format, schema, time.GetUtcNow(), listed);
                using var writer = zip.CreateEntry(ManifestEntry, CompressionLevel.Optimal).Open();
                JsonSerializer.Serialize(writer, manifest, JsonSerializerOptions.Web);
            }

            using (var written = new FileStream(partial, FileMode.Open, FileAccess.ReadWrite))
            {
                written.Flush(flushToDisk: true);
            }

            File.Move(partial, target);
            return manifest;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException)
        {
            throw new BackupException($"the backup to {target} failed ({e.Message}); nothing was written there", e);
        }
        finally
        {
            File.Delete(snapshot);
            File.Delete(partial);
        }
    }

    /// <summary>Brings a backup back into <paramref name="dataDir"/>, which must not exist or be empty.</summary>
    public static BackupManifest Restore(string zipPath, string dataDir)
    {
        var source = Path.GetFullPath(zipPath);
        var data = Path.GetFullPath(dataDir).TrimEnd('/');
        if (Directory.Exists(data) && Directory.EnumerateFileSystemEntries(data).Any())
        {
            throw new BackupException($"{data} is not empty; a backup is restored only into a new or empty folder, so nothing there is overwritten");
        }

        var staging = $"{data}.restoring-{Guid.NewGuid():N}";
        try
        {
            using var zip = ZipFile.OpenRead(source);
            var manifest = ReadManifest(zip, source);
            Directory.CreateDirectory(staging);
            foreach (var file in manifest.Files)
            {
                var entry = zip.GetEntry(file.Path) ?? throw new BackupException($"{source}: {file.Path} is listed but not in the backup; nothing was restored");
                var path = Path.GetFullPath(Path.Combine(staging, file.Path));
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using (var input = entry.Open())
                using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                {
                    var (bytes, sha) = CopyHashed(input, output);
                    if (bytes != file.Bytes || sha != file.Sha256)
                    {
                        throw new BackupException($"{source}: {file.Path} is not the file that was backed up (SHA-256 {sha}, {bytes} bytes; the manifest says {file.Sha256}, {file.Bytes}); nothing was restored");
                    }
                }

                if (file.Path == EvidenceKey.PrivateKeyFile && !OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, OwnerOnly);
                }
            }

            if (Directory.Exists(data))
            {
                Directory.Delete(data);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(data)!);
            Directory.Move(staging, data);
            return manifest;
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException or UnauthorizedAccessException)
        {
            throw new BackupException($"{source} cannot be restored ({e.Message}); nothing was restored", e);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static BackupManifest ReadManifest(ZipArchive zip, string source)
    {
        var entry = zip.GetEntry(ManifestEntry) ?? throw new BackupException($"{source} holds no {ManifestEntry}: it is not a GateWatch console backup; nothing was restored");
        if (entry.Length > 16 << 20)
        {
            throw new BackupException($"{source}: {ManifestEntry} is {entry.Length} bytes, far more than a manifest; nothing was restored");
        }

        BackupManifest? manifest;
        using (var stream = entry.Open())
        {
            manifest = JsonSerializer.Deserialize<BackupManifest>(stream, JsonSerializerOptions.Web);
        }

        if (manifest is not { Files: not null })
        {
            throw new BackupException($"{source}: {ManifestEntry} lists no files; nothing was restored");
        }

        if (manifest.Format > Format)
        {
            throw new BackupException($"{source} is backup format {manifest.Format}, made by a newer GateWatch console (this one reads up to {Format}); nothing was restored");
        }

        if (manifest.Schema > Migrations.Steps.Count)
        {
            throw new BackupException($"{source} holds a schema version {manifest.Schema} database, made by a newer GateWatch console (this one knows up to {Migrations.Steps.Count}); nothing was restored");
        }

        foreach (var file in manifest.Files)
        {
            // Each path must land inside the data folder, as the backup names it: no '..', no absolute path, no backslash tricks.
            if (file?.Path is not { Length: > 0 } p || p.StartsWith('/') || p.Contains('\\', StringComparison.Ordinal) || p.Split('/').Any(s => s is "" or "." or "..")
                || !(p is DatabaseEntry or EvidenceKey.PrivateKeyFile or EvidenceKey.PublicKeyFile || p.StartsWith(CasesFolder + "/", StringComparison.Ordinal)))
            {
                throw new BackupException($"{source}: '{file?.Path}' is not a file a console backup holds; nothing was restored");
            }
        }

        if (!manifest.Files.Any(f => f.Path == DatabaseEntry))
        {
            throw new BackupException($"{source} holds no {DatabaseEntry}; nothing was restored");
        }

        return manifest;
    }

    /// <summary>A consistent copy of the live database (SQLite's online backup); returns its schema version.</summary>
    private static int Snapshot(string database, string copy)
    {
        using (var from = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        using (var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString()))
        {
            from.Open();
            to.Open();
            from.BackupDatabase(to);
            using var journal = to.CreateCommand();
            // One file to carry: the copy's own journal folded in.
            journal.CommandText = "PRAGMA journal_mode=DELETE";
            journal.ExecuteNonQuery();
        }

        using var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        check.Open();
        return Convert.ToInt32(ConsoleDb.Scalar(check, "SELECT COALESCE(MAX(version), 0) FROM schema_version"), CultureInfo.InvariantCulture);
    }

    private static BackupFile Add(ZipArchive zip, string entryName, string source)
    {
        // Footage is compressed already: storing it costs nothing and keeps a backup of hours of clips quick.
        var entry = zip.CreateEntry(entryName, entryName.EndsWith(".mp4", StringComparison.Ordinal) || entryName.EndsWith(".zip", StringComparison.Ordinal) ? CompressionLevel.NoCompression : CompressionLevel.Optimal);
        using var input = File.OpenRead(source);
        using var output = entry.Open();
        var (bytes, sha) = CopyHashed(input, output);
        return new BackupFile(entryName, bytes, sha);
    }

    /// <summary>Copies <paramref name="input"/> to <paramref name="output"/>, hashing what passes: (bytes, lower-case hex SHA-256).</summary>
    private static (long Bytes, string Sha256) CopyHashed(Stream input, Stream output)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long bytes = 0;
        int n;
        while ((n = input.Read(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            output.Write(buffer, 0, n);
            bytes += n;
        }

        return (bytes, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
