using System.Diagnostics;
using System.Threading.Channels;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Events;
using GateWatch.Agent.Gate;

namespace GateWatch.Agent.Pipeline;

/// <summary>Totals of one analysis run, for the summary table and the benchmark.</summary>
internal sealed class AnalysisStats
{
    public long Frames { get; set; }

    public long DetectedFrames { get; set; }

    /// <summary>Model runs over all frames: more than <see cref="DetectedFrames"/> when frames are tiled.</summary>
    public long Views { get; set; }

    public TimeSpan Elapsed { get; set; }

    /// <summary>Time the analysis stage sat waiting for ffmpeg to deliver a frame.</summary>
    public double WaitMs { get; set; }

    public double MotionMs { get; set; }

    public double DetectMs { get; set; }

    public double TrackMs { get; set; }

    public double GateMs { get; set; }

    /// <summary>Crowd density estimates made inline (a file's analysis of a gate with zones).</summary>
    public double DensityMs { get; set; }

    public double FramesPerSecond => Elapsed.TotalSeconds > 0 ? Frames / Elapsed.TotalSeconds : 0;

    public void Add(FrameAnalysis a)
    {
        Frames++;
        DetectedFrames += a.Detected ? 1 : 0;
        Views += a.Views;
        MotionMs += a.Times.Motion;
        DetectMs += a.Times.Detect;
        TrackMs += a.Times.Track;
        GateMs += a.Times.Gate;
        DensityMs += a.Times.Density;
    }
}

/// <summary>
/// Runs the pipeline over a whole video: ffmpeg decodes in its own process while this one analyses,
/// with a bounded channel between them.
/// </summary>
internal static class VideoAnalysis
{
    /// <summary>
    /// Decoded frames waiting for analysis. Eight frames absorb ffmpeg's bursts (it decodes ahead in
    /// groups) while capping memory at 8 frames (10 MB at 768x576, 50 MB at 1080p).
    /// </summary>
    private const int FrameQueue = 8;

    public static async Task<AnalysisStats> RunAsync(
        string video,
        VideoInfo info,
        GatePipeline pipeline,
        Func<Frame, FrameAnalysis, ValueTask> onFrame,
        Func<IReadOnlyList<GateEvent>, ValueTask> onFinish,
        CancellationToken ct)
    {
        var channel = Channel.CreateBounded<Frame>(new BoundedChannelOptions(FrameQueue)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reader = new FfmpegFrameReader(TimeProvider.System);
        var decode = Task.Run(() => reader.RunAsync(video, info, channel.Writer, DateTimeOffset.UnixEpoch, stop.Token), stop.Token);

        var stats = new AnalysisStats();
        var clock = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                var w0 = Stopwatch.GetTimestamp();
                if (!await channel.Reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
                {
                    break;
                }

                stats.WaitMs += Stopwatch.GetElapsedTime(w0).TotalMilliseconds;
                while (channel.Reader.TryRead(out var frame))
                {
                    using (frame)
                    {
                        var analysis = pipeline.Process(frame);
                        stats.Add(analysis);
                        await onFrame(frame, analysis).ConfigureAwait(false);
                    }
                }
            }

            await decode.ConfigureAwait(false);
            await onFinish(pipeline.Finish()).ConfigureAwait(false);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            while (channel.Reader.TryRead(out var leftover))
            {
                leftover.Dispose();
            }

            try
            {
                await decode.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The decoder's own failure (or cancellation) is secondary to the one being rethrown.
            }

            throw;
        }

        stats.Elapsed = clock.Elapsed;
        return stats;
    }
}
