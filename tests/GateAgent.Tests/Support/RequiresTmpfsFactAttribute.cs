using System.Diagnostics;

namespace GateWatch.Agent.Tests.Support;

/// <summary>
/// A fact that needs a small real filesystem of its own to fill up (a tmpfs, which needs root and mount
/// rights); skipped, with the reason, where this machine cannot mount one.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresTmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Problem = new(Probe);

    public RequiresTmpfsFactAttribute()
    {
        if (Problem.Value is { } why)
        {
            Skip = $"needs to mount a tmpfs to fill a disk for real: {why}";
        }
    }

    private static string? Probe()
    {
        using var dir = new TempDir();
        var mount = Tmpfs.Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.Path);
        if (mount is not null)
        {
            return mount;
        }

        return Tmpfs.Run("umount", dir.Path);
    }
}

/// <summary>A tmpfs of a given size mounted on a folder for the life of the object.</summary>
internal sealed class Tmpfs : IDisposable
{
    public Tmpfs(string path, int megabytes)
    {
        Path = path;
        Directory.CreateDirectory(path);
        if (Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path) is { } error)
        {
            throw new InvalidOperationException($"mount tmpfs on {path}: {error}");
        }
    }

    public string Path { get; }

    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Runs a command; null when it succeeded, else what it said.</summary>
    internal static string? Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        try
        {
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"{file} exited {p.ExitCode}: {err.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{file}: {e.Message}";
        }
    }

    public void Dispose()
    {
        // Lazy: anything still holding a file open (a dying ffmpeg) must not leave the mount behind.
        Run("umount", "-l", Path);
    }
}
