using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Data;
using GateWatch.Central.Evidence;
using GateWatch.Central.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace GateWatch.Central.Tests.Data;

/// <summary>
/// A park's console backed up while it runs and brought back on a clean folder: logins, the audit chain, cases and
/// their files, and the evidence key (a package signed before the backup verifies after the restore). A backup that
/// is truncated, altered, from a newer console or aimed at a folder in use is refused with nothing written.
/// </summary>
public sealed class ConsoleBackupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gateconsole-backup-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_backup_taken_while_the_console_runs_restores_logins_audit_cases_clips_and_the_evidence_key()
    {
        string backup = Path.Combine(_dir, "backup.zip"), package = Path.Combine(_dir, "case.zip"), clipBytes;
        long caseId;
        await using (var console = await TestConsole.StartAsync())
        {
            using var investigator = await console.SignedInAsync("investigator1");
            var made = await investigator.PostAsJsonAsync("api/cases", new { number = "CA-2026-0042", description = "Gate incident" });
            Assert.Equal(HttpStatusCode.Created, made.StatusCode);
            caseId = (await made.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            var clip = Path.Combine(console.Dir, "cases", caseId.ToString(System.Globalization.CultureInfo.InvariantCulture), "clips", "1-gate-north-north-1.mp4");
            Directory.CreateDirectory(Path.GetDirectoryName(clip)!);
            await File.WriteAllBytesAsync(clip, System.Security.Cryptography.RandomNumberGenerator.GetBytes(200_000));
            clipBytes = Convert.ToHexString(await File.ReadAllBytesAsync(clip));
            await EvidencePackager.CreateAsync(package, Manifest(), [("clips/gate-a.mp4", clip)], console.Services.GetRequiredService<EvidenceKey>(), CancellationToken.None);

            // Taken with the console running, as a cron job would, by the command itself.
            Assert.Equal(0, await ConsoleCommands.RunAsync(["backup", "--data", console.Dir, "--out", backup]));
        }

        var restored = Path.Combine(_dir, "restored");
        Assert.Equal(0, await ConsoleCommands.RunAsync(["restore", "--from", backup, "--data", restored]));

        Assert.Equal(clipBytes, Convert.ToHexString(await File.ReadAllBytesAsync(Path.Combine(restored, "cases", caseId.ToString(System.Globalization.CultureInfo.InvariantCulture), "clips", "1-gate-north-north-1.mp4"))));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(restored, EvidenceKey.PrivateKeyFile)));
        }

        var report = EvidenceVerifier.Verify(package, await File.ReadAllTextAsync(Path.Combine(restored, EvidenceKey.PublicKeyFile)));
        Assert.True(report.Ok, string.Join("; ", report.Problems));

        await using var back = await TestConsole.StartAsync(dataDir: restored, createUsers: false);
        using var admin = await back.SignedInAsync("admin1");
        var chain = await admin.GetFromJsonAsync<JsonElement>("api/admin/audit/verify");
        Assert.True(chain.GetProperty("ok").GetBoolean(), chain.ToString());
        using var investigatorAgain = await back.SignedInAsync("investigator1");
        var cases = await investigatorAgain.GetFromJsonAsync<JsonElement>("api/cases");
        Assert.Equal("CA-2026-0042", Assert.Single(cases.EnumerateArray()).GetProperty("number").GetString());
        Assert.Equal(back.Services.GetRequiredService<EvidenceKey>().Fingerprint, EvidenceKey.PublicFingerprint(await File.ReadAllTextAsync(Path.Combine(restored, EvidenceKey.PublicKeyFile))));
    }

    [Fact]
    public async Task A_truncated_or_altered_backup_is_refused_and_nothing_is_restored()
    {
        var backup = await BackupOfAFreshConsoleAsync();
        var truncated = Path.Combine(_dir, "truncated.zip");
        var bytes = await File.ReadAllBytesAsync(backup);
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)]);
        var target = Path.Combine(_dir, "target");

        var cut = Assert.Throws<BackupException>(() => ConsoleBackup.Restore(truncated, target));
        Assert.Contains("cannot be restored", cut.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));

        var altered = Path.Combine(_dir, "altered.zip");
        File.Copy(backup, altered);
        using (var zip = ZipFile.Open(altered, ZipArchiveMode.Update))
        {
            zip.GetEntry(EvidenceKey.PublicKeyFile)!.Delete();
            using var w = new StreamWriter(zip.CreateEntry(EvidenceKey.PublicKeyFile).Open());
            await w.WriteAsync("-----BEGIN PUBLIC KEY-----\nsomeone else's key\n-----END PUBLIC KEY-----\n");
        }

        var changed = Assert.Throws<BackupException>(() => ConsoleBackup.Restore(altered, target));
        Assert.Contains($"{EvidenceKey.PublicKeyFile} is not the file that was backed up", changed.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
        Assert.DoesNotContain(Directory.GetDirectories(_dir), d => d.Contains(".restoring-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_backup_from_a_newer_console_or_naming_a_path_outside_the_folder_is_refused()
    {
        var backup = await BackupOfAFreshConsoleAsync();
        foreach (var (change, says) in new (Func<JsonElement, object>, string)[]
        {
            (m => new { format = 1, schema = Migrations.Steps.Count + 1, created = m.GetProperty("created"), files = m.GetProperty("files") }, "made by a newer GateWatch console"),
            (m => new { format = 2, schema = 1, created = m.GetProperty("created"), files = m.GetProperty("files") }, "backup format 2"),
            (m => new { format = 1, schema = 1, created = m.GetProperty("created"), files = new[] { new { path = "../escaped.db", bytes = 1, sha256 = "00" } } }, "'../escaped.db' is not a file a console backup holds"),
            (m => new { format = 1, schema = 1, created = m.GetProperty("created"), files = new[] { new { path = "/etc/cron.d/x", bytes = 1, sha256 = "00" } } }, "'/etc/cron.d/x' is not a file a console backup holds"),
        })
        {
            var copy = Path.Combine(_dir, $"changed-{Guid.NewGuid():N}.zip");
            File.Copy(backup, copy);
            using (var zip = ZipFile.Open(copy, ZipArchiveMode.Update))
            {
                var entry = zip.GetEntry(ConsoleBackup.ManifestEntry)!;
                JsonElement manifest;
                using (var r = entry.Open())
                {
                    manifest = (await JsonDocument.ParseAsync(r)).RootElement.Clone();
                }

                entry.Delete();
                await using var w = zip.CreateEntry(ConsoleBackup.ManifestEntry).Open();
                await JsonSerializer.SerializeAsync(w, change(manifest));
            }

            var target = Path.Combine(_dir, "target");
            var e = Assert.Throws<BackupException>(() => ConsoleBackup.Restore(copy, target));
            Assert.Contains(says, e.Message, StringComparison.Ordinal);
            Assert.Contains("nothing was restored", e.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(target));
            Assert.False(File.Exists(Path.Combine(_dir, "escaped.db")));
        }
    }

    [Fact]
    public async Task A_restore_into_a_folder_in_use_and_a_backup_over_an_existing_file_are_refused()
    {
        var backup = await BackupOfAFreshConsoleAsync();
        var used = Directory.CreateDirectory(Path.Combine(_dir, "used")).FullName;
        await File.WriteAllTextAsync(Path.Combine(used, "console.db"), "today's database");

        var into = Assert.Throws<BackupException>(() => ConsoleBackup.Restore(backup, used));
        Assert.Contains("is not empty", into.Message, StringComparison.Ordinal);
        Assert.Equal("today's database", await File.ReadAllTextAsync(Path.Combine(used, "console.db")));

        var before = await File.ReadAllBytesAsync(backup);
        var over = Assert.Throws<BackupException>(() => ConsoleBackup.Create(Path.Combine(_dir, "restored-not"), backup, TimeProvider.System));
        Assert.Contains("is not a console's data folder", over.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(backup));
    }

    private async Task<string> BackupOfAFreshConsoleAsync()
    {
        var backup = Path.Combine(_dir, "fresh.zip");
        await using var console = await TestConsole.StartAsync();
        ConsoleBackup.Create(console.Dir, backup, TimeProvider.System);
        var again = Assert.Throws<BackupException>(() => ConsoleBackup.Create(console.Dir, backup, TimeProvider.System));
        Assert.Contains("already exists", again.Message, StringComparison.Ordinal);
        return backup;
    }

    private static EvidenceManifest Manifest()
    {
        var from = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        return new(0, new EvidenceCase("CA-2026-0042", "Gate incident"), "investigator1", from.AddDays(1), "",
            [new EvidenceClip("clips/gate-a.mp4", "north-1", "gate-north", from, from.AddMinutes(2), "", 0, "workers at the gate", [])]);
    }
}
