using System.Diagnostics;
using System.Globalization;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Ffmpeg;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Pipeline;

namespace GateWatch.Bench;

/// <summary>ffmpeg decoding the clip to raw BGR frames and throwing them away: the decode ceiling.</summary>
internal sealed record DecodeResult(int Threads, long Frames, TimeSpan Elapsed)
{
    public double FramesPerSecond => Frames / Elapsed.TotalSeconds;
}

/// <summary>The detector's ONNX session alone on a prepared input: the model ceiling.</summary>
internal sealed record InferenceResult(int Threads, int Runs, TimeSpan Elapsed, double PreprocessMs)
{
    public double PerSecond => Runs / Elapsed.TotalSeconds;

    public double InferenceMs => Elapsed.TotalMilliseconds / Runs;
}

/// <summary>One thread count: both references and the whole pipeline, every frame analysed.</summary>
internal sealed record ThreadResult(int Threads, DecodeResult Decode, InferenceResult Inference, AnalysisStats Pipeline)
{
    /// <summary>The slower reference: the most the pipeline could do if it added nothing of its own.</summary>
    public double Ceiling => Math.Min(Decode.FramesPerSecond, Inference.PerSecond);

    public string BoundBy => Decode.FramesPerSecond <= Inference.PerSecond ? "decode" : "inference";

    public double Ratio => Pipeline.FramesPerSecond / Ceiling;
}

/// <summary>The pipeline with motion gating on, against the bare inference rate of the same thread count.</summary>
internal sealed record GatedResult(string Clip, int Threads, AnalysisStats Stats, double InferenceRate)
{
    public double Ratio => Stats.FramesPerSecond / InferenceRate;
}

internal sealed record ThroughputResults(
    ThroughputOptions Options,
    MachineInfo Machine,
    VideoInfo Video,
    string GateName,
    IReadOnlyList<ThreadResult> PerThreads,
    GatedResult StillScene,
    GatedResult Clip,
    LoadMonitor Load,
    IReadOnlyList<LoadSegment> ReportedLoad,
    IReadOnlyDictionary<int, IReadOnlyList<double>> RoundRatios);

/// <summary>One measurement's result and how busy other processes kept the machine while it ran.</summary>
internal sealed record Measured<T>(T Result, LoadSegment Load);

/// <summary>
/// The pipeline's frame rate on a real clip against two references measured in the same run: Debian's
/// ffmpeg decoding the clip to raw frames, and the model's bare inference rate.
/// </summary>
internal static class ThroughputBenchmark
{
    /// <summary>The goal: the pipeline keeps this share of the slower reference.</summary>
    public const double Goal = 0.80;

    /// <summary>Untimed inferences first: ORT allocates its arenas and picks kernels on the first runs.</summary>
    private const int InferWarmups = 5;

    private const int PreprocessRuns = 50;

    /// <summary>Seconds of the still picture run through the pipeline once per detector before anything is timed (JIT, ORT arenas, ffmpeg start-up paths).</summary>
    private const int WarmupSeconds = 3;

    public static async Task<int> RunAsync(ThroughputOptions options, CancellationToken ct)
    {
        FfmpegTools.Configure();
        FfmpegTools.EnsureInstalled();

        var spec = options.Gate is null
            ? GateSpecLoader.Parse(ThroughputOptions.BuiltInGate, "(built-in PETS gate)")
            : GateSpecLoader.Load(options.Gate);
        var gateName = options.Gate is null ? "built-in copy of pets-gate.json" : RepoPaths.Display(options.RepoRoot, options.Gate);
        var info = await VideoProbe.ProbeAsync(options.Video, ct).ConfigureAwait(false);
        var scaled = spec.ScaledTo(info.Width, info.Height);
        var fps = spec.Fps ?? info.Fps;
        var machine = await MachineInfo.CollectAsync(ct).ConfigureAwait(false);

        Progress($"video {options.Video}: {info.Width}x{info.Height} {info.Codec} at {info.Fps:0.##} fps");
        using var firstFrame = await FirstFrameAsync(options.Video, info, ct).ConfigureAwait(false);

        var temp = Directory.CreateTempSubdirectory("gatewatch-bench-");
        var detectors = new Dictionary<int, IObjectDetector>();
        try
        {
            Progress("making the still-scene clip from frame 0");
            var still = await MakeStillClipAsync(options.Video, temp.FullName, "still", fps, options.StillSeconds, ct).ConfigureAwait(false);
            var warmup = await MakeStillClipAsync(options.Video, temp.FullName, "warmup", fps, WarmupSeconds, ct).ConfigureAwait(false);
            var stillInfo = await VideoProbe.ProbeAsync(still, ct).ConfigureAwait(false);
            var warmupInfo = await VideoProbe.ProbeAsync(warmup, ct).ConfigureAwait(false);

            foreach (var threads in options.Threads)
            {
                detectors[threads] = Detectors.Load(options.Model, new DetectorOptions { Threads = threads });
                Progress($"warm-up, {threads} thread(s)");
                foreach (var gating in new[] { false, true })
                {
                    await RunPipelineAsync(warmup, warmupInfo, scaled, fps, detectors[threads], threads, gating, ct).ConfigureAwait(false);
                }
            }

            var decodes = options.Threads.ToDictionary(t => t, _ => new List<Measured<DecodeResult>>());
            var inferences = options.Threads.ToDictionary(t => t, _ => new List<Measured<InferenceResult>>());
            var pipelines = options.Threads.ToDictionary(t => t, _ => new List<Measured<AnalysisStats>>());
            var gatedStill = new List<Measured<AnalysisStats>>();
            var gatedClip = new List<Measured<AnalysisStats>>();
            var gatedThreads = options.Threads[0];

            var load = new LoadMonitor();
            for (var r = 1; r <= options.Repeat; r++)
            {
                var round = options.Repeat > 1 ? $"round {r}/{options.Repeat}: " : "";
                foreach (var threads in options.Threads)
                {
                    var detector = detectors[threads];
                    decodes[threads].Add(await MeasureAsync(
                        options, load, $"{round}ffmpeg decode to raw BGR, {threads} thread(s)",
                        () => DecodeAsync(options.Video, info, threads, ct), d => $"{d.FramesPerSecond:0.0} frames/s", ct).ConfigureAwait(false));
                    inferences[threads].Add(await MeasureAsync(
                        options, load, $"{round}bare inference x{options.InferRuns}, {threads} thread(s)",
                        () => Task.FromResult(Infer(detector, firstFrame, threads, options.InferRuns)), i => $"{i.PerSecond:0.0} inferences/s", ct).ConfigureAwait(false));
                    pipelines[threads].Add(await MeasureAsync(
                        options, load, $"{round}pipeline, every frame, {threads} thread(s)",
                        () => RunPipelineAsync(options.Video, info, scaled, fps, detector, threads, gating: false, ct), Figure, ct).ConfigureAwait(false));
                }

                gatedStill.Add(await MeasureAsync(
                    options, load, $"{round}pipeline, motion gating, still scene, {gatedThreads} thread(s)",
                    () => RunPipelineAsync(still, stillInfo, scaled, fps, detectors[gatedThreads], gatedThreads, gating: true, ct), Figure, ct).ConfigureAwait(false));
                gatedClip.Add(await MeasureAsync(
                    options, load, $"{round}pipeline, motion gating, {Path.GetFileName(options.Video)}, {gatedThreads} thread(s)",
                    () => RunPipelineAsync(options.Video, info, scaled, fps, detectors[gatedThreads], gatedThreads, gating: true, ct), Figure, ct).ConfigureAwait(false));
            }

            // Each round's ratio from that round's own references: the spread the medians hide.
            var roundRatios = options.Threads.ToDictionary(
                t => t,
                t => (IReadOnlyList<double>)Enumerable.Range(0, options.Repeat)
                    .Select(i => pipelines[t][i].Result.FramesPerSecond
                        / Math.Min(decodes[t][i].Result.FramesPerSecond, inferences[t][i].Result.PerSecond))
                    .ToList());

            // The reported figure of each measurement is its median run; the load report is about those runs.
            var reported = new List<LoadSegment>();
            T Pick<T>(List<Measured<T>> runs, Func<T, double> key)
            {
                var median = runs.OrderBy(m => key(m.Result)).ElementAt((runs.Count - 1) / 2);
                reported.Add(median.Load);
                return median.Result;
            }

            var perThreads = options.Threads
                .Select(t => new ThreadResult(
                    t,
                    Pick(decodes[t], d => d.FramesPerSecond),
                    Pick(inferences[t], i => i.PerSecond),
                    Pick(pipelines[t], p => p.FramesPerSecond)))
                .ToList();
            var gatedRate = perThreads.First(p => p.Threads == gatedThreads).Inference.PerSecond;
            var results = new ThroughputResults(
                options,
                machine,
                info,
                gateName,
                perThreads,
                new GatedResult($"still scene (frame 0 held {options.StillSeconds} s)", gatedThreads, Pick(gatedStill, s => s.FramesPerSecond), gatedRate),
                new GatedResult(Path.GetFileName(options.Video), gatedThreads, Pick(gatedClip, s => s.FramesPerSecond), gatedRate),
                load,
                reported,
                roundRatios);

            CheckFrameCounts(results);
            Console.WriteLine(ThroughputReport.Text(results));
            var markdown = ThroughputReport.Markdown(results);
            Console.WriteLine(ThroughputReport.MarkdownBegin);
            Console.Write(markdown);
            Console.WriteLine(ThroughputReport.MarkdownEnd);
            if (options.Markdown is { } path)
            {
                await File.WriteAllTextAsync(path, markdown, ct).ConfigureAwait(false);
                Progress($"markdown written to {path}");
            }

            return 0;
        }
        finally
        {
            foreach (var d in detectors.Values)
            {
                d.Dispose();
            }

            temp.Delete(recursive: true);
        }
    }

    /// <summary>Reference (a): ffmpeg alone, decoding every frame of the clip to raw BGR on a pipe read to the end.</summary>
    internal static async Task<DecodeResult> DecodeAsync(string video, VideoInfo info, int threads, CancellationToken ct)
    {
        string[] args =
        [
            "-hide_banner", "-nostats", "-threads", threads.ToString(CultureInfo.InvariantCulture), "-i", video,
            "-an", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1",
        ];
        var run = await FfmpegCli.RunAsync(args, sink: null, ct).ConfigureAwait(false);
        var frameBytes = (long)info.Width * info.Height * 3;
        if (run.Bytes % frameBytes != 0)
        {
            throw new BenchException($"ffmpeg wrote {run.Bytes} bytes, not a whole number of {info.Width}x{info.Height} BGR frames");
        }

        return new DecodeResult(threads, run.Bytes / frameBytes, run.Elapsed);
    }

    /// <summary>Reference (b): the ONNX session alone, on the letterboxed first frame of the clip.</summary>
    internal static InferenceResult Infer(IObjectDetector detector, Frame frame, int threads, int runs)
    {
        detector.Preprocess(frame.Mat);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < PreprocessRuns; i++)
        {
            detector.Preprocess(frame.Mat);
        }

        var preprocessMs = clock.Elapsed.TotalMilliseconds / PreprocessRuns;
        for (var i = 0; i < InferWarmups; i++)
        {
            detector.InferOnly();
        }

        clock.Restart();
        for (var i = 0; i < runs; i++)
        {
            detector.InferOnly();
        }

        return new InferenceResult(threads, runs, clock.Elapsed, preprocessMs);
    }

    /// <summary>The pipeline as the agent runs it: ffmpeg decoding (one decoder thread, the agent's setting) while this process analyses.</summary>
    internal static async Task<AnalysisStats> RunPipelineAsync(
        string video, VideoInfo info, GateSpec spec, double fps, IObjectDetector detector, int threads, bool gating, CancellationToken ct, TilingMode tiling = TilingMode.Auto)
    {
        var options = new PipelineOptions
        {
            MotionGating = gating,
            Detector = new DetectorOptions { Threads = threads },
            Scene = new SceneOptions { Tiling = new TilingOptions { Mode = tiling, MaxTilesPerFrame = new PipelineOptions().Scene.Tiling.MaxTilesPerFrame } },
        };
        using var pipeline = new GatePipeline(spec, fps, detector, options);
        return await VideoAnalysis.RunAsync(
            video,
            info,
            pipeline,
            static (_, _) => ValueTask.CompletedTask,
            static _ => ValueTask.CompletedTask,
            ct).ConfigureAwait(false);
    }

    /// <summary>Frame 0 of the clip as ffmpeg decodes it: a real scene with people, for the model reference.</summary>
    internal static async Task<Frame> FirstFrameAsync(string video, VideoInfo info, CancellationToken ct)
    {
        var frame = Frame.Standalone(info.Width, info.Height);
        using var raw = new MemoryStream(frame.ByteLength);
        await FfmpegCli.RunAsync(
            ["-hide_banner", "-nostats", "-loglevel", "error", "-i", video, "-an", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"],
            raw,
            ct).ConfigureAwait(false);
        if (raw.Length != frame.ByteLength)
        {
            frame.Dispose();
            throw new BenchException($"{video}: frame 0 decoded to {raw.Length} bytes, expected {frame.ByteLength}");
        }

        raw.Position = 0;
        raw.ReadExactly(frame.Pixels, 0, frame.ByteLength);
        return frame;
    }

    /// <summary>An H.264 clip of frame 0 held still for <paramref name="seconds"/>, encoded by ffmpeg like a camera's stream.</summary>
    private static async Task<string> MakeStillClipAsync(string video, string folder, string name, double fps, int seconds, CancellationToken ct)
    {
        var png = Path.Combine(folder, name + ".png");
        var mp4 = Path.Combine(folder, name + ".mp4");
        var rate = fps.ToString("0.###", CultureInfo.InvariantCulture);
        string[] quiet = ["-hide_banner", "-nostats", "-loglevel", "error", "-y"];
        await FfmpegCli.RunAsync([.. quiet, "-i", video, "-an", "-vf", @"select=eq(n\,0)", "-frames:v", "1", png], null, ct).ConfigureAwait(false);
        await FfmpegCli.RunAsync(
            [.. quiet, "-loop", "1", "-framerate", rate, "-i", png, "-t", seconds.ToString(CultureInfo.InvariantCulture),
             "-r", rate, "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", mp4],
            null,
            ct).ConfigureAwait(false);
        return mp4;
    }

    /// <summary>Every run must have seen the same frames, or the rates compare different work.</summary>
    private static void CheckFrameCounts(ThroughputResults r)
    {
        foreach (var t in r.PerThreads)
        {
            if (t.Decode.Frames != t.Pipeline.Frames || t.Pipeline.DetectedFrames != t.Pipeline.Frames)
            {
                throw new BenchException(
                    $"{t.Threads} thread(s): ffmpeg decoded {t.Decode.Frames} frames, the pipeline analysed {t.Pipeline.Frames} " +
                    $"and ran the detector on {t.Pipeline.DetectedFrames}; the comparison would not be like for like");
            }
        }

        if (r.Clip.Stats.Frames != r.PerThreads[0].Pipeline.Frames)
        {
            throw new BenchException($"the gated run analysed {r.Clip.Stats.Frames} frames, the ungated one {r.PerThreads[0].Pipeline.Frames}");
        }
    }

    /// <summary>Other processes' load (in cores) under which the machine counts as idle for <c>--wait-idle</c>.</summary>
    internal const double IdleCores = 0.05;

    /// <summary>Idle seconds in a row that <c>--wait-idle</c> asks for before a measurement starts.</summary>
    internal const int IdleSeconds = 3;

    /// <summary>Other processes' load (in cores) during a measurement above which <c>--wait-idle</c> measures again.</summary>
    public const double DisturbedCores = 0.1;

    /// <summary>Tries per measurement under <c>--wait-idle</c>; the least disturbed one is kept.</summary>
    internal const int MaxAttempts = 3;

    /// <summary>
    /// Runs one measurement and records how busy other processes kept the machine meanwhile. With
    /// <c>--wait-idle</c> it first waits for the machine to go idle, and measures again (keeping the least
    /// disturbed try) when other work started during the measurement.
    /// </summary>
    private static async Task<Measured<T>> MeasureAsync<T>(
        ThroughputOptions options, LoadMonitor load, string name, Func<Task<T>> measure, Func<T, string> figure, CancellationToken ct)
    {
        var careful = options.WaitIdle > TimeSpan.Zero;
        (T Result, LoadSegment Load)? kept = null;
        var tries = 0;
        for (var attempt = 1; attempt <= (careful ? MaxAttempts : 1); attempt++)
        {
            tries = attempt;
            Progress(attempt == 1 ? name : $"{name}, try {attempt}");
            if (careful && !await LoadMonitor.WaitForIdleAsync(options.WaitIdle, IdleCores, IdleSeconds, ct).ConfigureAwait(false))
            {
                Progress($"  the machine did not go idle within {options.WaitIdle.TotalSeconds:0} s; measuring anyway");
            }

            var start = LoadMonitor.Sample();
            var result = await measure().ConfigureAwait(false);
            var segment = LoadMonitor.Between(name, start, LoadMonitor.Sample());
            Progress($"  {figure(result)}; {segment.Elapsed.TotalSeconds:0.0} s; other processes kept {segment.ForeignCores:0.00} cores busy meanwhile");
            if (kept is null || segment.ForeignCores < kept.Value.Load.ForeignCores)
            {
                kept = (result, segment);
            }

            if (segment.ForeignCores <= DisturbedCores)
            {
                break;
            }
        }

        load.Add(kept!.Value.Load, discardedTries: tries - 1);
        return new Measured<T>(kept.Value.Result, kept.Value.Load);
    }

    private static string Figure(AnalysisStats s) => $"{s.FramesPerSecond:0.0} frames/s, detector on {s.DetectedFrames} of {s.Frames}";

    private static void Progress(string message) => Console.Error.WriteLine($"[bench] {message}");
}
