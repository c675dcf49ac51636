using System.Text;
using GateWatch.Agent.Pipeline;

namespace GateWatch.Bench;

/// <summary>The throughput figures as a console report and as Markdown for bench/RESULTS.md.</summary>
internal static class ThroughputReport
{
    public const string MarkdownBegin = "<!-- throughput markdown: begin -->";
    public const string MarkdownEnd = "<!-- throughput markdown: end -->";

    public static string Text(ThroughputResults r)
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine($"GateWatch throughput: {Describe(r)}");
        sb.AppendLine($"command: {r.Options.CommandText()}");
        sb.AppendLine($"machine: {MachineLine(r.Machine)}");
        sb.AppendLine($"load: {LoadLine(r)}");
        sb.AppendLine();
        sb.AppendLine("Rates (pipeline: every frame analysed, motion gating off)");
        sb.Append(RatesTable(r).ToText());
        if (RoundsLine(r) is { } roundsText)
        {
            sb.AppendLine(roundsText);
        }
        sb.AppendLine();
        sb.AppendLine("Pipeline stages, milliseconds per frame");
        sb.Append(StagesTable(r).ToText());
        foreach (var t in r.PerThreads)
        {
            sb.AppendLine(DetectorLine(t));
        }

        sb.AppendLine();
        sb.AppendLine($"Motion gating on ({r.StillScene.Threads} thread)");
        sb.Append(GatingTable(r).ToText());
        sb.AppendLine();
        sb.AppendLine("Other processes during the reported runs (busy cores, of the machine's)");
        sb.Append(LoadTable(r).ToText());
        sb.AppendLine();
        sb.AppendLine(DecodeNote(r));
        return sb.ToString();
    }

    public static string Markdown(ThroughputResults r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Command (from the repository root): `{r.Options.CommandText()}`");
        sb.AppendLine();
        sb.AppendLine($"- Input: {Describe(r)}");
        sb.AppendLine($"- Machine: {MachineLine(r.Machine)}");
        sb.AppendLine($"- Other load: {LoadLine(r)}");
        sb.AppendLine($"- {DecodeNote(r)}");
        sb.AppendLine();
        sb.AppendLine("Rates (pipeline: every frame analysed, motion gating off):");
        sb.AppendLine();
        sb.Append(RatesTable(r).ToMarkdown());
        if (RoundsLine(r) is { } rounds)
        {
            sb.AppendLine();
            sb.AppendLine(rounds);
        }
        sb.AppendLine();
        sb.AppendLine("Pipeline stages, milliseconds per frame (every frame analysed):");
        sb.AppendLine();
        sb.Append(StagesTable(r).ToMarkdown());
        sb.AppendLine();
        foreach (var t in r.PerThreads)
        {
            sb.AppendLine($"- {DetectorLine(t)}");
        }

        sb.AppendLine();
        sb.AppendLine($"Motion gating on ({r.StillScene.Threads} thread; the ratio is to the bare inference rate on {r.StillScene.Threads} thread):");
        sb.AppendLine();
        sb.Append(GatingTable(r).ToMarkdown());
        sb.AppendLine();
        sb.AppendLine("Other processes during the reported runs (cores they kept busy; 0.00 = the machine was otherwise idle):");
        sb.AppendLine();
        sb.Append(LoadTable(r).ToMarkdown());
        return sb.ToString();
    }

    private static string Describe(ThroughputResults r) =>
        $"{RepoPaths.Display(r.Options.RepoRoot, r.Options.Video)} ({r.Video.Width}x{r.Video.Height} {r.Video.Codec}, " +
        $"{r.PerThreads[0].Pipeline.Frames} frames); gate {r.GateName}; model {RepoPaths.Display(r.Options.RepoRoot, r.Options.Model)}; " +
        $"{r.Options.InferRuns} timed inferences per thread count; " +
        (r.Options.Repeat == 1 ? "one run of each" : $"median of {r.Options.Repeat} runs of each");

    private static string MachineLine(MachineInfo m) =>
        $"{m.Cores} cores, {m.Cpu}, {m.Memory} RAM, {m.GpuText}; {m.Os}; {m.Runtime}; {m.Ffmpeg}; ONNX Runtime {m.OnnxRuntime}";

    private static string LoadLine(ThroughputResults r)
    {
        if (!LoadMonitor.Available)
        {
            return "not measured (no /proc)";
        }

        var worst = r.ReportedLoad.MaxBy(s => s.ForeignCores)!;
        var all = r.Load.Segments;
        var disturbed = all.Count(s => s.ForeignCores > ThroughputBenchmark.DisturbedCores);
        var retried = r.Load.DiscardedTries > 0 ? $" ({r.Load.DiscardedTries} disturbed tries were measured again and dropped)" : "";
        var line = $"during the runs reported here other processes kept at most {worst.ForeignCores:0.00} of {r.Machine.Cores} cores busy " +
            $"('{worst.Name}'); {disturbed} of the {all.Count} timed runs kept were disturbed (> {ThroughputBenchmark.DisturbedCores:0.00} core){retried}";
        return worst.ForeignCores > ThroughputBenchmark.DisturbedCores
            ? line + ". WARNING: the machine was not idle; these figures understate the pipeline and its references"
            : line + "; the reported runs had the machine to themselves";
    }

    private static string DecodeNote(ThroughputResults r) =>
        "Decode reference: `ffmpeg -hide_banner -nostats -threads N -i VIDEO -an -fps_mode passthrough -f rawvideo -pix_fmt bgr24 pipe:1`, " +
        "stdout read to the end, timed from process start to exit. Threads = ONNX Runtime intra-op threads in the inference " +
        "reference and the pipeline; ffmpeg's `-threads` in the decode reference only: inside the pipeline ffmpeg decodes " +
        "with one decoder thread (the agent's setting), in its own process, alongside the analysis.";

    /// <summary>With several rounds, each round's ratio against its own references; null for one round.</summary>
    private static string? RoundsLine(ThroughputResults r) =>
        r.Options.Repeat < 2
            ? null
            : "Pipeline / slower reference in each round (the table shows medians): " + string.Join("; ", r.RoundRatios.Select(
                kv => $"{kv.Key} thread(s) " + string.Join(", ", kv.Value.Select(x => x.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))));

    private static string DetectorLine(ThreadResult t)
    {
        var n = Math.Max(1, t.Pipeline.Frames);
        return $"{t.Threads} thread(s): detector = preprocess {t.Inference.PreprocessMs:0.00} ms + bare inference {t.Inference.InferenceMs:0.00} ms " +
            $"= {t.Inference.PreprocessMs + t.Inference.InferenceMs:0.00} ms measured alone; the pipeline's detect stage took {t.Pipeline.DetectMs / n:0.00} ms " +
            "(it adds box decoding and NMS, and shares the cores with ffmpeg)";
    }

    private static Table RatesTable(ThroughputResults r)
    {
        var table = new Table(
            "threads", "ffmpeg decode (frames/s)", "bare inference (/s)", "pipeline (frames/s)",
            "slower reference", "pipeline / slower", $"goal >= {ThroughputBenchmark.Goal:0.00}");
        foreach (var t in r.PerThreads)
        {
            table.Add(
                t.Threads.ToString(),
                $"{t.Decode.FramesPerSecond:0.0}",
                $"{t.Inference.PerSecond:0.0}",
                $"{t.Pipeline.FramesPerSecond:0.0}",
                t.BoundBy,
                $"{t.Ratio:0.00}",
                t.Ratio >= ThroughputBenchmark.Goal ? "met" : "NOT met");
        }

        return table;
    }

    private static Table StagesTable(ThroughputResults r)
    {
        var table = new Table("threads", "wait for frame", "motion", "detect", "track", "gate", "other", "total");
        foreach (var t in r.PerThreads)
        {
            AddStages(table, t.Threads.ToString(), t.Pipeline);
        }

        return table;
    }

    private static void AddStages(Table table, string label, AnalysisStats s)
    {
        var n = Math.Max(1, s.Frames);
        var total = s.Elapsed.TotalMilliseconds;
        var other = total - s.WaitMs - s.MotionMs - s.DetectMs - s.TrackMs - s.GateMs;
        table.Add(
            label,
            $"{s.WaitMs / n:0.00}",
            $"{s.MotionMs / n:0.00}",
            $"{s.DetectMs / n:0.00}",
            $"{s.TrackMs / n:0.00}",
            $"{s.GateMs / n:0.00}",
            $"{other / n:0.00}",
            $"{total / n:0.00}");
    }

    private static Table GatingTable(ThroughputResults r)
    {
        var table = new Table(
            "clip", "frames", "detector ran on", "pipeline (frames/s)", "x bare inference",
            "motion ms/frame", "detect ms/frame", "wait ms/frame");
        foreach (var g in new[] { r.StillScene, r.Clip })
        {
            var n = Math.Max(1, g.Stats.Frames);
            table.Add(
                g.Clip,
                g.Stats.Frames.ToString(),
                $"{g.Stats.DetectedFrames} ({100.0 * g.Stats.DetectedFrames / n:0.0}%)",
                $"{g.Stats.FramesPerSecond:0.0}",
                $"{g.Ratio:0.00}",
                $"{g.Stats.MotionMs / n:0.00}",
                $"{g.Stats.DetectMs / n:0.00}",
                $"{g.Stats.WaitMs / n:0.00}");
        }

        return table;
    }

    private static Table LoadTable(ThroughputResults r)
    {
        var table = new Table("measurement", "seconds", "other processes (cores)");
        foreach (var s in r.ReportedLoad)
        {
            table.Add(s.Name, $"{s.Elapsed.TotalSeconds:0.0}", $"{s.ForeignCores:0.00}");
        }

        return table;
    }
}
