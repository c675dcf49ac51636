using System.Security.Cryptography;

namespace GateWatch.Agent.Gate;

/// <summary>
/// A camera's gate spec file on disk, the source of truth for its lines and zones: its fingerprint, and a
/// replacement that is either wholly there or not at all.
/// </summary>
internal static class GateFile
{
    public const string PreviousSuffix = ".previous";

    /// <summary>SHA-256 of the file's bytes in upper-case hex, as the config loader records it; "" for a missing file.</summary>
    public static string Fingerprint(string path) => File.Exists(path) ? Fingerprint(File.ReadAllBytes(path)) : "";

    public static string Fingerprint(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    /// <summary>The file's text, as File.ReadAllText would give it (a byte order mark is not part of the JSON).</summary>
    public static string Text(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');

    /// <summary>
    /// Writes <paramref name="bytes"/> to a temporary file in the same folder, flushes it to the disk and renames it
    /// over <paramref name="path"/>: a crash or a full disk leaves the old spec or the new one, never half of one
    /// (which would keep the camera from starting). The old file is kept as <c>path.previous</c>, one step of undo.
    /// </summary>
    public static void Replace(string path, byte[] bytes)
    {
        var dir = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                f.Write(bytes);
                f.Flush(flushToDisk: true);
            }

            if (File.Exists(path))
            {
                // On Linux: the old file is hard-linked to the backup name, then the new one renamed over it.
                File.Replace(temp, path, path + PreviousSuffix);
            }
            else
            {
                File.Move(temp, path);
            }
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
