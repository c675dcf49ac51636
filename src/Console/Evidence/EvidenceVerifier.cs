using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GateWatch.Central.Evidence;

/// <summary>What checking a package found.</summary>
/// <param name="Ok">No problems: every file is as the signed manifest says, and nothing was added.</param>
/// <param name="Problems">Each names the file or key at fault and what is wrong with it.</param>
/// <param name="Notes">What was checked against what (notably: which key), for the reader.</param>
/// <param name="Manifest">The manifest when it could be read, even if its signature did not match.</param>
/// <param name="SignerFingerprint">Fingerprint of the package's own signer-public.pem, when it has a readable one.</param>
/// <param name="TrustedKeyUsed">True when the signature was checked against a trusted console key, not the package's own.</param>
internal sealed record VerificationReport(
    bool Ok, IReadOnlyList<string> Problems, IReadOnlyList<string> Notes, EvidenceManifest? Manifest, string? SignerFingerprint, bool TrustedKeyUsed);

/// <summary>Checks an evidence package written by <see cref="EvidencePackager"/> and names whatever was tampered with.</summary>
internal static class EvidenceVerifier
{
    /// <summary>manifest.json, manifest.sig and signer-public.pem are small; a huge one is not ours and is not read into memory.</summary>
    private const long MaxSmallEntry = 16 << 20;

    private const string SignatureMismatch =
        "manifest.json: signature does not match (the manifest was changed after signing, or signed by another key)";

    /// <param name="trustedPublicKeyPem">The console's public key (evidence-public.pem). Without it the package
    /// is checked against the key it carries, which proves it unchanged since signing but not who signed it.</param>
    public static VerificationReport Verify(string zipPath, string? trustedPublicKeyPem)
    {
        var name = Path.GetFileName(zipPath);
        FileStream stream;
        try
        {
            stream = new FileStream(zipPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failed($"{name}: cannot be opened ({ex.Message})");
        }

        using (stream)
        {
            return Verify(stream, name, trustedPublicKeyPem);
        }
    }

    /// <param name="zip">A seekable stream holding the package (an upload buffered to a file, say).</param>
    /// <param name="name">What to call the package in problems.</param>
    public static VerificationReport Verify(Stream zip, string name, string? trustedPublicKeyPem)
    {
        ArgumentNullException.ThrowIfNull(zip);
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ArgumentException)
        {
            return Failed($"{name}: not a readable zip archive ({ex.Message})");
        }

        using (archive)
        {
            try
            {
                // The constructor reads only the end record; the central directory is read on first use of Entries,
                // and a damaged one is the same fault as a damaged end record.
                _ = archive.Entries;
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                return Failed($"{name}: not a readable zip archive ({ex.Message})");
            }

            return new Check(archive, trustedPublicKeyPem).Run();
        }
    }

    private static VerificationReport Failed(string problem) => new(false, [problem], [], null, null, false);

    /// <summary>One verification's state: the problems and notes collect as the checks run.</summary>
    private sealed class Check(ZipArchive archive, string? trustedPem)
    {
        private readonly List<string> _problems = [];
        private readonly List<string> _notes = [];
        private readonly Dictionary<string, ZipArchiveEntry> _entries = new(StringComparer.Ordinal);
        private string? _signerFingerprint;
        private bool _trustedUsed;

        public VerificationReport Run()
        {
            IndexEntries();
            var manifestBytes = ReadSmall(EvidencePackager.ManifestEntry, "the package has no manifest");
            CheckSignature(manifestBytes);

            EvidenceManifest? manifest = null;
            if (manifestBytes is not null)
            {
                try
                {
                    manifest = EvidenceManifest.FromJson(manifestBytes);
                }
                catch (JsonException ex)
                {
                    _problems.Add($"{EvidencePackager.ManifestEntry}: not a valid manifest ({ex.Message}); its clips cannot be checked");
                }
            }

            if (manifest is not null)
            {
                CheckManifest(manifest);
            }

            return new VerificationReport(_problems.Count == 0, _problems, _notes, manifest, _signerFingerprint, _trustedUsed);
        }

        private void IndexEntries()
        {
            foreach (var group in archive.Entries.GroupBy(e => e.FullName, StringComparer.Ordinal))
            {
                var count = group.Count();
                if (count > 1)
                {
                    // Zip tools disagree on which copy they show; a duplicate is a way to smuggle a second version in.
                    _problems.Add($"{group.Key}: appears {count} times in the package");
                }

                _entries[group.Key] = group.First();
            }
        }

        private void CheckSignature(byte[]? manifestBytes)
        {
            var signatureText = ReadSmall(EvidencePackager.SignatureEntry, "the manifest is not signed");
            var includedPem = _entries.ContainsKey(EvidencePackager.SignerKeyEntry) ? ReadSmall(EvidencePackager.SignerKeyEntry, "") : null;

            using var included = includedPem is null ? null : EvidenceKey.ImportPublicKey(Encoding.UTF8.GetString(includedPem));
            if (includedPem is not null && included is null)
            {
                _problems.Add($"{EvidencePackager.SignerKeyEntry}: not an ECDSA P-256 public key");
            }

            _signerFingerprint = included is null ? null : EvidenceKey.FingerprintOf(included);

            using var trusted = trustedPem is null ? null : EvidenceKey.ImportPublicKey(trustedPem);
            ECDsa? key;
            if (trustedPem is not null)
            {
                if (trusted is null)
                {
                    _problems.Add("the trusted key given is not an ECDSA P-256 public key PEM; the signature was not checked");
                    return;
                }

                var trustedFingerprint = EvidenceKey.FingerprintOf(trusted);
                _trustedUsed = true;
                _notes.Add($"signature checked against the console's key (fingerprint {trustedFingerprint})");
                if (_signerFingerprint is not null && _signerFingerprint != trustedFingerprint)
                {
                    _problems.Add($"signer key is not the console's key (fingerprint {_signerFingerprint}; the console's is {trustedFingerprint})");
                }

                key = trusted;
            }
            else
            {
                if (included is null)
                {
                    if (includedPem is null)
                    {
                        _problems.Add($"{EvidencePackager.SignerKeyEntry}: missing from the package, and no trusted key was given; the signature was not checked");
                    }

                    return;
                }

                _notes.Add($"no trusted key given: the signature was checked against the package's own {EvidencePackager.SignerKeyEntry} " +
                    $"(fingerprint {_signerFingerprint}). That shows the package is unchanged since it was signed, not that this console signed it.");
                key = included;
            }

            if (manifestBytes is null || signatureText is null)
            {
                return;
            }

            byte[] signature;
            try
            {
                signature = Convert.FromBase64String(Encoding.ASCII.GetString(signatureText).Trim());
            }
            catch (FormatException)
            {
                _problems.Add($"{EvidencePackager.SignatureEntry}: not base64");
                return;
            }

            if (signature.Length != 64)
            {
                _problems.Add($"{EvidencePackager.SignatureEntry}: {signature.Length} bytes, not a 64-byte IEEE P1363 P-256 signature");
            }
            else if (!key.VerifyData(manifestBytes, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                _problems.Add(SignatureMismatch);
            }
        }

        private void CheckManifest(EvidenceManifest manifest)
        {
            if (manifest.FormatVersion != EvidenceManifest.CurrentFormatVersion)
            {
                _problems.Add($"{EvidencePackager.ManifestEntry}: format version {manifest.FormatVersion}, this console reads version {EvidenceManifest.CurrentFormatVersion}");
            }

            if (_signerFingerprint is not null && manifest.Signer != _signerFingerprint)
            {
                _problems.Add($"{EvidencePackager.ManifestEntry}: names signer {manifest.Signer}, but {EvidencePackager.SignerKeyEntry} is {_signerFingerprint}");
            }

            var known = new HashSet<string>(StringComparer.Ordinal)
            {
                EvidencePackager.ManifestEntry, EvidencePackager.SignatureEntry, EvidencePackager.SignerKeyEntry,
            };

            foreach (var clip in manifest.Clips)
            {
                if (!EvidencePackager.IsClipName(clip.File))
                {
                    _problems.Add($"{EvidencePackager.ManifestEntry}: clip file '{clip.File}' is not {EvidencePackager.ClipsFolder}<name>");
                }

                if (!known.Add(clip.File))
                {
                    _problems.Add($"{EvidencePackager.ManifestEntry}: lists {clip.File} more than once");
                    continue;
                }

                if (!_entries.TryGetValue(clip.File, out var entry))
                {
                    _problems.Add($"{clip.File}: listed in the manifest but missing from the package");
                    continue;
                }

                CheckClip(clip, entry);
            }

            foreach (var name in _entries.Keys.Where(n => !known.Contains(n) && !IsFolder(n)).Order(StringComparer.Ordinal))
            {
                _problems.Add($"{name}: in the package but not in the manifest");
            }
        }

        private void CheckClip(EvidenceClip clip, ZipArchiveEntry entry)
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long bytes = 0;
            try
            {
                using var stream = entry.Open();
                var buffer = new byte[1 << 16];
                int n;
                while ((n = stream.Read(buffer)) > 0)
                {
                    sha.AppendData(buffer, 0, n);
                    bytes += n;
                }
            }
            catch (InvalidDataException ex)
            {
                _problems.Add($"{clip.File}: damaged inside the zip, its contents cannot be read whole ({ex.Message})");
                return;
            }

            var actual = Convert.ToHexStringLower(sha.GetHashAndReset());
            if (!string.Equals(actual, clip.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                _problems.Add($"{clip.File}: SHA-256 is {actual}, the manifest says {clip.Sha256}");
            }
            else if (bytes != clip.Bytes)
            {
                _problems.Add($"{clip.File}: {bytes} bytes, the manifest says {clip.Bytes}");
            }
        }

        /// <summary>An entry's bytes; null (and a problem) when it is missing, too large or damaged.</summary>
        private byte[]? ReadSmall(string entryName, string whyMissingMatters)
        {
            if (!_entries.TryGetValue(entryName, out var entry))
            {
                _problems.Add($"{entryName}: missing from the package ({whyMissingMatters})");
                return null;
            }

            if (entry.Length > MaxSmallEntry)
            {
                _problems.Add($"{entryName}: {entry.Length} bytes, far larger than any the console writes; not read");
                return null;
            }

            try
            {
                using var stream = entry.Open();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return copy.ToArray();
            }
            catch (InvalidDataException ex)
            {
                _problems.Add($"{entryName}: damaged inside the zip, its contents cannot be read whole ({ex.Message})");
                return null;
            }
        }

        private static bool IsFolder(string name) => name.EndsWith('/');
    }
}
