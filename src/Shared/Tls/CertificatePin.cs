using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GateWatch.Shared.Tls;

/// <summary>
/// A certificate's SHA-256 fingerprint as people compare it: upper-case hex pairs joined by colons, the form
/// <c>openssl x509 -noout -fingerprint -sha256</c> prints, so an admin can check the agent's against the console's.
/// </summary>
internal static class CertificatePin
{
    public static string Of(X509Certificate2 certificate) => Format(SHA256.HashData(certificate.RawData));

    /// <summary>
    /// The canonical form of a fingerprint typed or pasted by a person (colons, spaces, any case, an optional
    /// "SHA256:" or "sha256 Fingerprint=" prefix as tools print it); null when it is not 32 bytes of hex.
    /// </summary>
    public static string? Normalize(string text)
    {
        var s = text.Trim();
        var equals = s.LastIndexOf('=');
        if (equals >= 0)
        {
            s = s[(equals + 1)..];
        }

        // No fingerprint's hex begins with "sha256:", so the prefix can only be a label.
        if (s.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            s = s[7..];
        }

        var hex = s.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
        {
            return null;
        }

        return Format(Convert.FromHexString(hex));
    }

    private static string Format(byte[] hash) => string.Join(':', hash.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));
}
