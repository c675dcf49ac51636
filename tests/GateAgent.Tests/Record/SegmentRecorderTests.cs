using System.Diagnostics;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Record;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Record;

/// <summary>Recording a real RTSP stream by stream copy, with the index, a clean stop and a SIGKILL.</summary>
public sealed class SegmentRecorderTests : IDisposable
{
    private static readonly TimeSpan SegmentLength = TimeSpan.FromSeconds(2);
    private readonly TempDir _dir = new();
    private readonly RtspTestServer _server;
    private readonly SegmentIndex _index;

    public SegmentRecorderTests()
    {
        var clip = _dir.File("gate.h264");
        RtspTestServer.MakeClip(clip, 320, 240, 30); // keyframe every second (GOP 10 at 10 fps)
        _server = RtspTestServer.Start(clip);
        _index = new SegmentIndex(_dir.File("index.db"));
    }

    [Fact]
    public async Task Records_contiguous_playable_segments_and_indexes_each_one()
    {
        var folder = Path.Combine(_dir.Path, "cam1");
        var recorder = new SegmentRecorder("cam1", _server.Url, folder, SegmentLength, _index, TimeProvider.System);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(9));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => recorder.RunAsync(cts.Token));

        var segments = _index.List("cam1", DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.True(segments.Count >= 3, $"{segments.Count} segments indexed");
        Assert.Equal(Directory.GetFiles(folder, "*.mp4").Order(StringComparer.Ordinal), segments.Select(s => s.Path));
        for (var i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            Assert.True(s.Complete);
            Assert.Equal(new FileInfo(s.Path).Length, s.Bytes);
            var probed = await VideoProbe.ProbeAsync(s.Path, CancellationToken.None);
            Assert.Equal((320, 240), (probed.Width, probed.Height));
            Assert.InRange((probed.Duration!.Value - (s.End - s.Start)).Duration().TotalSeconds, 0, 0.25);
            if (i > 0)
            {
                Assert.Equal(segments[i - 1].End, s.Start); // no hole between segments
            }
        }
    }

    [Fact]
    public async Task After_SIGKILL_every_finished_segment_plays_and_healing_indexes_the_partial_one()
    {
        var folder = Path.Combine(_dir.Path, "cam2");
        var recorder = new SegmentRecorder("cam2", _server.Url, folder, SegmentLength, _index, TimeProvider.System);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = recorder.RunAsync(cts.Token);
        while (_index.List("cam2", DateTimeOffset.MinValue, DateTimeOffset.MaxValue).Count < 2)
        {
            await Task.Delay(100, cts.Token);
        }

        // Mid-way through the next segment, once its first fragment is on disk (past the ~1 KB header): a fixed
        // delay here was flaky on a loaded machine, where the fragment could land after the kill.
        while (recorder.CurrentFile is not { } current || !File.Exists(current) || new FileInfo(current).Length < 8192)
        {
            await Task.Delay(50, cts.Token);
        }

        using (var ffmpeg = Process.GetProcessById(recorder.FfmpegProcessId!.Value))
        {
            ffmpeg.Kill(); // SIGKILL: no chance to finish the file
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => run); // says ffmpeg died, with its stderr
        var before = _index.List("cam2", DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        var healed = await SegmentRecorder.HealAsync("cam2", folder, _index, CancellationToken.None);

        var partial = Assert.Single(healed);
        Assert.False(partial.Complete);
        Assert.Equal(before[^1].End, partial.Start);
        Assert.True(partial.End > partial.Start, "the cut-off segment still plays up to its last fragment");
        foreach (var s in before.Append(partial))
        {
            var probed = await VideoProbe.ProbeAsync(s.Path, CancellationToken.None);
            Assert.True(probed.Duration > TimeSpan.Zero, $"{s.Path} does not play");
        }

        Assert.Empty(await SegmentRecorder.HealAsync("cam2", folder, _index, CancellationToken.None)); // healing twice adds nothing
    }

    public void Dispose()
    {
        _index.Dispose();
        _server.Dispose();
        _dir.Dispose();
    }
}
