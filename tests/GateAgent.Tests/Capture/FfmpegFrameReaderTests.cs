using System.Threading.Channels;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Ffmpeg;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Capture;

/// <summary>Decoding with the real ffmpeg, on clips ffmpeg makes for the test.</summary>
public sealed class FfmpegFrameReaderTests : IDisposable
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly TempDir _dir = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    public FfmpegFrameReaderTests() => FfmpegTools.Configure();

    public void Dispose()
    {
        _timeout.Dispose();
        _dir.Dispose();
    }

    private CancellationToken Timeout => _timeout.Token;

    /// <summary>Probes and decodes the whole file; returns (index, time, first bytes' checksum) per frame.</summary>
    private async Task<(VideoInfo Info, List<(long Index, DateTimeOffset Time, int W, int H, long Sum)> Frames)> ReadAllAsync(string path)
    {
        var info = await VideoProbe.ProbeAsync(path, Timeout);
        var channel = Channel.CreateUnbounded<Frame>();
        var reader = new FfmpegFrameReader(TimeProvider.System);
        var frames = new List<(long, DateTimeOffset, int, int, long)>();
        var consume = Task.Run(async () =>
        {
            await foreach (var f in channel.Reader.ReadAllAsync())
            {
                using (f)
                {
                    long sum = 0;
                    for (var i = 0; i < f.ByteLength; i += 97)
                    {
                        sum += f.Pixels[i];
                    }

                    frames.Add((f.Index, f.CaptureTime, f.Width, f.Height, sum));
                }
            }
        });
        var count = await reader.RunAsync(path, info, channel.Writer, Epoch, Timeout);
        await consume;
        Assert.Equal(count, frames.Count);
        return (info, frames);
    }

    [Fact]
    public async Task Probe_reports_size_rate_and_length()
    {
        var clip = _dir.File("clip.mp4");
        FfmpegCli.MakeTestClip(clip);

        var info = await VideoProbe.ProbeAsync(clip, Timeout);

        Assert.Equal(160, info.Width);
        Assert.Equal(120, info.Height);
        Assert.Equal(10, info.Fps, 0.01);
        Assert.Equal("h264", info.Codec);
        Assert.NotNull(info.Duration);
        Assert.Equal(2.5, info.Duration.Value.TotalSeconds, 0.15);
        Assert.Equal(25, info.FrameCount);
    }

    [Fact]
    public async Task Delivers_every_frame_in_order_stamped_from_the_epoch()
    {
        var clip = _dir.File("clip.mp4");
        FfmpegCli.MakeTestClip(clip);

        var (_, frames) = await ReadAllAsync(clip);

        Assert.Equal(25, frames.Count);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), frames.Select(f => f.Index));
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.Equal(Epoch + TimeSpan.FromMilliseconds(100 * i), frames[i].Time);
            Assert.Equal((160, 120), (frames[i].W, frames[i].H));
        }

        // Real pictures, and testsrc2 changes from frame to frame.
        Assert.All(frames, f => Assert.True(f.Sum > 0));
        Assert.True(frames.Select(f => f.Sum).Distinct().Count() > 20);
    }

    [Fact]
    public async Task Odd_frame_size_and_rate_come_through_intact()
    {
        var clip = _dir.File("odd.mkv");
        FfmpegCli.Run("-f", "lavfi", "-i", "testsrc2=size=98x54:rate=25", "-frames:v", "7", "-c:v", "ffv1", clip);

        var (info, frames) = await ReadAllAsync(clip);

        Assert.Equal((98, 54), (info.Width, info.Height));
        Assert.Equal(7, frames.Count);
        Assert.Equal(Epoch + TimeSpan.FromMilliseconds(40 * 6), frames[6].Time);
    }

    [Fact]
    public async Task Missing_file_is_no_such_video_file()
    {
        var path = _dir.File("absent.mp4");
        var e = await Assert.ThrowsAsync<VideoSourceException>(() => VideoProbe.ProbeAsync(path, Timeout));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("no such video file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_camera_error_does_not_show_its_password()
    {
        // Nothing listens on port 1: ffprobe fails at once, and its complaint includes the URL.
        var e = await Assert.ThrowsAsync<VideoSourceException>(() =>
            VideoProbe.ProbeAsync("rtsp://admin:s3cr3t-pw@127.0.0.1:1/stream", Timeout));
        Assert.DoesNotContain("s3cr3t-pw", e.Message, StringComparison.Ordinal);
        Assert.Contains("rtsp://***@127.0.0.1:1/stream", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Corruptions => ["random-bytes", "truncated", "garbled-pictures"];

    [Theory]
    [MemberData(nameof(Corruptions))]
    public async Task Corrupt_file_is_a_VideoSourceException_naming_the_file(string corruption)
    {
        var clip = _dir.File("clip.mp4");
        FfmpegCli.MakeTestClip(clip);
        var bytes = File.ReadAllBytes(clip);
        var bad = _dir.File($"{corruption}.mp4");
        switch (corruption)
        {
            case "random-bytes":
                var noise = new byte[20_000];
                new Random(7).NextBytes(noise);
                File.WriteAllBytes(bad, noise);
                break;
            case "truncated":
                // ffmpeg writes the index (moov) at the end of an mp4: half a file has none.
                File.WriteAllBytes(bad, bytes[..(bytes.Length / 2)]);
                break;
            case "garbled-pictures":
                // Index intact, so the probe is happy; the coded pictures are scrambled.
                var mdat = bytes.AsSpan().IndexOf("mdat"u8);
                for (var i = mdat + 200; i < Math.Min(bytes.Length, mdat + 20_000); i++)
                {
                    bytes[i] = (byte)((bytes[i] * 7) + 13);
                }

                File.WriteAllBytes(bad, bytes);
                break;
        }

        var e = await Assert.ThrowsAsync<VideoSourceException>(() => ReadAllAsync(bad));
        Assert.Contains(bad, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_stops_ffmpeg_and_throws()
    {
        var clip = _dir.File("long.mp4");
        FfmpegCli.MakeTestClip(clip, frames: 600);
        var info = await VideoProbe.ProbeAsync(clip, Timeout);
        var channel = Channel.CreateBounded<Frame>(2);
        using var cts = new CancellationTokenSource();
        var run = new FfmpegFrameReader(TimeProvider.System).RunAsync(clip, info, channel.Writer, Epoch, cts.Token);

        // Take a few frames, then walk away.
        for (var i = 0; i < 3; i++)
        {
            (await channel.Reader.ReadAsync(Timeout)).Dispose();
        }

        await cts.CancelAsync();
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "ffmpeg did not stop promptly");
    }
}

[Collection(FfmpegEnvironment.Name)]
public sealed class FfmpegMissingTests : IDisposable
{
    private const string Variable = "GATEWATCH_FFMPEG_DIR";

    private readonly TempDir _dir = new();
    private readonly string _clip;
    private readonly string _empty;

    public FfmpegMissingTests()
    {
        _clip = _dir.File("clip.mp4");
        FfmpegCli.MakeTestClip(_clip);
        _empty = Directory.CreateDirectory(_dir.File("no-ffmpeg-here")).FullName;
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Runs <paramref name="body"/> with the agent pointed at a folder without ffmpeg, then puts everything back.</summary>
    private async Task WithoutFfmpegAsync(Func<Task> body)
    {
        var saved = Environment.GetEnvironmentVariable(Variable);
        Environment.SetEnvironmentVariable(Variable, _empty);
        try
        {
            await body();
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, saved);
            FfmpegTools.Configure();
        }
    }

    [Fact]
    public async Task Reader_without_ffmpeg_says_to_install_it()
    {
        FfmpegTools.Configure();
        var info = await VideoProbe.ProbeAsync(_clip, CancellationToken.None);

        await WithoutFfmpegAsync(async () =>
        {
            var channel = Channel.CreateUnbounded<Frame>();
            var e = await Assert.ThrowsAsync<FileNotFoundException>(() =>
                new FfmpegFrameReader(TimeProvider.System).RunAsync(_clip, info, channel.Writer, DateTimeOffset.UnixEpoch, CancellationToken.None));
            Assert.Contains("install", e.Message, StringComparison.Ordinal);
            Assert.Contains("ffmpeg", e.Message, StringComparison.Ordinal);
            Assert.Contains(_empty, e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Analyze_without_ffmpeg_says_to_install_it_instead_of_waiting_forever()
    {
        var spec = _dir.File("gate.json");
        File.WriteAllText(spec, """{ "video": "clip.mp4", "lines": [ { "id": "l", "a": [80, 0], "b": [80, 120], "insidePoint": [120, 60] } ] }""");
        var outPath = _dir.File("events.jsonl");

        await WithoutFfmpegAsync(async () =>
        {
            // Bounded: a reader that fails before it completes its channel leaves the analysis waiting for frames.
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var e = await Assert.ThrowsAsync<FileNotFoundException>(() =>
                GateWatch.Agent.Cli.AnalyzeCommand.RunAsync(["--gate", spec, "--out", outPath, "--quiet"], cts.Token));
            Assert.Contains("install", e.Message, StringComparison.Ordinal);
        });
        Assert.False(File.Exists(outPath));
    }
}
