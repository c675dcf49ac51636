using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GateWatch.Central.Evidence;

namespace GateWatch.Central.Tests.Evidence;

public sealed class EvidenceTests : IDisposable
{
    private const string SignatureMismatch =
        "manifest.json: signature does not match (the manifest was changed after signing, or signed by another key)";

    private static readonly DateTimeOffset From = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Directory.CreateTempSubdirectory("gateconsole-evidence-").FullName;

    /// <summary>Two stand-in MP4s, random bytes: the packager and verifier never look inside them.</summary>
    public EvidenceTests()
    {
        var random = new Random(42);
        var bytes = new byte[300_000];
        random.NextBytes(bytes);
        File.WriteAllBytes(Path.Combine(_dir, "a.mp4"), bytes);
        bytes = new byte[200_000];
        random.NextBytes(bytes);
        File.WriteAllBytes(Path.Combine(_dir, "b.mp4"), bytes);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_key_is_made_once_kept_owner_only_and_reused()
    {
        var data = Path.Combine(_dir, "data");
        string fingerprint;
        string publicPem;
        using (var first = EvidenceKey.Load(data))
        {
            fingerprint = first.Fingerprint;
            publicPem = first.PublicKeyPem;
        }

        using var again = EvidenceKey.Load(data);

        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
        Assert.Equal(fingerprint, again.Fingerprint);
        Assert.Equal(publicPem, again.PublicKeyPem);
        var privateText = File.ReadAllText(Path.Combine(data, EvidenceKey.PrivateKeyFile));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", privateText, StringComparison.Ordinal);
        var publicText = File.ReadAllText(Path.Combine(data, EvidenceKey.PublicKeyFile));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", publicText, StringComparison.Ordinal);
        Assert.Equal(fingerprint, EvidenceKey.PublicFingerprint(publicText));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, EvidenceKey.PrivateKeyFile)));
        }

        Assert.Equal([EvidenceKey.PrivateKeyFile, EvidenceKey.PublicKeyFile], Directory.GetFiles(data).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_loosened_key_file_is_tightened_and_a_lost_public_file_rewritten()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var data = Path.Combine(_dir, "data");
        string fingerprint;
        using (var key = EvidenceKey.Load(data))
        {
            fingerprint = key.Fingerprint;
        }

        var privatePath = Path.Combine(data, EvidenceKey.PrivateKeyFile);
        File.SetUnixFileMode(privatePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Delete(Path.Combine(data, EvidenceKey.PublicKeyFile));

        using var reloaded = EvidenceKey.Load(data);

        Assert.Equal(fingerprint, reloaded.Fingerprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(privatePath));
        Assert.Equal(fingerprint, EvidenceKey.PublicFingerprint(File.ReadAllText(Path.Combine(data, EvidenceKey.PublicKeyFile))));
    }

    [Fact]
    public async Task A_package_holds_stored_clips_a_signed_manifest_and_verifies_against_the_console_key()
    {
        using var key = ConsoleKey();
        var zip = await PackageAsync(key);

        var report = EvidenceVerifier.Verify(zip, key.PublicKeyPem);

        Assert.True(report.Ok, string.Join("\n", report.Problems));
        Assert.True(report.TrustedKeyUsed);
        Assert.Equal(key.Fingerprint, report.SignerFingerprint);
        Assert.Contains(report.Notes, n => n.Contains("console's key", StringComparison.Ordinal));
        Assert.NotNull(report.Manifest);
        Assert.Equal("2026-0042", report.Manifest.Case.Number);
        Assert.Equal(2, report.Manifest.Clips.Count);

        using var archive = ZipFile.OpenRead(zip);
        Assert.Equal(
            ["clips/gate-a.mp4", "clips/gate-b.mp4", "manifest.json", "manifest.sig", "signer-public.pem"],
            archive.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        Assert.All(archive.Entries, e => Assert.Equal(e.Length, e.CompressedLength));
        Assert.Equal(64, Convert.FromBase64String(ReadEntry(archive, "manifest.sig").Trim()).Length);

        using var json = JsonDocument.Parse(ReadEntry(archive, "manifest.json"));
        var root = json.RootElement;
        Assert.Equal(
            ["formatVersion", "case", "exportedBy", "exportedAt", "signer", "clips"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, root.GetProperty("formatVersion").GetInt32());
        Assert.Equal("2026-03-02T10:15:00Z", root.GetProperty("exportedAt").GetString());
        Assert.Equal(key.Fingerprint, root.GetProperty("signer").GetString());
        var clip = root.GetProperty("clips")[0];
        Assert.Equal(
            ["file", "camera", "agent", "from", "to", "sha256", "bytes", "reason", "gaps"],
            clip.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-03-01T08:00:00Z", clip.GetProperty("from").GetString());
        Assert.Equal(300_000, clip.GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(_dir, "a.mp4")))), clip.GetProperty("sha256").GetString());
        Assert.Equal("2026-03-01T08:00:10.5Z", root.GetProperty("clips")[1].GetProperty("gaps")[0].GetProperty("from").GetString());
    }

    [Fact]
    public async Task Without_a_trusted_key_the_package_is_checked_against_its_own_and_the_report_says_so()
    {
        using var key = ConsoleKey();
        var zip = await PackageAsync(key);

        var report = EvidenceVerifier.Verify(zip, trustedPublicKeyPem: null);

        Assert.True(report.Ok, string.Join("\n", report.Problems));
        Assert.False(report.TrustedKeyUsed);
        Assert.Contains(report.Notes, n => n.Contains("package's own signer-public.pem", StringComparison.Ordinal));
    }

    [Fact]
    public async Task One_byte_changed_in_an_mp4_is_named()
    {
        using var key = ConsoleKey();
        var zip = await PackageAsync(key);
        var original = Sha256Hex(File.ReadAllBytes(Path.Combine(_dir, "a.mp4")));
        // A careful forger: the zip itself stays consistent (the CRC is recomputed), only the video changed.
        Rewrite(zip, "clips/gate-a.mp4", bytes => bytes[150_000] ^= 0x01);

        var report = EvidenceVerifier.Verify(zip, key.PublicKeyPem);

        Assert.False(report.Ok);
        var problem = Assert.Single(report.Problems);
        Assert.StartsWith("clips/gate-a.mp4: SHA-256 is ", problem, StringComparison.Ordinal);
        Assert.EndsWith($", the manifest says {original}", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_byte_flipped_in_the_zip_file_over_an_mp4_is_named()
    {
        using var key = ConsoleKey();
        var zip = await PackageAsync(key);
        FlipByteInFile(zip, File.ReadAllBytes(Path.Combine(_dir, "b.mp4")), 1000);

        var report = EvidenceVerifier.Verify(zip, key.PublicKeyPem);

        Assert.False(report.Ok);
        // Named by its SHA-256 today; a zip library that checks CRCs on reading would make it "damaged inside the zip".
        Assert.StartsWith("clips/gate-b.mp4: ", Assert.Single(report.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_byte_changed_in_the_manifest_is_a_signature_failure()
    {
        using var key = ConsoleKey();
        var zip = await PackageAsync(key);
        Rewrite(zip, "manifest.json", bytes =>
        {
            var at = Encoding.UTF8.GetString(bytes).IndexOf("Bicycle theft", StringComparison.Ordinal);
            bytes[at] = (byte)'b';
        });

        var report = EvidenceVerifier.Verify(zip, key.PublicKeyPem);

        Assert.False(report.Ok);
        Assert.Equal([SignatureMismatch], report.Problems);
        Assert.Equal("bicycle theft at the north gate", report.Manifest?.Case.Description);
    }

    [Fact]
    public async Task One_byte_flipped_in_the_zip_file_over_the_manifest_is_named()
    {
        using var key = ConsoleKey();
        var zip = await PackageAsync(key);
        byte[] manifest;
        using (var archive = ZipFile.OpenRead(zip))
        {
            manifest = Encoding.UTF8.GetBytes(ReadEntry(archive, "manifest.json"));
        }

        FlipByteInFile(zip, manifest, 40);

        var report = EvidenceVerifier.Verify(zip, key.PublicKeyPem);

        Assert.False(report.Ok);
        Assert.NotEmpty(report.Problems);
        Assert.All(report.Problems, p => Assert.StartsWith("manifest.json: ", p, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_clip_and_an_extra_file_are_named()
    {
        using var key = ConsoleKey();
        var zip = await PackageAsync(key);
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Update))
        {
            archive.GetEntry("clips/gate-b.mp4")!.Delete();
            using var extra = archive.CreateEntry("extra.bin").Open();
            extra.Write([1, 2, 3]);
        }

        var report = EvidenceVerifier.Verify(zip, key.PublicKeyPem);

        Assert.False(report.Ok);
        Assert.Equal(
            ["clips/gate-b.mp4: listed in the manifest but missing from the package", "extra.bin: in the package but not in the manifest"],
            report.Problems);
    }

    [Fact]
    public async Task A_package_signed_by_another_key_is_refused_given_the_console_key()
    {
        using var console = ConsoleKey();
        using var other = EvidenceKey.Load(Path.Combine(_dir, "elsewhere"));
        var zip = await PackageAsync(other);

        var refused = EvidenceVerifier.Verify(zip, console.PublicKeyPem);
        var selfConsistent = EvidenceVerifier.Verify(zip, trustedPublicKeyPem: null);

        Assert.False(refused.Ok);
        Assert.Equal(
            [$"signer key is not the console's key (fingerprint {other.Fingerprint}; the console's is {console.Fingerprint})", SignatureMismatch],
            refused.Problems);
        Assert.True(selfConsistent.Ok);
        Assert.Equal(other.Fingerprint, selfConsistent.SignerFingerprint);
    }

    [Fact]
    public async Task A_forger_who_swaps_in_their_own_key_and_signature_is_refused_given_the_console_key()
    {
        using var console = ConsoleKey();
        using var forger = EvidenceKey.Load(Path.Combine(_dir, "forger"));
        var zip = await PackageAsync(console);
        byte[] forgedManifest = [];
        Rewrite(zip, "manifest.json", bytes =>
        {
            var at = Encoding.UTF8.GetString(bytes).IndexOf("north gate", StringComparison.Ordinal);
            bytes[at] = (byte)'s';
            forgedManifest = bytes;
        });
        Rewrite(zip, "manifest.sig", _ => { }, Encoding.ASCII.GetBytes(Convert.ToBase64String(forger.Sign(forgedManifest))));
        Rewrite(zip, "signer-public.pem", _ => { }, Encoding.ASCII.GetBytes(forger.PublicKeyPem));

        var report = EvidenceVerifier.Verify(zip, console.PublicKeyPem);

        Assert.False(report.Ok);
        Assert.Contains(report.Problems, p => p.StartsWith("signer key is not the console's key", StringComparison.Ordinal));
        Assert.Contains(SignatureMismatch, report.Problems);
    }

    [Fact]
    public async Task A_manifest_that_is_not_one_is_named_not_thrown()
    {
        using var key = ConsoleKey();
        var zip = await PackageAsync(key);
        Rewrite(zip, "manifest.json", _ => { }, Encoding.UTF8.GetBytes("""{"formatVersion":1,"case":{"number":"1","description":""},"exportedBy":"x","exportedAt":"2026-03-01T00:00:00Z","signer":"","clips":[null]}"""));

        var report = EvidenceVerifier.Verify(zip, null);

        Assert.Equal(SignatureMismatch, report.Problems[0]);
        Assert.StartsWith("manifest.json: not a valid manifest", report.Problems[1], StringComparison.Ordinal);
        Assert.Equal(2, report.Problems.Count);
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_one_clear_problem()
    {
        var path = Path.Combine(_dir, "junk.zip");
        File.WriteAllText(path, "this is not a zip archive");

        var junk = EvidenceVerifier.Verify(path, null);
        var missing = EvidenceVerifier.Verify(Path.Combine(_dir, "nowhere.zip"), null);

        Assert.StartsWith("junk.zip: not a readable zip archive", Assert.Single(junk.Problems), StringComparison.Ordinal);
        Assert.StartsWith("nowhere.zip: cannot be opened", Assert.Single(missing.Problems), StringComparison.Ordinal);
        Assert.False(junk.Ok);
        Assert.False(missing.Ok);
    }

    // Found by fuzzing (bench/fuzz, evidence): the central directory is read only when the entries are first listed,
    // so a damaged one threw InvalidDataException out of Verify.
    [Fact]
    public async Task A_damaged_central_directory_is_one_clear_problem()
    {
        using var key = ConsoleKey();
        var zip = await PackageAsync(key);
        var file = File.ReadAllBytes(zip);
        var central = file.AsSpan().IndexOf("PK\u0001\u0002"u8);
        Assert.True(central > 0, "no central directory header");
        file[central + 2] = 0;
        File.WriteAllBytes(zip, file);

        var report = EvidenceVerifier.Verify(zip, key.PublicKeyPem);

        Assert.False(report.Ok);
        Assert.StartsWith("case-2026-0042.zip: not a readable zip archive", Assert.Single(report.Problems), StringComparison.Ordinal);
    }

    // Found by fuzzing (bench/fuzz, evidence): a key on a curve OpenSSL does not know threw PlatformNotSupportedException.
    [Fact]
    public async Task A_signer_key_on_a_curve_the_platform_does_not_know_is_named_not_thrown()
    {
        using var key = ConsoleKey();
        var zip = await PackageAsync(key);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = p256.ExportSubjectPublicKeyInfo();
        // 1.2.840.10045.3.1.7 (P-256) becomes 1.2.840.10045.3.1.9, an arc with no curve.
        var oid = der.AsSpan().IndexOf(new byte[] { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 });
        der[oid + 7] = 0x09;
        var unknownCurve = new string(PemEncoding.Write("PUBLIC KEY", der));
        Rewrite(zip, "signer-public.pem", _ => { }, Encoding.ASCII.GetBytes(unknownCurve));

        var withOwnKey = EvidenceVerifier.Verify(zip, null);
        var withTrusted = EvidenceVerifier.Verify(zip, unknownCurve);

        Assert.Contains("signer-public.pem: not an ECDSA P-256 public key", withOwnKey.Problems);
        Assert.Contains("the trusted key given is not an ECDSA P-256 public key PEM; the signature was not checked", withTrusted.Problems);
        Assert.Null(EvidenceKey.PublicFingerprint(unknownCurve));
    }

    [Fact]
    public async Task A_clip_that_is_not_what_the_agent_reported_is_not_packaged_and_nothing_is_left_behind()
    {
        using var key = ConsoleKey();
        var m = Manifest();
        var manifest = m with { Clips = [m.Clips[0] with { Sha256 = new string('a', 64) }] };
        var zip = Path.Combine(_dir, "out", "case.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(zip)!);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() =>
            EvidencePackager.CreateAsync(zip, manifest, [("clips/gate-a.mp4", Path.Combine(_dir, "a.mp4"))], key, CancellationToken.None));

        Assert.StartsWith("clips/gate-a.mp4: SHA-256 of ", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(zip)!));
    }

    [Fact]
    public async Task An_existing_package_is_never_overwritten_and_files_must_match_the_manifest()
    {
        using var key = ConsoleKey();
        var zip = await PackageAsync(key);
        var before = File.ReadAllBytes(zip);

        await Assert.ThrowsAsync<IOException>(() => PackageAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => EvidencePackager.CreateAsync(
            Path.Combine(_dir, "other.zip"), Manifest(), [("clips/gate-a.mp4", Path.Combine(_dir, "a.mp4"))], key, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => EvidencePackager.CreateAsync(
            Path.Combine(_dir, "other.zip"), Manifest() with { Clips = [Manifest().Clips[0] with { File = "clips/../../x.mp4" }] },
            [("clips/../../x.mp4", Path.Combine(_dir, "a.mp4"))], key, CancellationToken.None));
        Assert.Equal(before, File.ReadAllBytes(zip));
    }

    private EvidenceKey ConsoleKey() => EvidenceKey.Load(Path.Combine(_dir, "console"));

    private static EvidenceManifest Manifest() => new(
        0,
        new EvidenceCase("2026-0042", "Bicycle theft at the north gate"),
        "ivy.investigator",
        new DateTimeOffset(2026, 3, 2, 11, 15, 0, TimeSpan.FromHours(1)),
        "",
        [
            new EvidenceClip("clips/gate-a.mp4", "gate-a", "agent-north", From, From.AddMinutes(2), "", 0, "suspect enters", []),
            new EvidenceClip("clips/gate-b.mp4", "gate-b", "agent-north", From, From.AddMinutes(1), "", 0, "suspect leaves",
                [new EvidenceGap(From.AddSeconds(10.5), From.AddSeconds(14))]),
        ]);

    private async Task<string> PackageAsync(EvidenceKey key)
    {
        var a = Path.Combine(_dir, "a.mp4");
        var b = Path.Combine(_dir, "b.mp4");
        var zip = Path.Combine(_dir, "case-2026-0042.zip");
        await EvidencePackager.CreateAsync(zip, Manifest(), [("clips/gate-a.mp4", a), ("clips/gate-b.mp4", b)], key, CancellationToken.None);
        return zip;
    }

    private static string ReadEntry(ZipArchive archive, string name)
    {
        using var reader = new StreamReader(archive.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    /// <summary>Replaces an entry's contents with an edited copy (or <paramref name="replacement"/>), through a zip library.</summary>
    private static void Rewrite(string zip, string entryName, Action<byte[]> edit, byte[]? replacement = null)
    {
        using var archive = ZipFile.Open(zip, ZipArchiveMode.Update);
        var entry = archive.GetEntry(entryName)!;
        byte[] bytes;
        using (var input = entry.Open())
        using (var copy = new MemoryStream())
        {
            input.CopyTo(copy);
            bytes = copy.ToArray();
        }

        edit(bytes);
        entry.Delete();
        using var output = archive.CreateEntry(entryName, CompressionLevel.NoCompression).Open();
        output.Write(replacement ?? bytes);
    }

    /// <summary>Flips one bit in the zip file itself, inside the stored copy of <paramref name="content"/>: no zip tool involved.</summary>
    private static void FlipByteInFile(string zip, byte[] content, int offsetInContent)
    {
        var file = File.ReadAllBytes(zip);
        var at = file.AsSpan().IndexOf(content.AsSpan(0, 64));
        Assert.True(at >= 0, "stored entry not found in the zip file");
        file[at + offsetInContent] ^= 0x01;
        File.WriteAllBytes(zip, file);
    }
}
