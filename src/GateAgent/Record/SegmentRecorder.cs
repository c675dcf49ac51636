using System.Globalization;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Ffmpeg;

namespace GateWatch.Agent.Record;

/// <summary>
/// Continuous recording of one camera's main stream by stream copy (no decoding, no re-encoding) into
/// fixed-length segments. Segments are fragmented MP4, so a file cut off by a kill or a power cut is
/// still playable up to its last fragment; each finished segment goes into the index as ffmpeg reports it.
/// </summary>
internal sealed class SegmentRecorder(string camera, string url, string folder, TimeSpan segmentLength, SegmentIndex index, TimeProvider time, bool loop = false)
{
    /// <summary>Time ffmpeg gets after 'q' to close its last segment before it is killed.</summary>
    private static readonly TimeSpan QuitGrace = TimeSpan.FromSeconds(5);

    /// <summary>File names start with the run's start (UTC) so every run's names are new and sort in time order.</summary>
    internal const string RunFormat = "yyyyMMdd'T'HHmmss'Z'";

    private long _segments;
    private long _bytes;
    private string? _prefix;

    internal int? FfmpegProcessId { get; private set; }

    /// <summary>Segments finished and indexed by this run.</summary>
    public long Segments => Interlocked.Read(ref _segments);

    /// <summary>Bytes in the segments finished by this run.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public DateTimeOffset? LastSegmentEnd { get; private set; }

    /// <summary>The file ffmpeg is writing now; its growth is how the watchdog knows the camera is alive.</summary>
    public string? CurrentFile => _prefix is null ? null
        : Path.Combine(folder, $"{_prefix}-{Segments.ToString("D6", CultureInfo.InvariantCulture)}.mp4");

    public async Task RunAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var runStart = time.GetUtcNow();
        var prefix = runStart.ToString(RunFormat, CultureInfo.InvariantCulture);
        _prefix = prefix;
        List<string> args = [.. SourceInput.Options(url, loop)];
        args.AddRange(
        [
            "-i", url, "-map", "0:v:0", "-c", "copy",
            "-f", "segment", "-segment_time", segmentLength.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "-reset_timestamps", "1", "-segment_format", "mp4",
            // Fragmented from the first byte and flushed per fragment of at most 1 s: a file cut off by a kill
            // or a power cut still plays up to its last fragment, so at most about a second of it is lost.
            "-segment_format_options", "movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=1000000:flush_packets=1",
            "-segment_list", "pipe:1", "-segment_list_type", "csv",
            Path.Combine(folder, prefix + "-%06d.mp4"),
        ]);

        await using var ffmpeg = FfmpegProcess.Start($"recorder of camera {camera}", args);
        FfmpegProcessId = ffmpeg.ProcessId;
        var pump = Task.Run(async () =>
        {
            using var reader = new StreamReader(ffmpeg.StandardOutput);
            while (await reader.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
            {
                if (SegmentList.ParseLine(line) is { } e)
                {
                    var path = Path.Combine(folder, Path.GetFileName(e.FileName));
                    var segment = new Segment(camera, runStart + TimeSpan.FromSeconds(e.StartSeconds),
                        runStart + TimeSpan.FromSeconds(e.EndSeconds), path, new FileInfo(path).Length, Complete: true);
                    index.Upsert(segment);
                    LastSegmentEnd = segment.End;
                    Interlocked.Add(ref _bytes, segment.Bytes);
                    Interlocked.Increment(ref _segments);
                }
            }
        }, CancellationToken.None);

        try
        {
            await ffmpeg.WaitForSuccessAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await ffmpeg.StopAsync(QuitGrace).ConfigureAwait(false);
            await pump.ConfigureAwait(false);
            throw;
        }

        await pump.ConfigureAwait(false);
    }

    /// <summary>
    /// After a crash or power cut: indexes the files the recorder left that the index does not know (the
    /// segment being written when it died), with the span ffprobe finds in them. Files that will not play are
    /// indexed as incomplete with no duration, never deleted: they may still be recoverable by hand.
    /// </summary>
    public static async Task<List<Segment>> HealAsync(string camera, string folder, SegmentIndex index, CancellationToken ct)
    {
        var healed = new List<Segment>();
        if (!Directory.Exists(folder))
        {
            return healed;
        }

        foreach (var path in Directory.GetFiles(folder, "*.mp4").Order(StringComparer.Ordinal))
        {
            if (index.Contains(path))
            {
                continue;
            }

            var run = Path.GetFileName(path).Split('-')[0];
            if (!DateTimeOffset.TryParseExact(run, RunFormat, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var runStart))
            {
                continue;
            }

            // The lost segment starts where the last indexed one of its run ended.
            var start = index.List(camera, runStart, DateTimeOffset.MaxValue)
                .Where(s => Path.GetFileName(s.Path).StartsWith(run, StringComparison.Ordinal))
                .Select(s => s.End).DefaultIfEmpty(runStart).Max();
            TimeSpan duration;
            try
            {
                duration = (await VideoProbe.ProbeAsync(path, ct).ConfigureAwait(false)).Duration ?? TimeSpan.Zero;
            }
            catch (VideoSourceException)
            {
                duration = TimeSpan.Zero;
            }

            var segment = new Segment(camera, start, start + duration, path, new FileInfo(path).Length, Complete: false);
            index.Upsert(segment);
            healed.Add(segment);
        }

        return healed;
    }
}
