using System.Globalization;

namespace GateWatch.Bench;

/// <summary>One process as /proc/PID/stat shows it at one instant.</summary>
/// <param name="Ticks">utime + stime + cutime + cstime: its own CPU time and that of the children it has reaped.</param>
internal readonly record struct ProcStat(int Pid, int ParentPid, long Ticks, long OwnTicks);

/// <summary>
/// The processes of the machine at one instant, from /proc, to add up the CPU time and memory of a
/// process with everything it started (the agent and its ffmpegs).
/// </summary>
/// <remarks>
/// Summing utime + stime + cutime + cstime over a live tree keeps a finished child's time: while it runs
/// it counts as itself, and once its parent reaps it, in its parent's cutime/cstime. So the difference of
/// two snapshots is the tree's CPU time in between, even when ffmpegs end or restart meanwhile.
/// </remarks>
internal sealed class ProcessTree
{
    private readonly Dictionary<int, ProcStat> _byPid;
    private readonly ILookup<int, int> _children;

    private ProcessTree(Dictionary<int, ProcStat> byPid)
    {
        _byPid = byPid;
        _children = byPid.Values.ToLookup(p => p.ParentPid, p => p.Pid);
    }

    public static bool Available => File.Exists("/proc/self/stat");

    public static ProcessTree Take()
    {
        var all = new Dictionary<int, ProcStat>();
        if (!Available)
        {
            return new ProcessTree(all);
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (Read(pid) is { } stat)
            {
                all[pid] = stat;
            }
        }

        return new ProcessTree(all);
    }

    /// <summary>/proc/PID/stat, or null when the process is gone (it may end between listing and reading).</summary>
    public static ProcStat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name is parenthesised and may itself hold spaces or ')': fields restart after the last ')'.
        // From there: state is field 3, ppid 4, utime..cstime 14..17.
        var close = text.LastIndexOf(')');
        if (close < 0 || close + 2 >= text.Length)
        {
            return null;
        }

        var f = text[(close + 2)..].Split(' ');
        long L(int field) => long.Parse(f[field - 3], CultureInfo.InvariantCulture);
        var own = L(14) + L(15);
        return new ProcStat(pid, (int)L(4), own + L(16) + L(17), own);
    }

    /// <summary><paramref name="root"/> and every process below it that is alive now; empty when the root is gone.</summary>
    public IReadOnlyList<int> Members(int root)
    {
        var members = new List<int>();
        if (!_byPid.ContainsKey(root))
        {
            return members;
        }

        var pending = new Stack<int>([root]);
        while (pending.TryPop(out var pid))
        {
            members.Add(pid);
            foreach (var child in _children[pid])
            {
                pending.Push(child);
            }
        }

        return members;
    }

    /// <summary>CPU ticks of the tree under <paramref name="root"/>, reaped children included.</summary>
    public long Ticks(int root) => Members(root).Sum(p => _byPid[p].Ticks);

    /// <summary>CPU ticks of the trees under several roots (the reference's separate ffmpegs).</summary>
    public long Ticks(IEnumerable<int> roots) => roots.Sum(Ticks);

    /// <summary>The root's own CPU ticks, without its children, live or reaped.</summary>
    public long OwnTicks(int root) => _byPid.TryGetValue(root, out var p) ? p.OwnTicks : 0;

    /// <summary>Resident memory of one process, in KiB (VmRSS); 0 when it is gone.</summary>
    public static long RssKb(int pid) => KbField($"/proc/{pid}/status", "VmRSS:");

    /// <summary>
    /// Proportional set size in KiB: resident memory with each shared page divided among the processes
    /// sharing it, so twenty ffmpegs do not count libavcodec twenty times. The kernel walks every mapping
    /// to produce it, so it is read once per window rather than sampled.
    /// </summary>
    public static long PssKb(int pid) => KbField($"/proc/{pid}/smaps_rollup", "Pss:");

    private static long KbField(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone between the snapshot and this read: it holds no memory any more.
        }

        return 0;
    }
}
