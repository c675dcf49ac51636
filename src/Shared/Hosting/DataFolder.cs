namespace GateWatch.Shared.Hosting;

internal sealed class DataFolderException(string message) : Exception(message);

/// <summary>
/// The check a service makes of its data folder before it opens anything in it. A packaged service runs as its own
/// user with only that folder writable; a folder left owned by root (copied back from a backup, made by hand) would
/// otherwise surface as a SQLite or recorder error far from its cause, after half a start.
/// </summary>
internal static class DataFolder
{
    /// <summary>Makes the folder if it is missing and proves it writable with a probe file, removed at once.</summary>
    public static void RequireWritable(string path, string what)
    {
        var full = Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(full);
            var probe = Path.Combine(full, $".write-check-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            var user = Environment.UserName;
            throw new DataFolderException(
                $"{what}: {full} is not writable by user '{user}' ({e.Message}); nothing was started. "
                + $"Give the folder to that user (sudo chown -R {user}: {full}) or choose another.");
        }
    }
}
