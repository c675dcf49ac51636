using System.Globalization;
using System.Threading.Channels;
using FFMpegCore;
using FFMpegCore.Pipes;
using GateWatch.Agent.Ffmpeg;

namespace GateWatch.Agent.Capture;

/// <summary>
/// Decodes a file or an RTSP stream with Debian's ffmpeg (driven through FFMpegCore) into raw BGR24
/// frames on a pipe. The same reader serves evaluation runs and live cameras; only the clock differs.
/// </summary>
internal sealed class FfmpegFrameReader(TimeProvider time)
{
    /// <summary>How a live camera is read: a looped file plays like a camera; a rate decimates frames inside ffmpeg.</summary>
    internal sealed record LiveOptions(bool Loop, double? Fps);

    /// <summary>How long ffmpeg gets to quit after 'q' before its process is killed.</summary>
    private static readonly TimeSpan QuitGrace = TimeSpan.FromSeconds(3);

    /// <summary>stderr lines kept for the failure message: enough for ffmpeg's input banner and last errors.</summary>
    private const int StderrLines = 40;

    /// <summary>
    /// Reads every frame of <paramref name="source"/> into <paramref name="output"/> and completes it.
    /// Files are stamped on their own timeline from <paramref name="fileEpoch"/>; URLs with the wall clock.
    /// </summary>
    public async Task<long> RunAsync(
        string source, VideoInfo info, ChannelWriter<Frame> output, DateTimeOffset fileEpoch, CancellationToken ct, LiveOptions? live = null)
    {
        try
        {
            return await DecodeAsync(source, info, output, fileEpoch, live, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Whatever went wrong, the consumer must hear of it rather than wait for frames forever.
            output.TryComplete(e);
            throw;
        }
    }

    private async Task<long> DecodeAsync(
        string source, VideoInfo info, ChannelWriter<Frame> output, DateTimeOffset fileEpoch, LiveOptions? live, CancellationToken ct)
    {
        FfmpegTools.EnsureInstalled();
        var isLive = SourceInput.IsLive(source, live?.Loop == true);
        var stderr = new LineRing(StderrLines);
        var sink = new RawFrameSink(new FramePool(info.Width, info.Height), output, frameIndex =>
            isLive ? time.GetUtcNow() : fileEpoch + TimeSpan.FromSeconds(frameIndex / info.Fps), ct);

        // One decoder thread: an analysis stream (a substream, or 768x576 here) decodes at ~300 frames/s on
        // one core, and on a small box the detector needs the other cores more than ffmpeg needs frame threads
        // (measured: 2-thread pipeline 41 -> 47 frames/s on PETS, bench/RESULTS.md).
        var input = string.Join(' ', ["-threads", "1", .. SourceInput.Options(source, live?.Loop == true)]);
        var args = SourceInput.IsUrl(source)
            ? FFMpegArguments.FromUrlInput(source, o => o.WithCustomArgument(input))
            : FFMpegArguments.FromFileInput(source, verifyExists: true, o => o.WithCustomArgument(input));

        // A live camera is decimated to the analysis rate inside ffmpeg, and pinned to the probed size: a
        // camera that switches resolution mid-stream is scaled back instead of tearing the raw frame stream.
        var outputArgs = live?.Fps is { } fps
            ? string.Create(CultureInfo.InvariantCulture, $"-an -sn -dn -vf fps={fps},scale={info.Width}:{info.Height} -fps_mode passthrough")
            : "-an -sn -dn -fps_mode passthrough";

        FFMpegResult result;
        try
        {
            // passthrough: one raw frame per decoded frame, so frame indices match the source's and the ground truth's.
            result = await args
                .OutputToPipe(sink, o => o.WithCustomArgument(outputArgs))
                .NotifyOnStandardError(stderr.Add)
                .CancellableThrough(ct, QuitGrace)
                .ProcessAsynchronously(throwOnError: false, FfmpegTools.Options, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            output.TryComplete(new VideoSourceException($"{Redact.Url(source)}: ffmpeg failed: {FfmpegTools.Explain(e)}", e));
            throw;
        }

        ct.ThrowIfCancellationRequested();
        if (sink.FaultedWith is { } readerFault)
        {
            output.TryComplete(readerFault);
            throw readerFault;
        }

        if (!result.Success || sink.Frames == 0)
        {
            var why = sink.Frames == 0 ? "no frame could be decoded" : $"ffmpeg exited with code {result.ExitCode}";
            var error = new VideoSourceException(
                $"{Redact.Url(source)}: {why} after {sink.Frames} frames. ffmpeg said:\n{Redact.Url(stderr.Text())}");
            output.TryComplete(error);
            throw error;
        }

        output.TryComplete();
        return sink.Frames;
    }

    /// <summary>Cuts ffmpeg's raw byte stream into frames and hands them to the next stage.</summary>
    /// <remarks>
    /// FFMpegCore cancels the token it hands to <see cref="ReadAsync"/> as soon as ffmpeg exits, while the
    /// last frames may still sit in the pipe; reading on to end-of-stream under our own token keeps them.
    /// </remarks>
    private sealed class RawFrameSink(FramePool pool, ChannelWriter<Frame> output, Func<long, DateTimeOffset> stamp, CancellationToken ct) : IPipeSink
    {
        public long Frames { get; private set; }

        public Exception? FaultedWith { get; private set; }

        public string GetStreamArguments() => "-f rawvideo -pix_fmt bgr24";

        public async Task ReadAsync(Stream inputStream, CancellationToken cancellationToken)
        {
            _ = cancellationToken;
            try
            {
                while (true)
                {
                    var frame = pool.Rent();
                    var read = await inputStream
                        .ReadAtLeastAsync(frame.Pixels.AsMemory(0, frame.ByteLength), frame.ByteLength, throwOnEndOfStream: false, ct)
                        .ConfigureAwait(false);
                    if (read < frame.ByteLength)
                    {
                        // A short tail is a frame ffmpeg could not finish; it is not a frame.
                        frame.Dispose();
                        return;
                    }

                    frame.Index = Frames;
                    frame.CaptureTime = stamp(Frames);
                    Frames++;
                    await output.WriteAsync(frame, ct).ConfigureAwait(false);
                }
            }
            catch (ChannelClosedException e)
            {
                FaultedWith = new OperationCanceledException("the next stage stopped reading frames", e);
            }
        }
    }
}
