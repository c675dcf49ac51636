using GateWatch.Agent.Record;
using Microsoft.Extensions.Logging;

namespace GateWatch.Agent.Retention;

/// <summary>
/// Deletes recorded segments by age and by a per-camera quota, oldest first, and in a low-disk emergency
/// deletes the oldest footage of all cameras so that recording goes on with the newest. Protected spans
/// (footage around crowd alerts) and each camera's newest segment, which the recorder may still be
/// finishing, are never deleted in any mode. Each deletion removes the file first and the index row after:
/// a crash between the two leaves a row pointing to nothing, which the next sweep removes, whereas a file
/// without a row would be re-indexed by healing and so would never be lost either.
/// </summary>
internal sealed class RetentionSweeper(SegmentIndex index, string recordingsRoot, long lowDiskFreeBytes, Func<long> freeBytes, TimeProvider time, ILogger logger)
{
    public const string AgeReason = "age";
    public const string QuotaReason = "quota";
    public const string LowDiskReason = "low-disk";

    /// <summary>Case matters to Linux paths, not to Windows ones; a wrong guess here would let a path escape the root.</summary>
    private static readonly StringComparison PathComparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>The root with a trailing separator, so that "/rec-evil/x" does not pass as inside "/rec".</summary>
    private readonly string _root = RootWithSeparator(recordingsRoot);

    private readonly long _lowDiskFreeBytes = lowDiskFreeBytes >= 0 ? lowDiskFreeBytes
        : throw new ArgumentOutOfRangeException(nameof(lowDiskFreeBytes), lowDiskFreeBytes, "the low-disk threshold cannot be negative");

    /// <summary>Two sweeps at once would pick the same oldest segments and report each other's deletions as failures.</summary>
    private readonly Lock _sweeping = new();

    public SweepResult Sweep(IReadOnlyDictionary<string, RetentionPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        // A bad policy fails before anything is deleted: a zero or negative age would empty the camera.
        foreach (var (camera, policy) in policies)
        {
            if (policy.MaxAge is { } age && age <= TimeSpan.Zero)
            {
                throw new ArgumentException($"the maximum age for camera {camera} must be positive, not {age}", nameof(policies));
            }

            if (policy.QuotaBytes is { } quota && quota < 0)
            {
                throw new ArgumentException($"the quota for camera {camera} cannot be negative ({quota} bytes)", nameof(policies));
            }
        }

        lock (_sweeping)
        {
            var run = new Run();
            var now = time.GetUtcNow();
            foreach (var camera in index.Cameras())
            {
                if (!policies.TryGetValue(camera, out var policy))
                {
                    continue;
                }

                if (policy.MaxAge is { } maxAge)
                {
                    SweepAge(camera, now - maxAge, run);
                }

                if (policy.QuotaBytes is { } quota)
                {
                    SweepQuota(camera, quota, run);
                }
            }

            var free = ReadFree(run);
            var lowDisk = free < _lowDiskFreeBytes;
            if (lowDisk)
            {
                free = SweepLowDisk(free!.Value, run);
            }

            return new SweepResult(run.Deleted, lowDisk, free ?? -1, run.Problems);
        }
    }

    private void SweepAge(string camera, DateTimeOffset cutoff, Run run)
    {
        foreach (var s in Deletable(camera))
        {
            if (s.End < cutoff && !index.IsProtected(s))
            {
                Delete(s, AgeReason, run);
            }
        }
    }

    private void SweepQuota(string camera, long quota, Run run)
    {
        var total = index.TotalBytes(camera);
        foreach (var s in Deletable(camera))
        {
            if (total <= quota)
            {
                return;
            }

            if (!index.IsProtected(s))
            {
                Delete(s, QuotaReason, run);
                // Re-read rather than subtract: the recorder keeps adding segments while the sweep runs.
                total = index.TotalBytes(camera);
            }
        }

        if (total > quota)
        {
            RetentionLog.OverQuota(logger, camera, total, quota);
            run.Problems.Add($"camera {camera} holds {total} bytes, over its quota of {quota}: what is left is protected, its newest segment, or could not be deleted");
        }
    }

    /// <summary>Oldest first across all cameras, whatever their policies, until the disk has room again.</summary>
    private long? SweepLowDisk(long free, Run run)
    {
        RetentionLog.LowDisk(logger, free, _lowDiskFreeBytes);
        var candidates = index.Cameras().SelectMany(Deletable)
            .OrderBy(s => s.Start).ThenBy(s => s.Path, StringComparer.Ordinal).ToList();
        long? current = free;
        var protectedCount = 0;
        foreach (var s in candidates)
        {
            if (current >= _lowDiskFreeBytes)
            {
                return current;
            }

            if (index.IsProtected(s))
            {
                protectedCount++;
                continue;
            }

            Delete(s, LowDiskReason, run);
            current = ReadFree(run);
            if (current is null)
            {
                return null;
            }
        }

        if (current < _lowDiskFreeBytes)
        {
            RetentionLog.OnlyProtectedRemains(logger, current.Value, _lowDiskFreeBytes, protectedCount);
            run.Problems.Add($"disk nearly full: {current} bytes free, below the {_lowDiskFreeBytes} wanted; only protected footage remains " +
                $"({protectedCount} segments) besides each camera's newest segment, and it is not deleted");
        }

        return current;
    }

    /// <summary>A camera's segments oldest first, all but the newest: the recorder may still be finishing around that one.</summary>
    private List<Segment> Deletable(string camera)
    {
        var all = index.List(camera, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        return all.Count <= 1 ? [] : all[..^1];
    }

    private void Delete(Segment s, string reason, Run run)
    {
        var file = Path.GetFileName(s.Path);
        if (FullPathInsideRoot(s.Path) is not { } full)
        {
            RetentionLog.OutsideRoot(logger, s.Camera, s.Path, _root);
            run.Problems.Add($"segment {s.Path} of camera {s.Camera} is not inside the recordings folder {_root}; it was not deleted");
            return;
        }

        try
        {
            var info = new FileInfo(full);
            if (!info.Exists)
            {
                if (Directory.Exists(full))
                {
                    throw new IOException($"{full} is a folder, not a segment file");
                }

                index.Remove(s.Path);
                RetentionLog.AlreadyMissing(logger, s.Camera, file, s.Start, s.End, reason);
                return;
            }

            var bytes = info.Length;
            info.Delete();
            index.Remove(s.Path);
            run.Deleted.Add(new Deletion(s.Camera, s.Path, bytes, s.Start, s.End, reason));
            RetentionLog.Deleted(logger, s.Camera, file, bytes, s.Start, s.End, reason);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RetentionLog.DeleteFailed(logger, e, s.Camera, file, reason);
            run.Problems.Add($"could not delete segment {file} of camera {s.Camera} ({reason}): {e.Message}; its index row is kept");
        }
    }

    /// <summary>The normalised path ('..' resolved) when it lies strictly inside the root, else null.</summary>
    private string? FullPathInsideRoot(string path)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or IOException or NotSupportedException)
        {
            return null;
        }

        return full.Length > _root.Length && full.StartsWith(_root, PathComparison) ? full : null;
    }

    private long? ReadFree(Run run)
    {
        try
        {
            return freeBytes();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RetentionLog.FreeSpaceUnknown(logger, e);
            run.Problems.Add($"could not read the free space of the recordings disk: {e.Message}");
            return null;
        }
    }

    private static string RootWithSeparator(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var full = Path.GetFullPath(root);
        return Path.EndsInDirectorySeparator(full) ? full : full + Path.DirectorySeparatorChar;
    }

    private sealed class Run
    {
        public List<Deletion> Deleted { get; } = [];

        public List<string> Problems { get; } = [];
    }
}
