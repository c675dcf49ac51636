using System.Security.Cryptography;
using System.Text;

namespace GateWatch.Central.Evidence;

/// <summary>
/// The console's evidence-signing key: ECDSA P-256, made at first start and kept in the data directory
/// (<see cref="PrivateKeyFile"/>, PKCS#8 PEM, readable by the console's user only; <see cref="PublicKeyFile"/>,
/// SubjectPublicKeyInfo PEM, to hand to whoever checks packages). The private key file is the truth: the
/// public file is rewritten from it when missing or different.
/// </summary>
internal sealed class EvidenceKey : IDisposable
{
    public const string PrivateKeyFile = "evidence-key.pem";
    public const string PublicKeyFile = "evidence-public.pem";

    /// <summary>OID of NIST P-256 (secp256r1), the only curve packages are signed with.</summary>
    private const string P256Oid = "1.2.840.10045.3.1.7";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly ECDsa _key;

    private EvidenceKey(ECDsa key)
    {
        _key = key;
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem();
        Fingerprint = FingerprintOf(key);
    }

    /// <summary>The public key as SubjectPublicKeyInfo PEM.</summary>
    public string PublicKeyPem { get; }

    /// <summary>Lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo DER.</summary>
    public string Fingerprint { get; }

    /// <summary>Loads the key from <paramref name="dataDir"/>, creating it (and the directory) the first time.</summary>
    public static EvidenceKey Load(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var privatePath = Path.Combine(dataDir, PrivateKeyFile);
        if (!File.Exists(privatePath))
        {
            Create(privatePath);
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(privatePath));
            if (!IsP256(key) || key.ExportParameters(includePrivateParameters: true).D is null)
            {
                throw new InvalidDataException($"{privatePath}: not an ECDSA P-256 private key");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"{privatePath}: not a readable ECDSA P-256 private key in PEM ({ex.Message})", ex);
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(privatePath) & ~OwnerOnly) != 0)
        {
            // Someone loosened it (a copy, a restore); the key signs evidence, so put it back.
            File.SetUnixFileMode(privatePath, OwnerOnly);
        }

        var loaded = new EvidenceKey(key);
        var publicPath = Path.Combine(dataDir, PublicKeyFile);
        if (!File.Exists(publicPath) || PublicFingerprint(File.ReadAllText(publicPath)) != loaded.Fingerprint)
        {
            WriteAtomically(publicPath, loaded.PublicKeyPem, ownerOnly: false);
        }

        return loaded;
    }

    /// <summary>ECDSA P-256 with SHA-256, IEEE P1363 format: r and s as two 32-byte big-endian integers, 64 bytes.</summary>
    public byte[] Sign(byte[] data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public void Dispose() => _key.Dispose();

    /// <summary>Reads a SubjectPublicKeyInfo PEM; null when it is not an ECDSA P-256 public key.</summary>
    public static ECDsa? ImportPublicKey(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (IsP256(key))
            {
                return key;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException or PlatformNotSupportedException)
        {
            // Not PEM, not EC, or damaged: the caller names the file. A curve OpenSSL does not know is refused with
            // PlatformNotSupportedException, and a package may name any curve.
        }

        key.Dispose();
        return null;
    }

    /// <summary>The fingerprint of a public key PEM; null when it is not an ECDSA P-256 public key.</summary>
    public static string? PublicFingerprint(string pem)
    {
        using var key = ImportPublicKey(pem);
        return key is null ? null : FingerprintOf(key);
    }

    public static string FingerprintOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    private static bool IsP256(ECDsa key) => key.KeySize == 256 && key.ExportParameters(includePrivateParameters: false).Curve.Oid?.Value == P256Oid;

    private static void Create(string privatePath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            WriteAtomically(privatePath, key.ExportPkcs8PrivateKeyPem(), ownerOnly: true);
        }
        catch (IOException) when (File.Exists(privatePath))
        {
            // Another console process on the same data directory made its key first; that one is used.
        }
    }

    /// <summary>
    /// Writes under a temporary name, then moves it into place (for the private key, never over an existing one). A crash leaves no
    /// half-written key, and two first starts cannot each keep a different key. The private key's mode is
    /// set when the file is created, so it is never readable by others, not even for a moment.
    /// </summary>
    private static void WriteAtomically(string path, string text, bool ownerOnly)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (ownerOnly && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temp, options))
            {
                if (ownerOnly && !OperatingSystem.IsWindows())
                {
                    // The create mode passes through the umask; this makes it exactly 0600 whatever the umask.
                    File.SetUnixFileMode(stream.SafeFileHandle, OwnerOnly);
                }

                stream.Write(Encoding.ASCII.GetBytes(text + "\n"));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: !ownerOnly);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
