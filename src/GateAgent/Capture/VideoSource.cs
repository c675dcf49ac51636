using FFMpegCore;
using GateWatch.Agent.Ffmpeg;

namespace GateWatch.Agent.Capture;

/// <summary>What a stream is, as ffprobe reports it.</summary>
internal sealed record VideoInfo(int Width, int Height, double Fps, TimeSpan? Duration, long? FrameCount, string Codec)
{
    /// <summary>H.264 profile name as ffprobe spells it ("High", "Constrained Baseline"), for the browser's codec string.</summary>
    public string? Profile { get; init; }

    /// <summary>H.264 level times ten (31 = level 3.1).</summary>
    public int? Level { get; init; }
}

/// <summary>A video that cannot be read; the message says which and why, never with credentials.</summary>
internal sealed class VideoSourceException(string message, Exception? inner = null) : Exception(message, inner);

internal static class VideoProbe
{
    /// <summary>Frame rate assumed when a stream declares none (RTSP often does not); a typical camera substream rate.</summary>
    private const double FallbackFps = 10;

    public static async Task<VideoInfo> ProbeAsync(string source, CancellationToken ct)
    {
        var isUrl = source.Contains("://", StringComparison.Ordinal);
        if (!isUrl && !File.Exists(source))
        {
            throw new VideoSourceException($"{source}: no such video file");
        }

        FfmpegTools.EnsureInstalled();
        IMediaAnalysis analysis;
        try
        {
            // The same transport and timeout as the recorder and decoder: a probe over UDP can fail where they work.
            analysis = isUrl
                ? await FFProbe.AnalyseAsync(new Uri(source), cancellationToken: ct, customArguments: string.Join(' ', SourceInput.Options(source, loop: false))).ConfigureAwait(false)
                : await FFProbe.AnalyseAsync(source, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new VideoSourceException(
                $"{Redact.Url(source)}: not a readable video ({FfmpegTools.Explain(e)})", e);
        }

        var v = analysis.PrimaryVideoStream
            ?? throw new VideoSourceException($"{Redact.Url(source)}: has no video stream");
        if (v.Width is not > 0 || v.Height is not > 0)
        {
            throw new VideoSourceException($"{Redact.Url(source)}: video stream has no frame size");
        }

        var fps = v.AverageFrameRate is > 0 and < 1000 ? v.AverageFrameRate
            : v.RealFrameRate is > 0 and < 1000 ? v.RealFrameRate
            : FallbackFps;
        TimeSpan? duration = analysis.Duration > TimeSpan.Zero ? analysis.Duration : null;
        long? frames = duration is { } d ? (long)Math.Round(d.TotalSeconds * fps) : null;
        return new VideoInfo(v.Width.Value, v.Height.Value, fps, duration, frames, v.CodecName ?? "unknown")
        {
            Profile = v.Profile,
            Level = v.Level > 0 ? v.Level : null,
        };
    }
}
