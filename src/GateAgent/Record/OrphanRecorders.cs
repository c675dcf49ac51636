using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace GateWatch.Agent.Record;

/// <summary>
/// Recorder ffmpegs left behind by an agent that was killed: they outlive their parent and would keep
/// writing into the recordings folder beside the new agent's recorders. At start they are asked to stop
/// (SIGTERM, on which ffmpeg closes its segment cleanly, so healing finds a whole file), then killed.
/// </summary>
internal static partial class OrphanRecorders
{
    private const int SigTerm = 15;

    /// <summary>Stops every ffmpeg writing under <paramref name="recordingsDir"/>; returns their process ids.</summary>
    public static async Task<IReadOnlyList<int>> StopAsync(string recordingsDir, TimeSpan grace)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc"))
        {
            return [];
        }

        var root = Path.GetFullPath(recordingsDir).TrimEnd('/') + "/";
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            string[] argv;
            try
            {
                argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // gone meanwhile, or not ours to read
            }

            if (argv.Length > 0 && Path.GetFileName(argv[0]) == "ffmpeg" && argv.Any(a => a.StartsWith(root, StringComparison.Ordinal)))
            {
                found.Add(pid);
                _ = Kill(pid, SigTerm);
            }
        }

        foreach (var pid in found)
        {
            try
            {
                using var p = Process.GetProcessById(pid);
                using var wait = new CancellationTokenSource(grace);
                try
                {
                    await p.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    p.Kill();
                }
            }
            catch (ArgumentException)
            {
                // Already exited.
            }
        }

        return found;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
