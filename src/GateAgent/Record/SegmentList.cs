using System.Globalization;

namespace GateWatch.Agent.Record;

/// <summary>One finished segment as ffmpeg's segment muxer reports it: file name and stream-relative times.</summary>
internal sealed record SegmentListEntry(string FileName, double StartSeconds, double EndSeconds);

/// <summary>Parses the segment muxer's CSV list ("name,start,end" per finished segment); a pure function.</summary>
internal static class SegmentList
{
    /// <summary>
    /// A century of stream time: far past any run of ffmpeg, and small enough that the recorder's run start plus it
    /// is still a date. "inf" and 1e300 parse as numbers, but no segment ends there.
    /// </summary>
    private const double MaxSeconds = 100 * 365.25 * 86400;

    public static SegmentListEntry? ParseLine(string line)
    {
        // The name may itself hold commas (ffmpeg quotes it then); the two times are always the last fields.
        var last = line.LastIndexOf(',');
        var middle = last > 0 ? line.LastIndexOf(',', last - 1) : -1;
        if (middle <= 0)
        {
            return null;
        }

        var name = line[..middle].Trim();
        if (name.Length >= 2 && name[0] == '"' && name[^1] == '"')
        {
            name = name[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
        }

        return double.TryParse(line[(middle + 1)..last], NumberStyles.Float, CultureInfo.InvariantCulture, out var start)
            && double.TryParse(line[(last + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var end)
            && name.Length > 0 && end >= start && Math.Abs(start) <= MaxSeconds && Math.Abs(end) <= MaxSeconds
            ? new SegmentListEntry(name, start, end)
            : null;
    }
}
