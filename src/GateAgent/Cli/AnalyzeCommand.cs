using GateWatch.Agent.Annotate;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Crowd;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Events;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Pipeline;
using OpenCvSharp;
using Spectre.Console;

namespace GateWatch.Agent.Cli;

/// <summary>
/// `analyze`: the live pipeline run over a video file and a gate spec, writing the evaluation protocol's
/// JSON Lines. Outputs are written beside their final names and moved into place only on success, so a
/// failed run leaves nothing half-written.
/// </summary>
internal static class AnalyzeCommand
{
    public const string Usage = """
        GateAgent analyze --gate SPEC.json --out EVENTS.jsonl [options]
          --video FILE         video to analyse (default: the spec's "video", relative to the spec)
          --occupancy          also write per-frame zone counts
          --every-frame        run the detector on every frame (no motion gating)
          --threads N          detector threads (default 1)
          --model FILE         detector model (default: the shipped models/yolox_nano_640x384.onnx)
          --no-density         zones count tracked people only (default: with zones, the crowd density is
                               estimated every densitySeconds of video and dense zones count by it)
          --annotate FILE.mp4  also write a video with boxes, track ids, lines and counts drawn in
          --snapshots DIR      also write a JPEG of each crossing
          --progress           progress also when the output is not a terminal: a plain line every 10 %
                               (on a terminal there is a bar either way)
          --quiet              no progress bar or summary
        """;

    private static readonly HashSet<string> Options = ["--video", "--gate", "--out", "--threads", "--model", "--annotate", "--snapshots"];
    private static readonly HashSet<string> Flags = ["--occupancy", "--every-frame", "--progress", "--quiet", "--no-density"];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var cl = CommandLine.Parse(args, Options, Flags);
        if (cl.Has("--quiet") && cl.Has("--progress"))
        {
            throw new UsageException("--quiet and --progress cannot go together");
        }

        var specPath = cl.Require("--gate");
        var outPath = cl.Require("--out");
        var threads = cl.GetInt("--threads", 1, 1, Environment.ProcessorCount * 4);
        var spec = GateSpecLoader.Load(specPath);
        var video = cl.Get("--video")
            ?? (spec.Video is { } v ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(specPath))!, v) : null)
            ?? throw new UsageException($"--video is required: {specPath} names no video");

        Ffmpeg.FfmpegTools.Configure();
        var info = await VideoProbe.ProbeAsync(video, ct).ConfigureAwait(false);
        var fps = spec.Fps ?? info.Fps;
        var scaled = spec.ScaledTo(info.Width, info.Height);
        using var density = scaled.Zones.Count > 0 && !cl.Has("--no-density") ? DensityCounter.Load(threads: threads) : null;
        var options = new PipelineOptions
        {
            Detector = new DetectorOptions { Threads = threads },

            MotionGating = !cl.Has("--every-frame"),
            InlineDensity = density,
        };
        using var detector = Detectors.Load(cl.Get("--model") ?? ModelFile.DefaultPath, options.Detector);
        using var pipeline = new GatePipeline(scaled, fps, detector, options);

        var interactive = !cl.Has("--quiet") && !Console.IsOutputRedirected;
        var progressLines = !interactive && cl.Has("--progress") ? new ProgressLines(Console.Out, Path.GetFileName(video), info.FrameCount) : null;
        var outputs = new OutputFiles();
        try
        {
            var events = outputs.Create(outPath);
            var annotatePath = cl.Get("--annotate");
            var snapshots = cl.Get("--snapshots");
            if (snapshots is not null)
            {
                Directory.CreateDirectory(snapshots);
            }

            await using var mp4 = annotatePath is null ? null : new Mp4Writer(outputs.Reserve(annotatePath), info.Width, info.Height, fps);
            var annotator = new Annotator(scaled);
            var writeOccupancy = cl.Has("--occupancy");
            var summary = new Summary(scaled);
            using var canvas = new Mat();

            async ValueTask OnFrame(Frame frame, FrameAnalysis a)
            {
                annotator.Observe(a);
                var hasCrossing = a.Events.Any(e => e is CrossingEvent);
                if (mp4 is not null || (snapshots is not null && hasCrossing))
                {
                    frame.Mat.CopyTo(canvas);
                    annotator.Draw(canvas, a);
                    mp4?.Write(canvas);
                }

                foreach (var e in a.Events)
                {
                    summary.Add(e);
                    if (e is CrossingEvent c)
                    {
                        await events.WriteLineAsync(EventJson.Crossing(c.Crossing)).ConfigureAwait(false);
                        if (snapshots is not null)
                        {
                            Cv2.ImWrite(Path.Combine(snapshots, $"{a.Frame:D6}-{c.Crossing.Line}-{c.Crossing.TrackId}-{(c.Crossing.Direction == Direction.In ? "in" : "out")}.jpg"), canvas);
                        }
                    }
                    else if (e is CrowdEvent { Change: CrowdChange.Cleared } cleared)
                    {
                        await events.WriteLineAsync(EventJson.Crowd(cleared.Episode)).ConfigureAwait(false);
                    }
                }

                if (writeOccupancy)
                {
                    foreach (var (zone, count) in a.ZoneCounts)
                    {
                        await events.WriteLineAsync(EventJson.Occupancy(new OccupancyEvent(zone, a.Frame, a.Time, count))).ConfigureAwait(false);
                    }
                }
            }

            async ValueTask OnFinish(IReadOnlyList<GateEvent> closing)
            {
                // Crossings still settling when the clip ends (a track that crossed in its last frames) count too.
                foreach (var e in closing)
                {
                    summary.Add(e);
                    switch (e)
                    {
                        case CrossingEvent c:
                            await events.WriteLineAsync(EventJson.Crossing(c.Crossing)).ConfigureAwait(false);
                            break;
                        case CrowdEvent crowd:
                            await events.WriteLineAsync(EventJson.Crowd(crowd.Episode)).ConfigureAwait(false);
                            break;
                    }
                }
            }

            AnalysisStats stats;
            if (interactive)
            {
                stats = await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask(Markup.Escape(Path.GetFileName(video)), maxValue: info.FrameCount ?? 1);
                        return await VideoAnalysis.RunAsync(video, info, pipeline, async (f, a) =>
                        {
                            await OnFrame(f, a).ConfigureAwait(false);
                            task.Value = a.Frame + 1;
                        }, OnFinish, ct).ConfigureAwait(false);
                    }).ConfigureAwait(false);
            }
            else if (progressLines is not null)
            {
                stats = await VideoAnalysis.RunAsync(video, info, pipeline, async (f, a) =>
                {
                    await OnFrame(f, a).ConfigureAwait(false);
                    progressLines.Done(a.Frame + 1);
                }, OnFinish, ct).ConfigureAwait(false);
            }
            else
            {
                stats = await VideoAnalysis.RunAsync(video, info, pipeline, OnFrame, OnFinish, ct).ConfigureAwait(false);
            }

            if (mp4 is not null)
            {
                await mp4.FinishAsync(ct).ConfigureAwait(false);
            }

            await outputs.CommitAsync().ConfigureAwait(false);
            if (!cl.Has("--quiet"))
            {
                summary.Print(stats, outPath);
            }

            return 0;
        }
        finally
        {
            await outputs.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Counts for the closing table.</summary>
    private sealed class Summary(GateSpec spec)
    {
        private readonly Dictionary<(string Line, string Class), (int In, int Out)> _crossings = [];
        private readonly List<CrowdEpisode> _crowds = [];

        public void Add(GateEvent e)
        {
            switch (e)
            {
                case CrossingEvent { Crossing: var c }:
                    var key = (c.Line, c.Class.Name());
                    var (i, o) = _crossings.GetValueOrDefault(key);
                    _crossings[key] = c.Direction == Direction.In ? (i + 1, o) : (i, o + 1);
                    break;
                case CrowdEvent { Change: CrowdChange.Cleared, Episode: var ep }:
                    _crowds.Add(ep);
                    break;
            }
        }

        public void Print(AnalysisStats stats, string outPath)
        {
            var lines = new Table().Title("Gate crossings").AddColumns("line", "class", "in", "out");
            foreach (var line in spec.Lines)
            {
                var rows = _crossings.Where(kv => kv.Key.Line == line.Id).OrderBy(kv => kv.Key.Class).ToList();
                if (rows.Count == 0)
                {
                    lines.AddRow(Markup.Escape(line.Id), "-", "0", "0");
                }

                foreach (var ((_, cls), (i, o)) in rows)
                {
                    lines.AddRow(Markup.Escape(line.Id), cls, i.ToString(), o.ToString());
                }
            }

            AnsiConsole.Write(lines);
            var crowds = new Table().Title("Crowd episodes").AddColumns("zone", "start", "alert", "end", "peak", "peak estimate");
            foreach (var c in _crowds)
            {
                crowds.AddRow(
                    Markup.Escape(c.Zone), c.StartFrame.ToString(), c.AlertFrame.ToString(), c.EndFrame?.ToString() ?? "-", c.Peak.ToString(),
                    c.PeakEstimate is { } e ? e.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) : "-");
            }

            if (_crowds.Count == 0)
            {
                crowds.AddRow("(none)", "", "", "", "", "");
            }

            AnsiConsole.Write(crowds);
            var n = Math.Max(1, stats.Frames);
            AnsiConsole.MarkupLine(
                $"{stats.Frames} frames in {stats.Elapsed.TotalSeconds:0.0} s: [bold]{stats.FramesPerSecond:0.0} frames/s[/], " +
                $"detector on {stats.DetectedFrames} frames; per frame: motion {stats.MotionMs / n:0.0} ms, " +
                $"detect {stats.DetectMs / n:0.0} ms, track {stats.TrackMs / n:0.00} ms, gate {stats.GateMs / n:0.00} ms, " +
                $"density {stats.DensityMs / n:0.0} ms");
            AnsiConsole.MarkupLine($"events: [link]{Markup.Escape(outPath)}[/]");
        }
    }
}
