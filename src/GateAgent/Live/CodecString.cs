using System.Globalization;
using GateWatch.Agent.Capture;

namespace GateWatch.Agent.Live;

/// <summary>
/// The RFC 6381 codec string a browser's Media Source Extensions need before they accept a stream
/// (<c>video/mp4; codecs="avc1.64001f"</c>): profile, constraint flags and level of the H.264 stream.
/// </summary>
internal static class CodecString
{
    public static string? Mime(VideoInfo info)
    {
        if (!string.Equals(info.Codec, "h264", StringComparison.OrdinalIgnoreCase) || info.Level is not { } level)
        {
            return null;
        }

        (int profile, int constraints)? p = info.Profile switch
        {
            "Constrained Baseline" => (66, 0xE0),
            "Baseline" => (66, 0x00),
            "Main" => (77, 0x40),
            "Extended" => (88, 0x00),
            "High" => (100, 0x00),
            "High 10" => (110, 0x00),
            "High 4:2:2" => (122, 0x00),
            "High 4:4:4 Predictive" => (244, 0x00),
            _ => null,
        };
        return p is { } x
            ? string.Create(CultureInfo.InvariantCulture, $"video/mp4; codecs=\"avc1.{x.profile:x2}{x.constraints:x2}{level:x2}\"")
            : null;
    }
}
