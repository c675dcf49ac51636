using System.Globalization;
using System.Security.Cryptography;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Ffmpeg;

namespace GateWatch.Agent.Record;

/// <summary>A clip that cannot be cut as asked; the message says what footage exists instead.</summary>
internal sealed class ClipException(string message) : Exception(message);

/// <summary>
/// An exported clip: where, its SHA-256, what span it covers, the holes in the recording inside it, and the
/// segments left out because they could not be read (their time is among the gaps).
/// </summary>
internal sealed record Clip(
    string Path, string Sha256, long Bytes, TimeSpan Duration,
    IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Gaps, IReadOnlyList<string> Unreadable);

/// <summary>
/// Cuts one MP4 for a camera and a UTC range out of the recorded segments by stream copy: the pixels are
/// the camera's own, never re-encoded, which is what makes a clip evidence. With stream copy a cut can
/// only start on a keyframe, so the clip starts at most one GOP before the requested moment.
/// </summary>
internal static class ClipExporter
{
    /// <summary>Recording holes shorter than this are timestamp jitter between segments, not missing footage.</summary>
    private static readonly TimeSpan GapTolerance = TimeSpan.FromMilliseconds(500);

    public static async Task<Clip> ExportAsync(SegmentIndex index, string camera, DateTimeOffset from, DateTimeOffset to, string outPath, CancellationToken ct)
    {
        if (to <= from)
        {
            throw new ClipException($"the range {from:O} to {to:O} is empty or reversed");
        }

        var segments = index.List(camera, from, to).Where(s => s.End > s.Start).ToList();
        if (segments.Count == 0)
        {
            var all = index.List(camera, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
            var have = all.Count == 0 ? "nothing is recorded for it" : $"its recordings span {all[0].Start:O} to {all[^1].End:O}";
            throw new ClipException($"camera {camera} has no footage between {from:O} and {to:O}; {have}");
        }

        var full = Path.GetFullPath(outPath);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.partial.mp4");
        var unreadable = new List<string>();
        try
        {
            if (await ConcatAsync(camera, segments, from, to, temp, ct).ConfigureAwait(false) is { } firstFailure)
            {
                // Only when the cut fails are segments checked one by one: probing each up front would double
                // the cost of every export for a fault that is rare (a disk error, a file damaged by hand).
                foreach (var s in segments)
                {
                    try
                    {
                        await VideoProbe.ProbeAsync(s.Path, ct).ConfigureAwait(false);
                    }
                    catch (VideoSourceException)
                    {
                        unreadable.Add(s.Path);
                    }
                }

                if (unreadable.Count == 0)
                {
                    throw new InvalidOperationException($"clip export of camera {camera}: ffmpeg could not cut the clip though every segment reads: {firstFailure}");
                }

                segments = segments.Where(s => !unreadable.Contains(s.Path)).ToList();
                if (segments.Count == 0)
                {
                    throw new ClipException($"camera {camera}: every segment between {from:O} and {to:O} is unreadable: {string.Join(", ", unreadable.Select(Path.GetFileName))}");
                }

                if (await ConcatAsync(camera, segments, from, to, temp, ct).ConfigureAwait(false) is { } again)
                {
                    throw new InvalidOperationException($"clip export of camera {camera}: ffmpeg failed on the readable segments too: {again}");
                }
            }

            var info = await VideoProbe.ProbeAsync(temp, ct).ConfigureAwait(false);
            string sha;
            await using (var stream = File.OpenRead(temp))
            {
                sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
            }

            File.Move(temp, full, overwrite: true);
            return new Clip(full, sha, new FileInfo(full).Length, info.Duration ?? TimeSpan.Zero, Gaps(segments, from, to), unreadable);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Cuts the clip; null when it worked, else what ffmpeg said (the end of its stderr, no credentials). A segment
    /// that cannot be opened is a failure too: the concat demuxer then stops at that file and still exits 0,
    /// silently dropping it and everything after it, so its report is read instead.
    /// </summary>
    /// <summary>The last lines of ffmpeg's report: where it says what went wrong.</summary>
    private static string Tail(string stderr) => string.Join(" | ", stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(4));

    private static async Task<string?> ConcatAsync(string camera, IReadOnlyList<Segment> segments, DateTimeOffset from, DateTimeOffset to, string temp, CancellationToken ct)
    {
        var list = temp + ".txt";
        try
        {
            await File.WriteAllLinesAsync(list, ConcatList(segments, from, to), ct).ConfigureAwait(false);
            await using var ffmpeg = FfmpegProcess.Start($"clip export of camera {camera}",
            [
                "-f", "concat", "-safe", "0", "-i", list,
                "-map", "0:v:0", "-c", "copy", "-avoid_negative_ts", "make_zero",
                // The index up front, so a browser or a player can start before the whole file has arrived.
                "-movflags", "+faststart", "-f", "mp4", "-y", temp,
            ]);
            try
            {
                await ffmpeg.WaitForSuccessAsync(ct).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                return Redact.Url(e.Message);
            }

            var said = ffmpeg.Stderr.Text();
            return said.Contains("Impossible to open", StringComparison.Ordinal) ? Redact.Url(Tail(said)) : null;
        }
        finally
        {
            File.Delete(list);
        }
    }

    /// <summary>Stretches of the range that no (readable) segment covers.</summary>
    private static List<(DateTimeOffset From, DateTimeOffset To)> Gaps(IReadOnlyList<Segment> segments, DateTimeOffset from, DateTimeOffset to)
    {
        var gaps = new List<(DateTimeOffset, DateTimeOffset)>();
        var cursor = from;
        foreach (var s in segments)
        {
            if (s.Start - cursor > GapTolerance)
            {
                gaps.Add((cursor, s.Start));
            }

            cursor = s.End > cursor ? s.End : cursor;
        }

        if (to - cursor > GapTolerance)
        {
            gaps.Add((cursor, to));
        }

        return gaps;
    }

    /// <summary>The concat demuxer's script: the segments in order, the first cut in, the last cut out.</summary>
    internal static IEnumerable<string> ConcatList(IReadOnlyList<Segment> segments, DateTimeOffset from, DateTimeOffset to)
    {
        yield return "ffconcat version 1.0";
        for (var i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            yield return $"file '{s.Path.Replace("'", "'\\''", StringComparison.Ordinal)}'";
            if (i == 0 && from > s.Start)
            {
                yield return "inpoint " + Seconds(from - s.Start);
            }

            if (i == segments.Count - 1 && to < s.End)
            {
                yield return "outpoint " + Seconds(to - s.Start);
            }
        }
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}
