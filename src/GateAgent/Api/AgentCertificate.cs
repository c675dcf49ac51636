using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GateWatch.Agent.Service;

namespace GateWatch.Agent.Api;

/// <summary>
/// The certificate the agent's API is served with: the one the config names (from the park's own CA), or one the
/// agent makes at its first start and keeps in its data folder. A self-made certificate is trusted by no CA; the
/// console trusts it by its fingerprint, pinned when the admin registers the agent
/// (<c>GateAgent tls-fingerprint</c> prints it before the agent ever runs).
/// </summary>
internal static class AgentCertificate
{
    /// <summary>
    /// Long enough that a gate box never stops answering because a date passed unnoticed: the pin, not the date,
    /// is what the console trusts, and an agent is re-pinned when its box is replaced.
    /// </summary>
    private static readonly TimeSpan SelfMadeLifetime = TimeSpan.FromDays(20 * 365);

    public static string CertificatePath(AgentConfig config) => config.TlsCertificateFile ?? Path.Combine(config.DataDir, "tls", "agent.crt");

    public static string KeyPath(AgentConfig config) => config.TlsKeyFile ?? Path.Combine(config.DataDir, "tls", "agent.key");

    /// <summary>The certificate to serve, made first when the config names none and none was made before.</summary>
    public static X509Certificate2 For(AgentConfig config, TimeProvider time)
    {
        var certificate = CertificatePath(config);
        var key = KeyPath(config);
        if (config.TlsCertificateFile is null && !File.Exists(certificate))
        {
            Make(config, certificate, key, time);
        }

        var at = config.TlsCertificateFile is null ? "$.dataDir" : "$.tls";
        try
        {
            var loaded = X509Certificate2.CreateFromPemFile(certificate, key);
            if (!loaded.HasPrivateKey)
            {
                throw new AgentConfigException(config.File, at, $"{key} holds no private key for {certificate}");
            }

            return loaded;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentConfigException(config.File, at, $"cannot read the API's certificate or key ({e.Message})");
        }
        catch (CryptographicException e)
        {
            throw new AgentConfigException(config.File, at, $"{certificate} and {key} are not a PEM certificate and its private key ({e.Message})");
        }
    }

    private static void Make(AgentConfig config, string certificatePath, string keyPath, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=GateWatch agent {config.AgentId}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "server authentication")], false));
        // Names help a person reading the certificate and a client that checks them; the console checks the pin.
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        var host = new Uri(config.Listen).Host;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            if (!ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any) && !IPAddress.IsLoopback(ip))
            {
                names.AddIpAddress(ip);
            }
        }
        else if (host is not ("localhost" or "*" or "+"))
        {
            names.AddDnsName(host);
        }

        request.CertificateExtensions.Add(names.Build());
        var now = time.GetUtcNow();
        using var made = request.CreateSelfSigned(now.AddDays(-1), now + SelfMadeLifetime);

        var dir = Path.GetDirectoryName(certificatePath)!;
        try
        {
            Directory.CreateDirectory(dir);
            // The key first and the certificate last, each through a temporary name: a certificate on disk means both are whole.
            WriteAtomically(keyPath, key.ExportPkcs8PrivateKeyPem(), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            WriteAtomically(certificatePath, made.ExportCertificatePem(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentConfigException(config.File, "$.dataDir", $"cannot write the API's certificate to {dir} ({e.Message})");
        }
    }

    private static void WriteAtomically(string path, string text, UnixFileMode mode)
    {
        var temporary = path + ".tmp";
        // A leftover from a crash would keep its own permissions: the mode applies only to a file being created.
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
