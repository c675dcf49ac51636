using System.Threading.Channels;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace GateWatch.Agent.Tests.Capture;

/// <summary>The reader that analyses files, on a live camera: a real RTSP server on loopback.</summary>
public sealed class RtspReaderTests : IDisposable
{
    private const string User = "guard";
    private const string Password = "pa55-word-never-logged";
    private readonly TempDir _dir = new();
    private readonly RtspTestServer _server;

    public RtspReaderTests()
    {
        var clip = _dir.File("gate.h264");
        RtspTestServer.MakeClip(clip, 320, 240, 30);
        _server = RtspTestServer.Start(clip, User, Password);
    }

    [Fact]
    public async Task Live_stream_is_read_frame_by_frame_past_the_clips_end_stamped_by_the_clock()
    {
        var url = _server.UrlWith(User, Password);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var info = await VideoProbe.ProbeAsync(url, cts.Token);
        Assert.Equal((320, 240), (info.Width, info.Height));

        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        var channel = Channel.CreateBounded<Frame>(4);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var reading = new FfmpegFrameReader(clock).RunAsync(url, info, channel.Writer, DateTimeOffset.UnixEpoch, stop.Token);

        // 45 frames: more than the 30-frame clip, so the server's loop is crossed.
        var indices = new List<long>();
        var stamps = new List<DateTimeOffset>();
        await foreach (var frame in channel.Reader.ReadAllAsync(cts.Token))
        {
            using (frame)
            {
                indices.Add(frame.Index);
                stamps.Add(frame.CaptureTime);
                Assert.Equal(320 * 240 * 3, frame.ByteLength);
            }

            clock.Advance(TimeSpan.FromMilliseconds(100));
            if (indices.Count == 45)
            {
                await stop.CancelAsync();
                break;
            }
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        Assert.Equal(Enumerable.Range(0, 45).Select(i => (long)i), indices);
        Assert.Equal(stamps[0] + TimeSpan.FromMilliseconds(4400), stamps[^1]);
    }

    [Fact]
    public async Task Wrong_password_is_a_clear_error_that_does_not_show_the_password()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var e = await Assert.ThrowsAsync<VideoSourceException>(
            () => VideoProbe.ProbeAsync(_server.UrlWith(User, "wrong-secret-xyz"), cts.Token));

        Assert.Contains("401", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-xyz", e.Message, StringComparison.Ordinal);
        Assert.Contains("rtsp://***@127.0.0.1", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }
}
