using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace GateWatch.Central.Evidence;

/// <summary>
/// Writes an evidence package: a zip holding
/// <list type="bullet">
/// <item><c>clips/&lt;name&gt;</c>, the cut MP4s;</item>
/// <item><c>manifest.json</c>, <see cref="EvidenceManifest"/>;</item>
/// <item><c>manifest.sig</c>, base64 of an ECDSA P-256 / SHA-256 signature over the exact bytes of
/// manifest.json, in IEEE P1363 format (r then s, 32 bytes each, 64 in all; not DER);</item>
/// <item><c>signer-public.pem</c>, the signing console's public key (SubjectPublicKeyInfo PEM).</item>
/// </list>
/// Every entry is stored uncompressed: video does not compress, and a stored entry can be checked with
/// the plainest zip tools.
/// </summary>
internal static class EvidencePackager
{
    public const string ClipsFolder = "clips/";
    public const string ManifestEntry = "manifest.json";
    public const string SignatureEntry = "manifest.sig";
    public const string SignerKeyEntry = "signer-public.pem";

    /// <summary>
    /// Packages <paramref name="files"/> (one per manifest clip, matched by <see cref="EvidenceClip.File"/>)
    /// into <paramref name="zipPath"/>, which must not exist yet. Each file is hashed as it is copied, so the
    /// manifest describes exactly the bytes in the zip. A clip's Sha256 and Bytes, when already set (as the
    /// agent reported them), must match the file; when empty or 0 they are filled in, as is the signer.
    /// </summary>
    /// <returns>The manifest as signed.</returns>
    /// <exception cref="InvalidDataException">A file is not what the manifest says it is.</exception>
    /// <exception cref="IOException"><paramref name="zipPath"/> already exists.</exception>
    public static async Task<EvidenceManifest> CreateAsync(
        string zipPath, EvidenceManifest manifest, IReadOnlyList<(string FileInZip, string SourcePath)> files, EvidenceKey key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(key);
        var sources = Validate(manifest, files, key);

        var full = Path.GetFullPath(zipPath);
        if (File.Exists(full))
        {
            throw new IOException($"{full} already exists; an evidence package is never overwritten");
        }

        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            EvidenceManifest signed;
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true))
            {
                await using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
                {
                    var clips = new List<EvidenceClip>(manifest.Clips.Count);
                    foreach (var clip in manifest.Clips)
                    {
                        var (sha, bytes) = await CopyAsync(zip, clip.File, sources[clip.File], manifest.ExportedAt, ct).ConfigureAwait(false);
                        if (clip.Sha256.Length > 0 && !string.Equals(clip.Sha256, sha, StringComparison.OrdinalIgnoreCase))
                        {
                            throw new InvalidDataException($"{clip.File}: SHA-256 of {sources[clip.File]} is {sha}, the manifest says {clip.Sha256}");
                        }

                        if (clip.Bytes > 0 && clip.Bytes != bytes)
                        {
                            throw new InvalidDataException($"{clip.File}: {sources[clip.File]} is {bytes} bytes, the manifest says {clip.Bytes}");
                        }

                        clips.Add(clip with { Sha256 = sha, Bytes = bytes });
                    }

                    signed = manifest with { FormatVersion = EvidenceManifest.CurrentFormatVersion, Signer = key.Fingerprint, Clips = clips };
                    var json = signed.ToJsonBytes();
                    await WriteAsync(zip, ManifestEntry, json, manifest.ExportedAt, ct).ConfigureAwait(false);
                    await WriteAsync(zip, SignatureEntry, Encoding.ASCII.GetBytes(Convert.ToBase64String(key.Sign(json)) + "\n"), manifest.ExportedAt, ct).ConfigureAwait(false);
                    await WriteAsync(zip, SignerKeyEntry, Encoding.ASCII.GetBytes(key.PublicKeyPem + "\n"), manifest.ExportedAt, ct).ConfigureAwait(false);
                }

                // On disk before it gets its real name: a package that exists is a whole one.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: false);
            return signed;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Checks the manifest against the files; returns each clip's source by its name in the zip.</summary>
    private static Dictionary<string, string> Validate(EvidenceManifest manifest, IReadOnlyList<(string FileInZip, string SourcePath)> files, EvidenceKey key)
    {
        if (manifest.FormatVersion is not (0 or EvidenceManifest.CurrentFormatVersion))
        {
            throw new ArgumentException($"manifest format version {manifest.FormatVersion}: this console writes version {EvidenceManifest.CurrentFormatVersion}", nameof(manifest));
        }

        if (manifest.Signer.Length > 0 && manifest.Signer != key.Fingerprint)
        {
            throw new ArgumentException($"the manifest names signer {manifest.Signer}, but this console's key is {key.Fingerprint}", nameof(manifest));
        }

        if (manifest.Clips.Count == 0)
        {
            throw new ArgumentException("an evidence package needs at least one clip", nameof(manifest));
        }

        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, source) in files)
        {
            if (!sources.TryAdd(name, source))
            {
                throw new ArgumentException($"{name}: given twice", nameof(files));
            }
        }

        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var clip in manifest.Clips)
        {
            if (!IsClipName(clip.File))
            {
                throw new ArgumentException($"{clip.File}: a clip's file must be {ClipsFolder}<name>, with a plain file name", nameof(manifest));
            }

            if (!listed.Add(clip.File))
            {
                throw new ArgumentException($"{clip.File}: listed twice in the manifest", nameof(manifest));
            }

            if (!sources.ContainsKey(clip.File))
            {
                throw new ArgumentException($"{clip.File}: listed in the manifest, but no file was given for it", nameof(files));
            }

            if (clip.To <= clip.From)
            {
                throw new ArgumentException($"{clip.File}: ends ({clip.To:O}) before it starts ({clip.From:O})", nameof(manifest));
            }
        }

        var unlisted = sources.Keys.FirstOrDefault(name => !listed.Contains(name));
        return unlisted is null ? sources : throw new ArgumentException($"{unlisted}: given, but not in the manifest", nameof(files));
    }

    /// <summary>"clips/x.mp4": one plain name under clips/, nothing a zip tool could extract elsewhere.</summary>
    internal static bool IsClipName(string file)
    {
        if (!file.StartsWith(ClipsFolder, StringComparison.Ordinal))
        {
            return false;
        }

        var name = file[ClipsFolder.Length..];
        return name.Length > 0 && name is not ("." or "..") && !name.Any(ch => ch is '/' or '\\' or ':' || char.IsControl(ch));
    }

    private static async Task<(string Sha256, long Bytes)> CopyAsync(ZipArchive zip, string entryName, string source, DateTimeOffset time, CancellationToken ct)
    {
        var entry = zip.CreateEntry(entryName, CompressionLevel.NoCompression);
        entry.LastWriteTime = time;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long bytes = 0;
            await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using var output = await entry.OpenAsync(ct).ConfigureAwait(false);
            int n;
            while ((n = await input.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                sha.AppendData(buffer, 0, n);
                await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                bytes += n;
            }

            return (Convert.ToHexStringLower(sha.GetHashAndReset()), bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task WriteAsync(ZipArchive zip, string entryName, byte[] content, DateTimeOffset time, CancellationToken ct)
    {
        var entry = zip.CreateEntry(entryName, CompressionLevel.NoCompression);
        entry.LastWriteTime = time;
        await using var output = await entry.OpenAsync(ct).ConfigureAwait(false);
        await output.WriteAsync(content, ct).ConfigureAwait(false);
    }
}
