using System.Security.Cryptography;
using System.Text;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Record;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Record;

/// <summary>Ten seconds recorded once off a real RTSP server, shared by the export tests.</summary>
public sealed class RecordedGateFixture : IAsyncLifetime, IDisposable
{
    private RtspTestServer? _server;

    internal TempDir Dir { get; } = new();

    internal SegmentIndex Index { get; private set; } = null!;

    internal List<Segment> Segments { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var clip = Dir.File("gate.h264");
        RtspTestServer.MakeClip(clip, 320, 240, 30); // keyframe every second
        _server = RtspTestServer.Start(clip);
        Index = new SegmentIndex(Dir.File("index.db"));
        var recorder = new SegmentRecorder("gate", _server.Url, Path.Combine(Dir.Path, "gate"), TimeSpan.FromSeconds(2), Index, TimeProvider.System);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(9));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => recorder.RunAsync(cts.Token));
        Segments = Index.List("gate", DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.True(Segments.Count >= 3, $"{Segments.Count} segments recorded");
    }

    // xunit calls Dispose as well; that releases everything.
    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        Index?.Dispose();
        _server?.Dispose();
        Dir.Dispose();
    }
}

/// <summary>Clips cut by stream copy from segments really recorded off a real RTSP server.</summary>
public sealed class ClipExporterTests(RecordedGateFixture recorded) : IClassFixture<RecordedGateFixture>
{
    private readonly TempDir _dir = recorded.Dir;
    private readonly SegmentIndex _index = recorded.Index;
    private readonly List<Segment> _segments = recorded.Segments;

    [Fact]
    public async Task A_range_across_segments_becomes_one_faststart_mp4_with_its_hash()
    {
        var from = _segments[0].Start + TimeSpan.FromSeconds(1.5);
        var to = from + TimeSpan.FromSeconds(3.5);
        var clip = await ClipExporter.ExportAsync(_index, "gate", from, to, _dir.File("clip.mp4"), CancellationToken.None);

        // Stream copy starts on a keyframe: at most one GOP (1 s here) early, never late.
        Assert.InRange(clip.Duration.TotalSeconds, 3.5 - 0.15, 3.5 + 1.15);
        Assert.Empty(clip.Gaps);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(clip.Path))), clip.Sha256);
        var probed = await VideoProbe.ProbeAsync(clip.Path, CancellationToken.None);
        Assert.Equal((320, 240), (probed.Width, probed.Height));

        var bytes = Encoding.ASCII.GetString(await File.ReadAllBytesAsync(clip.Path));
        var moov = bytes.IndexOf("moov", StringComparison.Ordinal);
        var mdat = bytes.IndexOf("mdat", StringComparison.Ordinal);
        Assert.True(moov > 0 && moov < mdat, $"faststart: the index (at {moov}) must come before the media data (at {mdat})");
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.partial*"));
    }

    [Fact]
    public async Task A_range_running_past_the_recording_names_the_gap()
    {
        var last = _segments[^1];
        var clip = await ClipExporter.ExportAsync(_index, "gate", last.Start, last.End + TimeSpan.FromSeconds(30), _dir.File("tail.mp4"), CancellationToken.None);

        var gap = Assert.Single(clip.Gaps);
        Assert.Equal(last.End, gap.From);
    }

    [Fact]
    public async Task A_reversed_range_or_one_with_no_footage_is_refused_plainly()
    {
        var start = _segments[0].Start;
        var reversed = await Assert.ThrowsAsync<ClipException>(() =>
            ClipExporter.ExportAsync(_index, "gate", start + TimeSpan.FromSeconds(5), start, _dir.File("r.mp4"), CancellationToken.None));
        Assert.Contains("reversed", reversed.Message, StringComparison.Ordinal);

        var none = await Assert.ThrowsAsync<ClipException>(() =>
            ClipExporter.ExportAsync(_index, "gate", start.AddHours(-2), start.AddHours(-1), _dir.File("n.mp4"), CancellationToken.None));
        Assert.Contains("no footage", none.Message, StringComparison.Ordinal);
        Assert.Contains("recordings span", none.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.File("n.mp4")));
    }

    [Fact]
    public async Task A_damaged_segment_is_left_out_named_and_its_time_reported_as_a_gap()
    {
        // A copy of the recording under another camera, with its middle segment overwritten by garbage.
        var folder = Directory.CreateDirectory(Path.Combine(_dir.Path, "damaged")).FullName;
        foreach (var s in _segments)
        {
            var copy = Path.Combine(folder, Path.GetFileName(s.Path));
            File.Copy(s.Path, copy, overwrite: true);
            _index.Upsert(s with { Camera = "damaged", Path = copy });
        }

        var copies = _index.List("damaged", DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        var bad = copies[copies.Count / 2];
        await File.WriteAllBytesAsync(bad.Path, RandomNumberGenerator.GetBytes((int)bad.Bytes));

        var clip = await ClipExporter.ExportAsync(_index, "damaged", copies[0].Start, copies[^1].End, _dir.File("damaged.mp4"), CancellationToken.None);

        Assert.Equal([bad.Path], clip.Unreadable);
        var gap = Assert.Single(clip.Gaps);
        Assert.Equal((bad.Start, bad.End), (gap.From, gap.To));
        var expected = (copies[^1].End - copies[0].Start) - (bad.End - bad.Start);
        Assert.InRange(clip.Duration.TotalSeconds, expected.TotalSeconds - 0.3, expected.TotalSeconds + 0.3);
    }
}
