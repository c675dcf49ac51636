using System.ComponentModel;
using FFMpegCore;

namespace GateWatch.Agent.Ffmpeg;

/// <summary>Where Debian's ffmpeg lives and how to say what went wrong with it.</summary>
internal static class FfmpegTools
{
    /// <summary>Debian installs ffmpeg and ffprobe here; GATEWATCH_FFMPEG_DIR overrides it (tests use this to hide them).</summary>
    public static string BinaryFolder =>
        Environment.GetEnvironmentVariable("GATEWATCH_FFMPEG_DIR") is { Length: > 0 } dir ? dir : "/usr/bin";

    public static FFOptions Options => new() { BinaryFolder = BinaryFolder, TemporaryFilesFolder = Path.GetTempPath() };

    public static void Configure() => GlobalFFOptions.Configure(Options);

    public static string FfmpegPath => Path.Combine(BinaryFolder, "ffmpeg");

    public static void EnsureInstalled()
    {
        foreach (var tool in new[] { "ffmpeg", "ffprobe" })
        {
            if (!File.Exists(Path.Combine(BinaryFolder, tool)))
            {
                throw new FileNotFoundException(
                    $"{tool} not found in {BinaryFolder}: install Debian's ffmpeg (apt-get install ffmpeg)");
            }
        }
    }

    /// <summary>A one-line reason for an ffmpeg/ffprobe failure, with URLs redacted.</summary>
    public static string Explain(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null && inner is not Win32Exception)
        {
            inner = inner.InnerException;
        }

        var text = inner is Win32Exception ? $"cannot start ffprobe/ffmpeg in {BinaryFolder}: {inner.Message}" : e.Message;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return Redact.Url(string.Join(" | ", lines.TakeLast(4)));
    }
}
