using System.Diagnostics;

namespace GateWatch.Bench;

/// <summary>CPU time of the whole machine and of this process with its children (the ffmpeg runs), at one instant.</summary>
internal readonly record struct CpuSample(long MachineBusyTicks, long OwnTicks, long Timestamp)
{
    /// <summary>USER_HZ: the unit of /proc/stat and /proc/self/stat on Linux.</summary>
    public const double TicksPerSecond = 100;

    public static CpuSample Take()
    {
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"; guest time is already in user.
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long F(int i) => i < cpu.Length ? long.Parse(cpu[i]) : 0;
        var busy = F(1) + F(2) + F(3) + F(6) + F(7) + F(8);

        // This process with the children it reaped and every descendant still running: the capacity
        // benchmark's agent, ffmpegs and RTSP server are its own work, not other load, while they run.
        var own = ProcessTree.Take().Ticks(Environment.ProcessId);
        return new CpuSample(busy, own, Stopwatch.GetTimestamp());
    }
}

/// <summary>One measurement and how much of the machine other processes (or the hypervisor, as steal) took meanwhile.</summary>
internal sealed record LoadSegment(string Name, TimeSpan Elapsed, double ForeignCores);

/// <summary>
/// Watches for other work on the machine during each measurement: the figures are only the pipeline's
/// own on an otherwise idle machine, and a shared two-core machine is often not idle.
/// </summary>
internal sealed class LoadMonitor
{
    private readonly List<LoadSegment> _segments = [];

    public static bool Available => File.Exists("/proc/stat") && File.Exists("/proc/self/stat");

    public IReadOnlyList<LoadSegment> Segments => _segments;

    /// <summary>
    /// Waits, up to <paramref name="limit"/>, until other processes have left the machine idle (under
    /// <paramref name="maxCores"/> busy cores) for <paramref name="quietSeconds"/> whole seconds in a row.
    /// Returns whether it got there.
    /// </summary>
    public static async Task<bool> WaitForIdleAsync(TimeSpan limit, double maxCores, int quietSeconds, CancellationToken ct)
    {
        if (!Available || limit <= TimeSpan.Zero)
        {
            return true;
        }

        var clock = Stopwatch.StartNew();
        var quiet = 0;
        var previous = CpuSample.Take();
        while (clock.Elapsed < limit)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            var now = CpuSample.Take();
            var seconds = Stopwatch.GetElapsedTime(previous.Timestamp, now.Timestamp).TotalSeconds;
            var foreign = ((now.MachineBusyTicks - previous.MachineBusyTicks) - (now.OwnTicks - previous.OwnTicks)) / CpuSample.TicksPerSecond / seconds;
            previous = now;
            quiet = foreign < maxCores ? quiet + 1 : 0;
            if (quiet >= quietSeconds)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How much of the machine other processes took between two samples.</summary>
    public static LoadSegment Between(string name, CpuSample start, CpuSample end)
    {
        var elapsed = Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp);
        if (!Available)
        {
            return new LoadSegment(name, elapsed, 0);
        }

        var foreignTicks = (end.MachineBusyTicks - start.MachineBusyTicks) - (end.OwnTicks - start.OwnTicks);
        var cores = Math.Max(0, foreignTicks / CpuSample.TicksPerSecond / Math.Max(1e-3, elapsed.TotalSeconds));
        return new LoadSegment(name, elapsed, cores);
    }

    public static CpuSample Sample() => Available ? CpuSample.Take() : new CpuSample(0, 0, Stopwatch.GetTimestamp());

    /// <summary>Tries thrown away because other work disturbed them (only with <c>--wait-idle</c>).</summary>
    public int DiscardedTries { get; private set; }

    public void Add(LoadSegment kept, int discardedTries)
    {
        _segments.Add(kept);
        DiscardedTries += discardedTries;
    }
}
