using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Record;
using GateWatch.Agent.Service;
using GateWatch.Agent.Tests.Outbox;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Service;

/// <summary>The PETS clip as a camera would send it: H.264 without B-frames, a keyframe every second, Annex-B for the RTSP server.</summary>
public sealed class PetsStreamFixture : IDisposable
{
    public const string Video = "../shared/data/pets2009-s2l1/vtest.mp4";

    private readonly TempDir _dir = new();

    public PetsStreamFixture()
    {
        if (File.Exists(TestPaths.Resolve(Video)))
        {
            Clip = _dir.File("pets.h264");
            FfmpegCli.Run("-i", TestPaths.Resolve(Video), "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "10",
                "-pix_fmt", "yuv420p", "-f", "h264", Clip);
        }
    }

    public string? Clip { get; }

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// The agent service against a real RTSP server serving the PETS footage: it records and analyses, hears the
/// camera go and come back, survives being killed, and never loses or repeats an event.
/// </summary>
public sealed class AgentServiceTests(PetsStreamFixture pets) : IClassFixture<PetsStreamFixture>, IDisposable
{
    private const string Password = "gate-pass-9431";
    private readonly TempDir _dir = new();

    /// <summary>The agent may save the gate spec it is given (and a .previous beside it): a copy in this test's folder.</summary>
    private string Gate
    {
        get
        {
            var path = _dir.File("pets-gate.json");
            if (!File.Exists(path))
            {
                File.Copy(TestPaths.Resolve("samples/pets-gate.json"), path);
            }

            return path;
        }
    }

    public void Dispose() => _dir.Dispose();

    [RequiresFileFact(PetsStreamFixture.Video)]
    public async Task Records_and_counts_a_live_camera_reports_it_offline_and_online_and_delivers_every_event_once()
    {
        using var server = RtspTestServer.Start(pets.Clip!, "gate", Password);
        var consolePort = RtspTestServer.FreePort();
        var config = TestAgent.WriteConfig(_dir.Path, [new
        {
            id = "north",
            main = server.UrlWith("gate", Password),
            gate = Gate,
            segmentSeconds = 2,
            preRollSeconds = 5,
            postRollSeconds = 5,
        }], consolePort);
        await using var agent = await TestAgent.StartAsync(config);

        // Recording and analysis of the live stream.
        await agent.WaitUntilAsync(() => Segments(agent).Count >= 4 && agent.Events("crossing").Count >= 2,
            TimeSpan.FromSeconds(90), "4 segments and 2 crossings");
        Assert.Single(agent.Events("camera-online"));
        foreach (var s in Segments(agent))
        {
            var probed = await VideoProbe.ProbeAsync(s.Path, CancellationToken.None);
            Assert.Equal((768, 576, "h264"), (probed.Width, probed.Height, probed.Codec));
            Assert.True(s.Complete);
        }

        // The crowd gathering early in the clip is flagged, and the footage around it protected from retention.
        await agent.WaitUntilAsync(() => agent.Events("crowd-start").Count >= 1, TimeSpan.FromSeconds(60), "a crowd alert");
        var crowd = agent.Events("crowd-start")[0];
        var crowdFrom = crowd.Data.GetProperty("startTime").GetDateTimeOffset() - TimeSpan.FromSeconds(5);
        var crowdTo = crowd.Time + TimeSpan.FromSeconds(5);
        await agent.WaitUntilAsync(() => Segments(agent)[^1].End > crowdTo, TimeSpan.FromSeconds(30), "footage past the post-roll");
        var around = Segments(agent).Where(s => s.End > crowdFrom && s.Start < crowdTo).ToList();
        Assert.NotEmpty(around);
        Assert.All(around, s => Assert.True(agent.Index.IsProtected(s), $"{s.Path} ({s.Start:O}..{s.End:O}) is in the crowd's pre/post-roll"));

        // The camera goes away: offline within 10 s; it comes back at the same address: online, recording again.
        var killedAt = DateTimeOffset.UtcNow;
        var port = server.Port;
        server.Dispose();
        await agent.WaitUntilAsync(() => agent.Events("camera-offline").Count == 1, TimeSpan.FromSeconds(15), "a camera-offline event");
        var offline = agent.Events("camera-offline").Single();
        Assert.InRange((offline.Time - killedAt).TotalSeconds, 0, 10);
        var lastBefore = Segments(agent)[^1];

        using var back = RtspTestServer.Start(pets.Clip!, "gate", Password, port);
        var backAt = DateTimeOffset.UtcNow;
        await agent.WaitUntilAsync(() => agent.Events("camera-online").Count == 2, TimeSpan.FromSeconds(30), "a second camera-online event");
        await agent.WaitUntilAsync(() => Segments(agent).Count(s => s.Start >= backAt) >= 2, TimeSpan.FromSeconds(30), "segments after the camera came back");

        // The outage is a hole in the index, and a clip across it names the hole.
        var firstAfter = Segments(agent).First(s => s.Start > lastBefore.Start);
        Assert.True(firstAfter.Start - lastBefore.End > TimeSpan.FromSeconds(3), $"gap {lastBefore.End:O} .. {firstAfter.Start:O}");
        var clip = await agent.Http.PostAsJsonAsync("api/cameras/north/clips", new { from = lastBefore.Start.ToString("O"), to = firstAfter.End.ToString("O") });
        var clipJson = await clip.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, clip.StatusCode);
        Assert.Equal(1, clipJson.GetProperty("gaps").GetArrayLength());

        // No console so far: every event waits in the outbox. Then the console appears: each arrives once, in order.
        Assert.Equal(agent.Outbox.LastSeq(), agent.Outbox.PendingCount());
        await using var console = await ConsoleReceiver.StartAsync(consolePort, "console-key-for-test-gate");
        // The agent may have just backed off for the longest delay (plus 10 % jitter) when the console appears.
        var nextAttempt = (EventDelivery.MaxBackoff * 1.1) + TimeSpan.FromSeconds(15);
        await agent.WaitUntilAsync(() => agent.Outbox.PendingCount() == 0, nextAttempt, "delivery of the backlog");
        var sent = agent.Outbox.ReadAfter(0, 10_000).Where(e => e.Seq <= agent.Outbox.LastSeq()).ToList();
        var received = console.Events;
        Assert.Equal(0, console.Duplicates);
        Assert.Equal(sent.Select(e => e.Id), received.Where(r => sent.Any(e => e.Id == r.Id)).Select(r => r.Id));
        Assert.Contains(received, r => r.Type == "camera-offline");

        // Outside the crowd windows footage is not protected.
        Assert.Contains(Segments(agent), s => !agent.Index.IsProtected(s));

        // The password was in the camera URL; it is in no log line.
        Assert.DoesNotContain(agent.LogLines, l => l.Contains(Password, StringComparison.Ordinal));
        Assert.Contains(agent.LogLines, l => l.Contains("rtsp://***@", StringComparison.Ordinal));
    }

    [RequiresFileFact(PetsStreamFixture.Video)]
    public async Task A_killed_agent_loses_nothing_recorded_and_its_orphaned_recorder_is_stopped_on_restart()
    {
        using var server = RtspTestServer.Start(pets.Clip!);
        var port = RtspTestServer.FreePort();
        var config = TestAgent.WriteConfig(_dir.Path, [new { id = "west", main = server.Url, segmentSeconds = 2 }], port: port);
        var index = Path.Combine(_dir.Path, "data", "segments.db");

        using (var first = AgentProcess.Start(config))
        {
            await Eventually(() => IndexedSegments(index).Count >= 3, TimeSpan.FromSeconds(60), "3 segments from the first agent", first);
            // Mid-segment: a second into the next one.
            await Task.Delay(1000);
            first.KillAgentOnly();
        }

        var before = IndexedSegments(index);
        var hashes = before.ToDictionary(s => s.Path, s => Sha256(s.Path));
        var orphans = RecorderProcesses(_dir.Path);
        Assert.NotEmpty(orphans); // the killed agent's ffmpeg outlives it, still writing

        using var second = AgentProcess.Start(config);
        await Eventually(() => RecorderProcesses(_dir.Path).Except(orphans).Any() && !RecorderProcesses(_dir.Path).Intersect(orphans).Any(),
            TimeSpan.FromSeconds(30), "the orphan stopped and a new recorder started", second);
        await Eventually(() => IndexedSegments(index).Count(s => s.Complete) > before.Count + 2, TimeSpan.FromSeconds(60), "new segments after the restart", second);

        var after = IndexedSegments(index);
        foreach (var s in before)
        {
            var now = after.Single(a => a.Path == s.Path);
            Assert.Equal((s.Start, s.End, s.Bytes), (now.Start, now.End, now.Bytes));
            Assert.Equal(hashes[s.Path], Sha256(s.Path));
        }

        // Whatever the orphan was writing when it was stopped (the first run's last file, which there always is) is
        // indexed and plays.
        var firstRun = Path.GetFileName(before[0].Path).Split('-')[0];
        var orphansLast = after.Last(a => Path.GetFileName(a.Path).StartsWith(firstRun, StringComparison.Ordinal));
        Assert.True(orphansLast.End > orphansLast.Start, $"{orphansLast.Path} healed with no duration");
        await VideoProbe.ProbeAsync(orphansLast.Path, CancellationToken.None);

        // Every file the first agent's recorder wrote, to the last, is in the index.
        var written = Directory.GetFiles(Path.Combine(_dir.Path, "data", "recordings", "west"), firstRun + "-*.mp4");
        Assert.Equal(written.Order(StringComparer.Ordinal), after.Select(s => s.Path).Where(p => Path.GetFileName(p).StartsWith(firstRun, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Cameras_are_added_and_removed_by_editing_the_config_and_the_others_keep_recording()
    {
        var clip = _dir.File("loop.mp4");
        FfmpegCli.Run("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10", "-frames:v", "50", "-c:v", "libx264", "-preset", "veryfast",
            "-bf", "0", "-g", "10", "-pix_fmt", "yuv420p", clip);
        var port = RtspTestServer.FreePort();
        object Cam(string id) => new { id, main = clip, loop = true, segmentSeconds = 2 };
        var config = TestAgent.WriteConfig(_dir.Path, [Cam("a")], port: port);
        await using var agent = await TestAgent.StartAsync(config);
        await agent.WaitUntilAsync(() => agent.Camera("a").RecorderProcessId is not null, TimeSpan.FromSeconds(10), "camera a recording");
        var a = agent.Camera("a").RecorderProcessId;

        TestAgent.WriteConfig(_dir.Path, [Cam("a"), Cam("b")], port: port);
        await agent.WaitUntilAsync(() => agent.Cameras.Find("b")?.RecorderProcessId is not null, TimeSpan.FromSeconds(15), "camera b added");
        Assert.Equal(a, agent.Camera("a").RecorderProcessId);

        // A broken edit is refused and changes nothing.
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"b\"", "\"a\"", StringComparison.Ordinal));
        await agent.WaitUntilAsync(() => agent.LogLines.Any(l => l.Contains("configuration change refused", StringComparison.Ordinal) && l.Contains("$.cameras[1].id", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the duplicate id refused");
        var b = agent.Camera("b").RecorderProcessId;
        Assert.Equal(a, agent.Camera("a").RecorderProcessId);

        TestAgent.WriteConfig(_dir.Path, [Cam("b")], port: port);
        await agent.WaitUntilAsync(() => agent.Cameras.Find("a") is null, TimeSpan.FromSeconds(15), "camera a removed");
        await agent.WaitUntilAsync(() => !ProcessRuns(a!.Value), TimeSpan.FromSeconds(10), "camera a's ffmpeg gone");
        Assert.Equal(b, agent.Camera("b").RecorderProcessId);
        Assert.True(ProcessRuns(b!.Value));
        Assert.NotEmpty(agent.Index.List("a", DateTimeOffset.MinValue, DateTimeOffset.MaxValue)); // its recordings stay
    }

    [RequiresFileFact(PetsStreamFixture.Video)]
    public async Task A_camera_with_a_wrong_password_is_offline_with_a_redacted_reason_and_the_other_keeps_recording()
    {
        using var server = RtspTestServer.Start(pets.Clip!, "gate", Password);
        var clip = _dir.File("loop.mp4");
        FfmpegCli.Run("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10", "-frames:v", "50", "-c:v", "libx264", "-preset", "veryfast",
            "-bf", "0", "-g", "10", "-pix_fmt", "yuv420p", clip);
        var config = TestAgent.WriteConfig(_dir.Path,
        [
            new { id = "locked", main = server.UrlWith("gate", "wrong-password-77"), segmentSeconds = 2 },
            // A password holding a colon and percent escapes (a / and an @), as URLs carry them.
            new { id = "odd", main = server.UrlWith("gate", "zq%2F9:k%40w"), segmentSeconds = 2 },
            new { id = "fine", main = clip, loop = true, segmentSeconds = 2 },
        ]);
        await using var agent = await TestAgent.StartAsync(config);
        await agent.WaitUntilAsync(() => agent.Events("camera-offline").Any(e => e.Camera == "locked"), TimeSpan.FromSeconds(20), "camera 'locked' offline");
        var reason = agent.Events("camera-offline").Single(e => e.Camera == "locked").Data.GetProperty("reason").GetString()!;
        Assert.Contains("401", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password-77", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(agent.LogLines, l => l.Contains("wrong-password-77", StringComparison.Ordinal));

        // No part of any secret in a log line, an event, the health or metrics output, a problem+json or the config's text.
        await agent.WaitUntilAsync(() => agent.Events("camera-offline").Any(e => e.Camera == "odd"), TimeSpan.FromSeconds(20), "camera 'odd' offline");
        var health = await agent.Http.GetStringAsync("api/health");
        var metrics = await agent.Http.GetStringAsync("api/metrics");
        using var unknown = await agent.Http.GetAsync("api/cameras/nope/snapshot.jpg");
        var problem = await unknown.Content.ReadAsStringAsync();
        var texts = agent.LogLines.Concat(agent.Events().Select(e => e.Data.GetRawText()))
            .Concat([health, metrics, problem, agent.Cameras.Config.ToString(), .. agent.Cameras.Config.Cameras.Select(c => c.ToString())]).ToList();
        foreach (var secret in new[] { "wrong-password-77", "zq%2F9", "9:k", "k%40w", "zq/9", "k@w", TestAgent.Key })
        {
            Assert.DoesNotContain(texts, t => t.Contains(secret, StringComparison.Ordinal));
        }

        await agent.WaitUntilAsync(() => agent.Index.List("fine", DateTimeOffset.MinValue, DateTimeOffset.MaxValue).Count >= 2, TimeSpan.FromSeconds(20), "camera 'fine' recording");
        Assert.Equal(CameraState.Online, agent.Camera("fine").Status.State);
        Assert.Empty(agent.Index.List("locked", DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
    }

    [Fact]
    public async Task A_camera_that_cannot_start_leaves_the_others_running_and_a_reload_starts_none_twice()
    {
        var clip = _dir.File("loop.mp4");
        FfmpegCli.Run("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10", "-frames:v", "50", "-c:v", "libx264", "-preset", "veryfast",
            "-bf", "0", "-g", "10", "-pix_fmt", "yuv420p", clip);
        var config = TestAgent.WriteConfig(_dir.Path,
        [
            new { id = "a", main = clip, loop = true, segmentSeconds = 2 },
            new { id = "b", main = clip, loop = true, segmentSeconds = 2 },
            new { id = "c", main = clip, loop = true, segmentSeconds = 2 },
        ]);
        // Camera b's recordings folder is taken by a file: b cannot start, after a has and before c.
        var blocker = Path.Combine(_dir.Path, "data", "recordings", "b");
        Directory.CreateDirectory(Path.GetDirectoryName(blocker)!);
        File.WriteAllText(blocker, "in the way");

        await using var agent = await TestAgent.StartAsync(config);
        var a = agent.Camera("a");
        var c = agent.Camera("c");
        Assert.Null(agent.Cameras.Find("b"));
        Assert.Contains(agent.LogLines, l => l.Contains("camera b could not start", StringComparison.Ordinal));

        // A reload keeps what runs (no second recorder for a or c); once b's way is clear, the next one starts it.
        await agent.Cameras.ApplyAsync(AgentConfigLoader.Load(config));
        Assert.Same(a, agent.Camera("a"));
        Assert.Same(c, agent.Camera("c"));
        File.Delete(blocker);
        await agent.Cameras.ApplyAsync(AgentConfigLoader.Load(config));
        Assert.Same(a, agent.Camera("a"));
        Assert.NotNull(agent.Cameras.Find("b"));
        await agent.WaitUntilAsync(() => agent.Index.List("b", DateTimeOffset.MinValue, DateTimeOffset.MaxValue).Count >= 1, TimeSpan.FromSeconds(20), "camera 'b' recording");
    }

    [Fact]
    public async Task Snapshots_of_a_camera_that_never_answers_are_capped_and_end_in_a_502_not_a_hang()
    {
        // A "camera" that accepts the connection and never says a word.
        using var mute = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        mute.Start();
        var held = new List<System.Net.Sockets.Socket>();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await mute.AcceptSocketAsync());
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
            }
        });
        var port = ((System.Net.IPEndPoint)mute.LocalEndpoint).Port;
        var config = TestAgent.WriteConfig(_dir.Path, [new { id = "mute", main = $"rtsp://127.0.0.1:{port}/x", segmentSeconds = 2 }]);
        await using var agent = await TestAgent.StartAsync(config);

        var busy = Enumerable.Range(0, GateWatch.Agent.Live.Snapshots.MaxAtOnce).Select(_ => agent.Http.GetAsync("api/cameras/mute/snapshot.jpg")).ToList();
        await agent.WaitUntilAsync(() => GateWatch.Agent.Live.Snapshots.Busy == GateWatch.Agent.Live.Snapshots.MaxAtOnce, TimeSpan.FromSeconds(10), "both snapshot seats taken");
        // Refused, not queued behind the two: the answer is a 503 while those two are still running.
        using var refused = await agent.Http.GetAsync("api/cameras/mute/snapshot.jpg");
        Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{refused.StatusCode}: {await refused.Content.ReadAsStringAsync()}");
        Assert.Contains("snapshots are being taken already", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(busy, t => t.IsCompleted);
        foreach (var r in await Task.WhenAll(busy))
        {
            Assert.Equal(HttpStatusCode.BadGateway, r.StatusCode);
            r.Dispose();
        }

        held.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task A_camera_that_switches_resolution_mid_stream_keeps_recording_and_analysing()
    {
        // One clip that is 320x240 for 5 s, then 640x480 for 5 s, looped by the server.
        var small = _dir.File("small.h264");
        var large = _dir.File("large.h264");
        RtspTestServer.MakeClip(small, 320, 240, 50);
        RtspTestServer.MakeClip(large, 640, 480, 50);
        var both = _dir.File("both.h264");
        File.WriteAllBytes(both, [.. File.ReadAllBytes(small), .. File.ReadAllBytes(large)]);
        using var server = RtspTestServer.Start(both);
        var config = TestAgent.WriteConfig(_dir.Path, [new { id = "flip", main = server.Url, gate = Gate, segmentSeconds = 2 }]);
        await using var agent = await TestAgent.StartAsync(config);

        await agent.WaitUntilAsync(() => agent.Index.List("flip", DateTimeOffset.MinValue, DateTimeOffset.MaxValue).Count >= 7,
            TimeSpan.FromSeconds(90), "7 segments, past two switches");
        var sizes = new HashSet<(int, int)>();
        foreach (var s in agent.Index.List("flip", DateTimeOffset.MinValue, DateTimeOffset.MaxValue))
        {
            var probed = await VideoProbe.ProbeAsync(s.Path, CancellationToken.None);
            sizes.Add((probed.Width, probed.Height));
        }

        Assert.Equal([(320, 240), (640, 480)], sizes.Order());

        // Analysis goes on past the switches: frames analysed after the 7th segment, when both sizes have been
        // seen, however slowly a loaded machine analyses them (the analysis drops frames rather than queue them, so
        // a count reached by a given time would measure the machine; the wait is patience, not a bound).
        var before = agent.Camera("flip").Status.Snapshot().AnalysedFrames;
        await agent.WaitUntilAsync(() => agent.Camera("flip").Status.Snapshot().AnalysedFrames >= before + 10,
            TimeSpan.FromSeconds(90), "10 more frames analysed after both sizes were recorded");
        var health = agent.Camera("flip").Status.Snapshot();
        Assert.Equal((0L, "online"), (health.Reconnects, health.State));
    }

    private static List<Segment> Segments(TestAgent agent) => agent.Index.List("north", DateTimeOffset.MinValue, DateTimeOffset.MaxValue);

    private static List<Segment> IndexedSegments(string db)
    {
        if (!File.Exists(db))
        {
            return [];
        }

        using var index = new SegmentIndex(db);
        return [.. index.Cameras().SelectMany(c => index.List(c, DateTimeOffset.MinValue, DateTimeOffset.MaxValue))];
    }

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static bool ProcessRuns(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>ffmpeg processes writing under <paramref name="dir"/>, found the way the agent's orphan sweep finds them.</summary>
    private static List<int> RecorderProcesses(string dir)
    {
        var root = Path.GetFullPath(dir) + "/";
        var pids = new List<int>();
        foreach (var p in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(p), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    var argv = File.ReadAllText(Path.Combine(p, "cmdline")).Split('\0');
                    if (Path.GetFileName(argv[0]) == "ffmpeg" && argv.Any(a => a.StartsWith(root, StringComparison.Ordinal)))
                    {
                        pids.Add(pid);
                    }
                }
                catch (IOException)
                {
                }
            }
        }

        return pids;
    }

    private static async Task Eventually(Func<bool> condition, TimeSpan limit, string what, AgentProcess agent)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what}: not within {limit.TotalSeconds} s. Agent output:\n{agent.Output}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>The agent as its own process (`GateAgent run`), so it can be SIGKILLed like a crash would.</summary>
    private sealed class AgentProcess : IDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();

        private AgentProcess(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static AgentProcess Start(string config)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "GateAgent.dll"), "run", "--config", config })
            {
                psi.ArgumentList.Add(a);
            }

            return new AgentProcess(Process.Start(psi)!);
        }

        /// <summary>SIGKILL to the agent alone, as a crash would end it: its ffmpeg children live on.</summary>
        public void KillAgentOnly()
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit();
        }

        private void Append(string? line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }
    }
}
