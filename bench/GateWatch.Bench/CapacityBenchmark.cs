using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Ffmpeg;

namespace GateWatch.Bench;

/// <summary>CPU time and memory of a set of process trees over one measured window.</summary>
/// <param name="Ticks">CPU ticks of the measured trees (the agent with its ffmpegs, or the reference ffmpegs).</param>
/// <param name="MainOwnTicks">The agent's own process alone (its .NET code: detector, tracker, API); 0 for the reference.</param>
/// <param name="ServerTicks">The RTSP server that plays the cameras: it shares the machine, but is not the agent's cost.</param>
/// <param name="RssMb">Resident memory summed over the measured trees, averaged over the window.</param>
/// <param name="MainRssMb">The agent's own process, averaged over the window; 0 for the reference.</param>
/// <param name="PssMb">Proportional set size of the measured trees at the end of the window (shared libraries divided among their users).</param>
/// <param name="MainPssMb">The same for the agent's own process; 0 for the reference.</param>
internal sealed record Usage(
    TimeSpan Elapsed, long Ticks, long MainOwnTicks, long ServerTicks, double RssMb, double MainRssMb, double PssMb, double MainPssMb, double ForeignCores)
{
    /// <summary>Percent of one core (the 2-core machine is 200%).</summary>
    public double CpuPercent => Percent(Ticks);

    public double MainCpuPercent => Percent(MainOwnTicks);

    public double ServerCpuPercent => Percent(ServerTicks);

    private double Percent(long ticks) => ticks / CpuSample.TicksPerSecond / Elapsed.TotalSeconds * 100;
}

/// <summary>One camera in the agent's /api/health.</summary>
internal sealed record CameraFigures(
    string Id, string State, long Reconnects, long AnalysedFrames, long DroppedFrames, double AnalysisLagMs, double DetectMs);

/// <summary>/api/health at one instant, stamped with the agent's own clock.</summary>
internal sealed record Health(DateTimeOffset Time, IReadOnlyList<CameraFigures> Cameras);

/// <summary>The agent holding N cameras for one window: its resource use and what its health endpoint said at both ends.</summary>
internal sealed record AgentRun(
    int Cameras,
    Usage Usage,
    Health StartHealth,
    Health EndHealth,
    IReadOnlyList<int> NewSegments,
    string ProbeSample,
    IReadOnlyList<string> Problems)
{
    public IReadOnlyList<CameraFigures> Start => StartHealth.Cameras;

    public IReadOnlyList<CameraFigures> End => EndHealth.Cameras;

    /// <summary>
    /// Between the two health reports by the agent's clock: on a saturated machine the last request waits for
    /// a core, and dividing by the benchmark's window would count that wait as time the agent had.
    /// </summary>
    public TimeSpan HealthInterval => EndHealth.Time - StartHealth.Time;

    public IReadOnlyList<double> AnalysedFps =>
        [.. Start.Zip(End, (s, e) => (e.AnalysedFrames - s.AnalysedFrames) / HealthInterval.TotalSeconds)];

    public IReadOnlyList<double> DroppedPerMinute =>
        [.. Start.Zip(End, (s, e) => (e.DroppedFrames - s.DroppedFrames) / HealthInterval.TotalMinutes)];

    public double MaxLagStartMs => Start.Max(c => c.AnalysisLagMs);

    public double MaxLagEndMs => End.Max(c => c.AnalysisLagMs);

    public double MeanDetectMs => End.Average(c => c.DetectMs);

    /// <summary>The verdict's reasons: empty when the agent held every camera.</summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            var failures = new List<string>(Problems);
            if (AnalysedFps.Min() < CapacityBenchmark.MinAnalysedFps)
            {
                failures.Add(Invariant($"analysed fps down to {AnalysedFps.Min():0.00} (< {CapacityBenchmark.MinAnalysedFps})"));
            }

            if (MaxLagEndMs >= CapacityBenchmark.MaxLagMs)
            {
                failures.Add(Invariant($"analysis lag {MaxLagEndMs:0} ms at the end (>= {CapacityBenchmark.MaxLagMs})"));
            }

            var silent = End.Where((c, i) => NewSegments[i] < 1).Select(c => c.Id).ToList();
            if (silent.Count > 0)
            {
                failures.Add($"no segment written by {string.Join(", ", silent)}");
            }

            var offline = End.Where(c => c.State != "online").Select(c => $"{c.Id} {c.State}").ToList();
            if (offline.Count > 0)
            {
                failures.Add($"not online at the end: {string.Join(", ", offline)}");
            }

            var reconnects = Start.Zip(End, (s, e) => (s.Id, e.Reconnects - s.Reconnects)).Where(x => x.Item2 > 0).ToList();
            if (reconnects.Count > 0)
            {
                failures.Add("restarts during the window: " + string.Join(", ", reconnects.Select(x => $"{x.Id} {x.Item2}")));
            }

            return failures;
        }
    }

    public bool Holds => Failures.Count == 0;

    private static string Invariant(FormattableString s) => FormattableString.Invariant(s);
}

/// <summary>Plain ffmpeg doing the agent's decoding and copying for N cameras, without the detector.</summary>
internal sealed record ReferenceRun(int Cameras, Usage Usage, IReadOnlyList<int> NewSegments, IReadOnlyList<string> Problems);

/// <summary>One camera count: the agent and the reference, each with how many tries --wait-idle needed.</summary>
internal sealed record CapacityRow(AgentRun Agent, int AgentTries, ReferenceRun Reference, int ReferenceTries)
{
    public int Cameras => Agent.Cameras;

    public double Ratio => Agent.Usage.CpuPercent / Reference.Usage.CpuPercent;
}

internal sealed record CapacityResults(CapacityOptions Options, MachineInfo Machine, string Clip, VideoInfo ClipInfo, IReadOnlyList<CapacityRow> Rows, LoadMonitor Load)
{
    /// <summary>The most cameras that held, counting up from the fewest: a larger count that holds after a smaller one failed is noise.</summary>
    public int? Capacity => Rows.TakeWhile(r => r.Agent.Holds).Select(r => (int?)r.Cameras).LastOrDefault();
}

/// <summary>
/// How many cameras one agent holds on this machine: N looping 720p 15 fps H.264 RTSP cameras, each
/// recorded by stream copy and analysed at 5 fps by the agent as it runs in production (its own process,
/// its own ffmpegs), against plain ffmpeg doing the same decoding and copying, measured in the same run.
/// </summary>
internal static class CapacityBenchmark
{
    /// <summary>Analysed frames per second each camera must keep: the configured 5, less a tenth for start-up jitter.</summary>
    public const double MinAnalysedFps = 4.5;

    /// <summary>Analysis lag at the end of the window under which no backlog is building.</summary>
    public const double MaxLagMs = 1000;

    public const int Goal = 8;

    public const int Width = 1280;

    public const int Height = 720;

    public const int CameraFps = 15;

    public const int AnalysisFps = 5;

    public const int SegmentSeconds = 10;

    /// <summary>GOP of 2 s, as IP cameras ship; segments can only be cut on a keyframe.</summary>
    public const int Gop = 30;

    /// <summary>What a 720p 15 fps camera main stream typically sends.</summary>
    public const string Bitrate = "2M";

    public const int ClipSeconds = 60;

    private const int ClipFrames = ClipSeconds * CameraFps;

    /// <summary>The agent's own ffmpeg options for RTSP (SourceInput), so the reference reads the cameras the same way.</summary>
    private static readonly string[] RtspInput = ["-rtsp_transport", "tcp", "-timeout", "5000000"];

    /// <summary>The agent's recorder's fragmenting options (SegmentRecorder), copied so the reference writes the same files.</summary>
    private const string SegmentFormatOptions = "movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=1000000:flush_packets=1";

    private static readonly TimeSpan RssEvery = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(CapacityOptions options, CancellationToken ct)
    {
        FfmpegTools.Configure();
        FfmpegTools.EnsureInstalled();
        if (!File.Exists(options.AgentDll))
        {
            throw new BenchException($"{options.AgentDll}: no agent build; run `dotnet build -c Release src/GateAgent` (or pass --agent)");
        }

        if (!ProcessTree.Available)
        {
            throw new BenchException("the capacity benchmark measures processes through /proc, which this system lacks");
        }

        var machine = await MachineInfo.CollectAsync(ct).ConfigureAwait(false);
        var clip = await CameraClipAsync(options, ct).ConfigureAwait(false);
        var clipInfo = await VideoProbe.ProbeAsync(clip, ct).ConfigureAwait(false);
        var work = Directory.CreateTempSubdirectory("gatewatch-capacity-");
        var load = new LoadMonitor();
        var rows = new List<CapacityRow>();
        try
        {
            foreach (var n in options.Cameras)
            {
                var (agent, agentTries) = await CarefulAsync(
                    options, load, $"agent, {n} camera(s)", () => RunAgentAsync(options, clip, n, work.FullName, ct), a => a.Usage, ct).ConfigureAwait(false);
                Progress($"  {Summary(agent)}");
                var (reference, referenceTries) = await CarefulAsync(
                    options, load, $"plain ffmpeg, {n} camera(s)", () => RunReferenceAsync(options, clip, n, work.FullName, ct), r => r.Usage, ct).ConfigureAwait(false);
                Progress(Invariant($"  ffmpeg only: CPU {reference.Usage.CpuPercent:0.0}% of one core, RSS {reference.Usage.RssMb:0} MB"));
                rows.Add(new CapacityRow(agent, agentTries, reference, referenceTries));
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }

        var results = new CapacityResults(options, machine, clip, clipInfo, rows, load);
        Console.WriteLine(CapacityReport.Text(results));
        var markdown = CapacityReport.Markdown(results);
        Console.WriteLine(CapacityReport.MarkdownBegin);
        Console.Write(markdown);
        Console.WriteLine(CapacityReport.MarkdownEnd);
        if (options.Markdown is { } path)
        {
            await File.WriteAllTextAsync(path, markdown, ct).ConfigureAwait(false);
            Progress($"markdown written to {path}");
        }

        return 0;
    }

    /// <summary>
    /// The camera's picture: the PETS clip stretched to 1280x720 and played at 15 fps (its 10 fps frames
    /// shown 1.5x faster, so every frame is a new picture, as a camera's are), looped to 60 s, encoded as
    /// a camera encodes (no B-frames, 2 s GOP, 2 Mb/s). Made once and kept under .cache/.
    /// </summary>
    private static async Task<string> CameraClipAsync(CapacityOptions options, CancellationToken ct)
    {
        string[] encode =
        [
            "-an", "-vf", Invariant($"setpts=N/({CameraFps}*TB),scale={Width}:{Height}"), "-r", Invariant($"{CameraFps}"),
            "-frames:v", Invariant($"{ClipFrames}"), "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high",
            "-bf", "0", "-g", Invariant($"{Gop}"), "-keyint_min", Invariant($"{Gop}"), "-sc_threshold", "0",
            "-b:v", Bitrate, "-maxrate", Bitrate, "-bufsize", "4M", "-pix_fmt", "yuv420p", "-f", "h264",
        ];
        var source = new FileInfo(options.Video);
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            Invariant($"{source.FullName}|{source.Length}|{source.LastWriteTimeUtc.Ticks}|{string.Join(' ', encode)}"))))[..12].ToLowerInvariant();
        var folder = Path.Combine(options.RepoRoot, ".cache", "bench");
        var clip = Path.Combine(folder, $"camera-720p15-{key}.h264");
        if (File.Exists(clip))
        {
            Progress($"camera clip {RepoPaths.Display(options.RepoRoot, clip)} (cached)");
            return clip;
        }

        Directory.CreateDirectory(folder);
        var partial = Path.Combine(folder, $"camera-720p15-{key}.partial.h264");
        Progress($"making the camera clip from {RepoPaths.Display(options.RepoRoot, options.Video)} (once; cached in .cache/bench)");
        await FfmpegCli.RunAsync(
            ["-hide_banner", "-nostats", "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", options.Video, .. encode, partial], null, ct)
            .ConfigureAwait(false);
        File.Move(partial, clip, overwrite: true);
        return clip;
    }

    /// <summary>N cameras on one RTSP server (each mount its own looping pipeline), as a site's cameras would be on the LAN.</summary>
    private static async Task<(ChildProcess Server, IReadOnlyList<string> Urls)> StartCamerasAsync(
        CapacityOptions options, string clip, int n, string folder, CancellationToken ct)
    {
        var script = Path.Combine(options.RepoRoot, "tests", "rtsp", "rtsp_server.py");
        var server = ChildProcess.Start(
            "RTSP server",
            "/usr/bin/python3",
            [script, clip, "--port", FreePort().ToString(CultureInfo.InvariantCulture), "--mounts", n.ToString(CultureInfo.InvariantCulture),
             "--fps", CameraFps.ToString(CultureInfo.InvariantCulture)],
            Path.Combine(folder, "rtsp-server.log"),
            readyPrefix: "READY ");
        try
        {
            var urls = (await server.WaitReadyAsync(TimeSpan.FromSeconds(20), ct).ConfigureAwait(false)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return urls.Length == n ? (server, urls) : throw new BenchException($"the RTSP server offered {urls.Length} cameras, not {n}");
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<AgentRun> RunAgentAsync(CapacityOptions options, string clip, int n, string work, CancellationToken ct)
    {
        var folder = Path.Combine(work, $"agent-{n}");
        Directory.CreateDirectory(folder);
        try
        {
            var (server, urls) = await StartCamerasAsync(options, clip, n, folder, ct).ConfigureAwait(false);
            await using (server.ConfigureAwait(false))
            {
                var ids = Enumerable.Range(1, n).Select(i => Invariant($"cam{i:00}")).ToList();
                var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
                var listen = Invariant($"http://127.0.0.1:{FreePort()}");
                var dataDir = Path.Combine(folder, "data");
                var config = Path.Combine(folder, "agent.json");
                await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
                {
                    agentId = "capacity-bench",
                    listen,
                    apiKey = key,
                    dataDir,
                    cameras = ids.Select((id, i) => new
                    {
                        id,
                        main = urls[i],
                        gate = options.Gate,
                        analysisFps = AnalysisFps,
                        segmentSeconds = SegmentSeconds,
                    }),
                }), ct).ConfigureAwait(false);

                var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
                var agent = ChildProcess.Start("agent", dotnet, [options.AgentDll, "run", "--config", config], Path.Combine(folder, "agent.log"));
                await using (agent.ConfigureAwait(false))
                {
                    using var http = new HttpClient { BaseAddress = new Uri(listen), Timeout = TimeSpan.FromSeconds(10) };
                    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
                    await WaitAnalysingAsync(agent, http, n, ct).ConfigureAwait(false);
                    await Task.Delay(options.Warmup, ct).ConfigureAwait(false);

                    var start = await HealthAsync(http, ids, ct).ConfigureAwait(false);
                    var segmentsBefore = ids.Select(id => CountSegments(Path.Combine(dataDir, "recordings", id))).ToList();
                    var usage = await ObserveAsync([agent.Pid], agent.Pid, server.Pid, options.Window, ct).ConfigureAwait(false);
                    var end = await HealthAsync(http, ids, ct).ConfigureAwait(false);
                    var newSegments = ids.Select((id, i) => CountSegments(Path.Combine(dataDir, "recordings", id)) - segmentsBefore[i]).ToList();
                    var problems = new List<string>();
                    if (agent.HasExited)
                    {
                        throw new BenchException($"the agent exited during the window:\n{agent.LogTail()}");
                    }

                    await agent.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                    var probe = await ProbeSegmentsAsync(ids.Select(id => Path.Combine(dataDir, "recordings", id)).ToList(), problems, ct).ConfigureAwait(false);
                    return new AgentRun(n, usage, start, end, newSegments, probe, problems);
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Until every camera has analysed a frame: the agent starts its model, probes each stream and starts its ffmpegs first.</summary>
    private static async Task WaitAnalysingAsync(ChildProcess agent, HttpClient http, int n, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (agent.HasExited)
            {
                throw new BenchException($"the agent exited while starting:\n{agent.LogTail()}");
            }

            try
            {
                using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/health", UriKind.Relative), ct).ConfigureAwait(false));
                var cameras = doc.RootElement.GetProperty("cameras").EnumerateArray().ToList();
                if (cameras.Count == n && cameras.All(c => c.GetProperty("analysedFrames").GetInt64() > 0))
                {
                    Progress(Invariant($"  every camera analysing after {clock.Elapsed.TotalSeconds:0.0} s; warming up"));
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (clock.Elapsed > StartLimit)
            {
                throw new BenchException($"not every camera was analysing {StartLimit.TotalSeconds:0} s after the agent started:\n{agent.LogTail()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false);
        }
    }

    private static async Task<Health> HealthAsync(HttpClient http, IReadOnlyList<string> ids, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/health", UriKind.Relative), ct).ConfigureAwait(false));
        var time = doc.RootElement.GetProperty("time").GetDateTimeOffset();
        var byId = doc.RootElement.GetProperty("cameras").EnumerateArray().ToDictionary(
            c => c.GetProperty("id").GetString()!,
            c => new CameraFigures(
                c.GetProperty("id").GetString()!,
                c.GetProperty("state").GetString()!,
                c.GetProperty("reconnects").GetInt64(),
                c.GetProperty("analysedFrames").GetInt64(),
                c.GetProperty("droppedFrames").GetInt64(),
                c.GetProperty("analysisLagMs").GetDouble(),
                c.GetProperty("detectMs").GetDouble()),
            StringComparer.Ordinal);
        return new Health(time, [.. ids.Select(id => byId.TryGetValue(id, out var c) ? c : throw new BenchException($"/api/health does not list camera {id}"))]);
    }

    /// <summary>
    /// Exactly the agent's two ffmpegs per camera (SegmentRecorder's stream copy; FfmpegFrameReader's decode
    /// at 5 fps to raw BGR with one decoder thread), the frames thrown away instead of analysed.
    /// </summary>
    private static async Task<ReferenceRun> RunReferenceAsync(CapacityOptions options, string clip, int n, string work, CancellationToken ct)
    {
        var folder = Path.Combine(work, $"ffmpeg-{n}");
        Directory.CreateDirectory(folder);
        var ffmpegs = new List<ChildProcess>();
        try
        {
            var (server, urls) = await StartCamerasAsync(options, clip, n, folder, ct).ConfigureAwait(false);
            await using (server.ConfigureAwait(false))
            {
                var segmentFolders = new List<string>();
                for (var i = 0; i < n; i++)
                {
                    var camera = Path.Combine(folder, Invariant($"cam{i + 1:00}"));
                    Directory.CreateDirectory(camera);
                    segmentFolders.Add(camera);
                    ffmpegs.Add(ChildProcess.Start($"recorder ffmpeg {i + 1}", FfmpegCli.Path, RecorderArgs(urls[i], camera), camera + ".recorder.log"));
                    ffmpegs.Add(ChildProcess.Start($"analysis ffmpeg {i + 1}", FfmpegCli.Path, AnalysisArgs(urls[i]), camera + ".analysis.log"));
                }

                await Task.Delay(options.Warmup, ct).ConfigureAwait(false);
                var before = segmentFolders.Select(CountSegments).ToList();
                var usage = await ObserveAsync([.. ffmpegs.Select(f => f.Pid)], null, server.Pid, options.Window, ct).ConfigureAwait(false);
                var newSegments = segmentFolders.Select((f, i) => CountSegments(f) - before[i]).ToList();
                var problems = ffmpegs.Where(f => f.HasExited).Select(f => $"{f.Name} exited: {f.LogTail(3)}").ToList();
                if (problems.Count > 0)
                {
                    throw new BenchException("the reference did not run through its window: " + string.Join("; ", problems));
                }

                await Signal.TermAsync([.. ffmpegs.Select(f => f.Pid)]).ConfigureAwait(false);
                foreach (var f in ffmpegs)
                {
                    await f.DisposeAsync().ConfigureAwait(false);
                }

                ffmpegs.Clear();
                if (newSegments.Any(s => s < 1))
                {
                    problems.Add("a reference recorder wrote no segment during the window");
                }

                return new ReferenceRun(n, usage, newSegments, problems);
            }
        }
        finally
        {
            foreach (var f in ffmpegs)
            {
                await f.DisposeAsync().ConfigureAwait(false);
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    public static IReadOnlyList<string> RecorderArgs(string url, string folder) =>
    [
        "-hide_banner", "-nostats", "-nostdin", .. RtspInput, "-i", url, "-map", "0:v:0", "-c", "copy",
        "-f", "segment", "-segment_time", Invariant($"{SegmentSeconds}"), "-reset_timestamps", "1", "-segment_format", "mp4",
        "-segment_format_options", SegmentFormatOptions,
        "-segment_list", Path.Combine(folder, "segments.csv"), "-segment_list_type", "csv",
        Path.Combine(folder, "%06d.mp4"),
    ];

    public static IReadOnlyList<string> AnalysisArgs(string url) =>
    [
        "-hide_banner", "-nostats", "-nostdin", "-threads", "1", .. RtspInput, "-i", url,
        "-an", "-sn", "-dn", "-vf", Invariant($"fps={AnalysisFps},scale={Width}:{Height}"), "-fps_mode", "passthrough",
        "-f", "rawvideo", "-pix_fmt", "bgr24", "-y", "/dev/null",
    ];

    /// <summary>
    /// CPU time of the trees under <paramref name="roots"/> over <paramref name="window"/>, and their memory
    /// sampled every 2 s; also what the RTSP server and everything outside this benchmark used meanwhile.
    /// </summary>
    private static async Task<Usage> ObserveAsync(IReadOnlyList<int> roots, int? main, int server, TimeSpan window, CancellationToken ct)
    {
        var machineStart = LoadMonitor.Sample();
        var treeStart = ProcessTree.Take();
        var clock = Stopwatch.StartNew();
        var rss = new List<(long Total, long Main)>();
        while (clock.Elapsed < window)
        {
            var tree = ProcessTree.Take();
            rss.Add((roots.SelectMany(tree.Members).Sum(ProcessTree.RssKb), main is { } m ? ProcessTree.RssKb(m) : 0));
            var left = window - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                break;
            }

            await Task.Delay(left < RssEvery ? left : RssEvery, ct).ConfigureAwait(false);
        }

        var treeEnd = ProcessTree.Take();
        var machineEnd = LoadMonitor.Sample();
        var elapsed = clock.Elapsed;
        var pssKb = roots.SelectMany(treeEnd.Members).Sum(ProcessTree.PssKb);
        var mainPssKb = main is { } p ? ProcessTree.PssKb(p) : 0;
        var foreign = LoadMonitor.Between("window", machineStart, machineEnd).ForeignCores;
        if (roots.Any(r => treeEnd.Members(r).Count == 0))
        {
            throw new BenchException("a measured process ended during the window");
        }

        return new Usage(
            elapsed,
            treeEnd.Ticks(roots) - treeStart.Ticks(roots),
            main is { } own ? treeEnd.OwnTicks(own) - treeStart.OwnTicks(own) : 0,
            treeEnd.Ticks(server) - treeStart.Ticks(server),
            rss.Average(r => r.Total) / 1024,
            rss.Average(r => r.Main) / 1024,
            pssKb / 1024.0,
            mainPssKb / 1024.0,
            foreign);
    }

    /// <summary>Every camera's latest finished segment, probed as a player would open it.</summary>
    private static async Task<string> ProbeSegmentsAsync(IReadOnlyList<string> folders, List<string> problems, CancellationToken ct)
    {
        string? sample = null;
        foreach (var folder in folders)
        {
            // The newest file is the one the stop cut short; the one before it is a whole segment.
            var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.mp4").Order(StringComparer.Ordinal).ToList() : [];
            if (files.Count < 2)
            {
                problems.Add($"{Path.GetFileName(folder)}: {files.Count} segment file(s)");
                continue;
            }

            var file = files[^2];
            try
            {
                var info = await VideoProbe.ProbeAsync(file, ct).ConfigureAwait(false);
                var seconds = info.Duration?.TotalSeconds ?? 0;
                var text = Invariant($"{Path.GetFileName(folder)}/{Path.GetFileName(file)}: {info.Codec} {info.Width}x{info.Height}, {seconds:0.0} s, {new FileInfo(file).Length / 1e6:0.0} MB");
                sample ??= text;
                if (info.Codec != "h264" || info.Width != Width || info.Height != Height || Math.Abs(seconds - SegmentSeconds) > 2)
                {
                    problems.Add($"unexpected segment {text}");
                }
            }
            catch (VideoSourceException e)
            {
                problems.Add($"{Path.GetFileName(folder)}/{Path.GetFileName(file)} does not play: {e.Message}");
            }
        }

        return sample ?? "no segment to probe";
    }

    private static int CountSegments(string folder) => Directory.Exists(folder) ? Directory.GetFiles(folder, "*.mp4").Length : 0;

    /// <summary>
    /// Runs one measurement; with --wait-idle it first waits for the machine to go idle, and runs again
    /// (keeping the least disturbed try) when other processes took more than a tenth of a core meanwhile.
    /// </summary>
    private static async Task<(T Result, int Tries)> CarefulAsync<T>(
        CapacityOptions options, LoadMonitor load, string name, Func<Task<T>> run, Func<T, Usage> usage, CancellationToken ct)
    {
        var careful = options.WaitIdle > TimeSpan.Zero;
        (T Result, Usage Usage)? kept = null;
        var tries = 0;
        for (var attempt = 1; attempt <= (careful ? ThroughputBenchmark.MaxAttempts : 1); attempt++)
        {
            tries = attempt;
            Progress(attempt == 1 ? name : $"{name}, try {attempt}");
            if (careful && !await LoadMonitor.WaitForIdleAsync(options.WaitIdle, ThroughputBenchmark.IdleCores, ThroughputBenchmark.IdleSeconds, ct).ConfigureAwait(false))
            {
                Progress($"  the machine did not go idle within {options.WaitIdle.TotalSeconds:0} s; measuring anyway");
            }

            var result = await run().ConfigureAwait(false);
            var u = usage(result);
            Progress(Invariant($"  window {u.Elapsed.TotalSeconds:0.0} s; other processes kept {u.ForeignCores:0.00} cores busy meanwhile"));
            if (kept is null || u.ForeignCores < kept.Value.Usage.ForeignCores)
            {
                kept = (result, u);
            }

            if (u.ForeignCores <= ThroughputBenchmark.DisturbedCores)
            {
                break;
            }
        }

        load.Add(new LoadSegment(name, kept!.Value.Usage.Elapsed, kept.Value.Usage.ForeignCores), discardedTries: tries - 1);
        return (kept.Value.Result, tries);
    }

    private static string Summary(AgentRun a) =>
        Invariant($"agent: CPU {a.Usage.CpuPercent:0.0}% of one core, RSS {a.Usage.RssMb:0} MB, analysed fps min {a.AnalysedFps.Min():0.00}, ") +
        Invariant($"dropped/min max {a.DroppedPerMinute.Max():0.0}, lag end {a.MaxLagEndMs:0} ms, detect {a.MeanDetectMs:0.0} ms: ") +
        (a.Holds ? "holds" : "does not hold (" + string.Join("; ", a.Failures) + ")");

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string Invariant(FormattableString s) => FormattableString.Invariant(s);

    private static void Progress(string message) => Console.Error.WriteLine($"[bench] {message}");
}
