namespace GateWatch.Agent.Capture;

/// <summary>
/// ffmpeg's input options for a camera source, shared by the recorder, the analysis decoder and the live
/// stream so all three treat a camera the same way.
/// </summary>
internal static class SourceInput
{
    /// <summary>
    /// Socket timeout for network sources, in microseconds. Without one, ffmpeg waits forever on a camera
    /// that went silent; 5 s leaves room to report the camera offline within the 10 s guards are promised.
    /// </summary>
    private const string NetworkTimeoutMicros = "5000000";

    public static bool IsUrl(string source) => source.Contains("://", StringComparison.Ordinal);

    /// <summary>A camera (a URL) or a looped file played in real time: its frames are stamped with the clock, not the file's timeline.</summary>
    public static bool IsLive(string source, bool loop) => IsUrl(source) || loop;

    /// <summary>Options that go before <c>-i</c>. A looped file is read at its own frame rate, like a camera.</summary>
    public static IReadOnlyList<string> Options(string source, bool loop)
    {
        if (source.StartsWith("rtsp", StringComparison.OrdinalIgnoreCase))
        {
            // TCP: UDP loses packets (and so whole frames) on busy links, which would corrupt recordings.
            return ["-rtsp_transport", "tcp", "-timeout", NetworkTimeoutMicros];
        }

        if (IsUrl(source))
        {
            return ["-rw_timeout", NetworkTimeoutMicros];
        }

        return loop ? ["-re", "-stream_loop", "-1"] : [];
    }
}
