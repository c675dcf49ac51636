using System.Globalization;
using System.Text;

namespace GateWatch.Bench;

/// <summary>The capacity figures as a console report and as Markdown for bench/RESULTS.md.</summary>
internal static class CapacityReport
{
    public const string MarkdownBegin = "<!-- capacity markdown: begin -->";
    public const string MarkdownEnd = "<!-- capacity markdown: end -->";

    public static string Text(CapacityResults r)
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine($"GateWatch capacity: {Answer(r)}");
        sb.AppendLine($"command: {r.Options.CommandText()}");
        sb.AppendLine($"machine: {MachineLine(r.Machine)}");
        sb.AppendLine($"cameras: {CamerasLine(r)}");
        sb.AppendLine($"reference: {ReferenceLine()}");
        sb.AppendLine($"load: {LoadLine(r)}");
        sb.AppendLine();
        sb.AppendLine("Per camera count (CPU in % of one core; the machine is " + Invariant($"{r.Machine.Cores * 100}%)"));
        sb.Append(MainTable(r).ToText());
        sb.AppendLine();
        sb.AppendLine("Where the agent's time goes");
        sb.Append(DetailTable(r).ToText());
        foreach (var line in Notes(r))
        {
            sb.AppendLine(line);
        }

        return sb.ToString();
    }

    public static string Markdown(CapacityResults r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Command (from the repository root): `{r.Options.CommandText()}`");
        sb.AppendLine();
        sb.AppendLine($"- Result: {Answer(r)}");
        sb.AppendLine($"- Machine: {MachineLine(r.Machine)}");
        sb.AppendLine($"- Cameras: {CamerasLine(r)}");
        sb.AppendLine($"- Reference: {ReferenceLine()}");
        sb.AppendLine($"- Other load: {LoadLine(r)}");
        sb.AppendLine();
        sb.AppendLine(Invariant($"Per camera count (CPU in % of one core; the machine is {r.Machine.Cores * 100}%):"));
        sb.AppendLine();
        sb.Append(MainTable(r).ToMarkdown());
        sb.AppendLine();
        sb.AppendLine("Where the agent's time goes:");
        sb.AppendLine();
        sb.Append(DetailTable(r).ToMarkdown());
        sb.AppendLine();
        foreach (var line in Notes(r))
        {
            sb.AppendLine($"- {line}");
        }

        return sb.ToString();
    }

    private static string Answer(CapacityResults r)
    {
        var goal = r.Capacity >= CapacityBenchmark.Goal ? "met" : "NOT met";
        var tried = string.Join(", ", r.Rows.Select(x => x.Cameras));
        return r.Capacity is { } n
            ? $"one agent holds **{n}** camera(s) of those tried ({tried}); goal >= {CapacityBenchmark.Goal}: {goal}"
            : $"one agent holds none of the camera counts tried ({tried}); goal >= {CapacityBenchmark.Goal}: NOT met";
    }

    private static string MachineLine(MachineInfo m) =>
        $"{m.Cores} cores, {m.Cpu}, {m.Memory} RAM, {m.GpuText}; {m.Os}; {m.Runtime}; {m.Ffmpeg}; ONNX Runtime {m.OnnxRuntime}";

    private static string CamerasLine(CapacityResults r) =>
        Invariant($"each a real RTSP stream (tests/rtsp/rtsp_server.py --mounts N, gst-rtsp-server on this machine, one looping pipeline per camera) of ") +
        Invariant($"{RepoPaths.Display(r.Options.RepoRoot, r.Clip)} ({r.ClipInfo.Width}x{r.ClipInfo.Height} {r.ClipInfo.Codec}, {r.ClipInfo.Fps:0.##} fps, ") +
        Invariant($"{CapacityBenchmark.Bitrate}b/s, GOP {CapacityBenchmark.Gop}, no B-frames, {CapacityBenchmark.ClipSeconds} s looped): ") +
        $"{RepoPaths.Display(r.Options.RepoRoot, r.Options.Video)} stretched to 720p, its frames played at 15 fps; " +
        Invariant($"the agent records each by stream copy into {CapacityBenchmark.SegmentSeconds} s segments and analyses it at {CapacityBenchmark.AnalysisFps} fps ") +
        $"with gate {RepoPaths.Display(r.Options.RepoRoot, r.Options.Gate)} (motion gating on, as deployed); " +
        Invariant($"{r.Options.Warmup.TotalSeconds:0} s warm-up, then a {r.Options.Window.TotalSeconds:0} s window per run");

    private static string ReferenceLine() =>
        "per camera, the agent's two ffmpegs without the agent: " +
        $"`ffmpeg {string.Join(' ', CapacityBenchmark.RecorderArgs("URL", "DIR"))}` and `ffmpeg {string.Join(' ', CapacityBenchmark.AnalysisArgs("URL"))}`, " +
        "on their own RTSP server, measured the same way (CPU of the process trees from /proc/PID/stat, RSS summed from /proc/PID/status)";

    private static string LoadLine(CapacityResults r)
    {
        if (!LoadMonitor.Available)
        {
            return "not measured (no /proc)";
        }

        var worst = r.Load.Segments.MaxBy(s => s.ForeignCores)!;
        var disturbed = r.Load.Segments.Count(s => s.ForeignCores > ThroughputBenchmark.DisturbedCores);
        var retried = r.Load.DiscardedTries > 0 ? Invariant($" ({r.Load.DiscardedTries} disturbed tries were run again and dropped)") : "";
        var line = Invariant($"outside this benchmark's own processes (the RTSP server included as its own), other processes kept at most {worst.ForeignCores:0.00} of {r.Machine.Cores} cores busy ") +
            Invariant($"('{worst.Name}'); {disturbed} of the {r.Load.Segments.Count} windows kept were disturbed (> {ThroughputBenchmark.DisturbedCores:0.00} core){retried}");
        return disturbed > 0
            ? line + ". WARNING: the machine was not idle; the disturbed rows understate what the agent holds"
            : line + "; the windows reported had the machine to themselves";
    }

    private static Table MainTable(CapacityResults r)
    {
        var table = new Table(
            "cameras", "agent CPU", "per camera", "ffmpeg-only CPU", "per camera", "agent / ffmpeg",
            "agent RSS MB (per camera)", "ffmpeg-only RSS MB (per camera)", "analysed fps min / mean", "dropped/min per camera (mean / max)",
            "lag ms start / end (max)", "verdict");
        foreach (var row in r.Rows)
        {
            var a = row.Agent;
            var f = row.Reference;
            var n = row.Cameras;
            table.Add(
                Invariant($"{n}"),
                Invariant($"{a.Usage.CpuPercent:0.0}%"),
                Invariant($"{a.Usage.CpuPercent / n:0.0}%"),
                Invariant($"{f.Usage.CpuPercent:0.0}%"),
                Invariant($"{f.Usage.CpuPercent / n:0.0}%"),
                Invariant($"{row.Ratio:0.00}"),
                Invariant($"{a.Usage.RssMb:0} ({a.Usage.RssMb / n:0})"),
                Invariant($"{f.Usage.RssMb:0} ({f.Usage.RssMb / n:0})"),
                Invariant($"{a.AnalysedFps.Min():0.00} / {a.AnalysedFps.Average():0.00}"),
                Invariant($"{a.DroppedPerMinute.Average():0.0} / {a.DroppedPerMinute.Max():0.0}"),
                Invariant($"{a.MaxLagStartMs:0} / {a.MaxLagEndMs:0}"),
                a.Holds ? "holds" : "does not hold");
        }

        return table;
    }

    private static Table DetailTable(CapacityResults r)
    {
        var table = new Table(
            "cameras", "agent process CPU", "its ffmpegs CPU", "detect ms/frame", "detector cores (ms x 5 fps x N)",
            "agent process RSS MB", "its ffmpegs RSS MB", "agent PSS MB (per camera)", "ffmpeg-only PSS MB (per camera)",
            "segments per camera in window (min)", "RTSP server CPU",
            "other load, agent / ffmpeg window (cores)", "tries agent / ffmpeg");
        foreach (var row in r.Rows)
        {
            var a = row.Agent;
            var n = row.Cameras;
            table.Add(
                Invariant($"{n}"),
                Invariant($"{a.Usage.MainCpuPercent:0.0}%"),
                Invariant($"{a.Usage.CpuPercent - a.Usage.MainCpuPercent:0.0}%"),
                Invariant($"{a.MeanDetectMs:0.0}"),
                Invariant($"{a.MeanDetectMs * CapacityBenchmark.AnalysisFps * n / 1000:0.00}"),
                Invariant($"{a.Usage.MainRssMb:0}"),
                Invariant($"{a.Usage.RssMb - a.Usage.MainRssMb:0}"),
                Invariant($"{a.Usage.PssMb:0} ({a.Usage.PssMb / n:0})"),
                Invariant($"{row.Reference.Usage.PssMb:0} ({row.Reference.Usage.PssMb / n:0})"),
                Invariant($"{a.NewSegments.Min()}"),
                Invariant($"{a.Usage.ServerCpuPercent:0.0}%"),
                Invariant($"{a.Usage.ForeignCores:0.00} / {row.Reference.Usage.ForeignCores:0.00}"),
                Invariant($"{row.AgentTries} / {row.ReferenceTries}"));
        }

        return table;
    }

    private static IEnumerable<string> Notes(CapacityResults r)
    {
        yield return "agent CPU = the agent process and its ffmpegs (recorder and analysis decoder per camera); detect ms/frame = the agent's " +
            "smoothed detector time per analysed frame from /api/health, averaged over cameras; dropped = frames the agent threw away " +
            "because analysis was behind (its queue keeps the newest 2); lag = capture to analysed, from /api/health; " +
            "analysed and dropped rates are over the interval between the two health reports, by the agent's clock";
        yield return "detect ms/frame is wall-clock time as the agent times it: while the cores have room it is the detector's cost, " +
            "but once they are saturated it includes waiting for a core, and the detector-cores column then overstates";
        foreach (var row in r.Rows.Where(x => !x.Agent.Holds))
        {
            yield return Invariant($"{row.Cameras} camera(s) do not hold: ") + string.Join("; ", row.Agent.Failures);
        }

        var written = r.Rows.All(x => x.Agent.NewSegments.Min() > 0 && x.Reference.NewSegments.Min() > 0) ? "every camera wrote segments" : "NOT every camera wrote segments";
        var probed = r.Rows.All(x => x.Agent.Problems.Count == 0) ? "each played as expected" : "see the failures above";
        yield return $"recordings: in every window {written}, counted in the data folder; after each agent run every camera's last whole segment " +
            $"was opened with ffprobe ({probed}), e.g. {r.Rows[^1].Agent.ProbeSample}";
        yield return "RSS sums each process's resident memory over the window (the shared libraries of every ffmpeg counted once per process); " +
            "PSS, read once at the end of the window, divides shared pages among the processes that share them";
    }

    private static string Invariant(FormattableString s) => FormattableString.Invariant(s);
}
