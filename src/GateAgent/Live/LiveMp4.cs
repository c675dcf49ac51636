using GateWatch.Agent.Capture;
using GateWatch.Agent.Ffmpeg;

namespace GateWatch.Agent.Live;

/// <summary>
/// A camera's live picture for browsers: the main stream repackaged by stream copy into fragmented MP4
/// (no decoding, so the camera's own pixels at no CPU cost), which Media Source Extensions play as it arrives.
/// </summary>
internal static class LiveMp4
{
    /// <summary>Time ffmpeg gets to finish after the viewer left.</summary>
    private static readonly TimeSpan QuitGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Streams until the viewer leaves. <paramref name="starting"/> runs once the first bytes are in hand, so a
    /// camera that cannot be reached is an error response with ffmpeg's reason rather than an empty 200.
    /// </summary>
    public static async Task CopyAsync(string camera, string source, bool loop, Func<Stream> starting, CancellationToken ct)
    {
        await using var ffmpeg = FfmpegProcess.Start($"live stream of camera {camera}",
        [
            .. SourceInput.Options(source, loop),
            "-i", source, "-map", "0:v:0", "-c", "copy",
            // Fragments of at most half a second (and one per keyframe) keep the browser close to live.
            "-f", "mp4", "-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-frag_duration", "500000",
            "-flush_packets", "1", "pipe:1",
        ]);
        try
        {
            var buffer = new byte[64 * 1024];
            var n = await ffmpeg.StandardOutput.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (n == 0)
            {
                await ffmpeg.StopAsync(QuitGrace).ConfigureAwait(false);
                throw new VideoSourceException($"camera {camera}: no live video: {Redact.Url(ffmpeg.Stderr.Text())}");
            }

            var output = starting();
            await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            await output.FlushAsync(ct).ConfigureAwait(false);
            while ((n = await ffmpeg.StandardOutput.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                await output.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (IOException) when (ct.IsCancellationRequested)
        {
            // The viewer went away mid-write.
        }
        finally
        {
            await ffmpeg.StopAsync(QuitGrace).ConfigureAwait(false);
        }
    }
}
