using System.Threading.Channels;
using GateWatch.Agent.Capture;

namespace GateWatch.Agent.Cli;

/// <summary>A video file's frames for the commands that look at stills (detect, count): every Nth, in order.</summary>
internal static class VideoFrames
{
    /// <summary>
    /// Decodes <paramref name="path"/> and hands every <paramref name="every"/>th frame to <paramref name="onFrame"/>
    /// (disposed after it returns); <paramref name="ahead"/> frames are decoded ahead of it. A video that decodes to
    /// no frame at all is refused.
    /// </summary>
    public static async Task ForEachAsync(string path, int every, int ahead, Func<Frame, Task> onFrame, CancellationToken ct)
    {
        Ffmpeg.FfmpegTools.Configure();
        var info = await VideoProbe.ProbeAsync(path, ct).ConfigureAwait(false);
        var channel = Channel.CreateBounded<Frame>(new BoundedChannelOptions(ahead) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var decode = Task.Run(() => new FfmpegFrameReader(TimeProvider.System).RunAsync(path, info, channel.Writer, DateTimeOffset.UnixEpoch, stop.Token), stop.Token);
        var handled = 0;
        try
        {
            await foreach (var frame in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                using (frame)
                {
                    if (frame.Index % every == 0)
                    {
                        await onFrame(frame).ConfigureAwait(false);
                        handled++;
                    }
                }
            }

            await decode.ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            while (channel.Reader.TryRead(out var left))
            {
                left.Dispose();
            }
        }

        if (handled == 0)
        {
            throw new VideoSourceException($"{path}: the video decoded to no frames");
        }
    }
}
