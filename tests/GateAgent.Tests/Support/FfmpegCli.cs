using System.Diagnostics;

namespace GateWatch.Agent.Tests.Support;

/// <summary>Runs the real /usr/bin/ffmpeg to make test inputs (synthetic clips, single frames).</summary>
internal static class FfmpegCli
{
    public const string Path = "/usr/bin/ffmpeg";

    public static void Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Path)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-hide_banner");
        psi.ArgumentList.Add("-nostdin");
        psi.ArgumentList.Add("-loglevel");
        psi.ArgumentList.Add("error");
        psi.ArgumentList.Add("-y");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("ffmpeg did not start");
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"ffmpeg {string.Join(' ', args)} took over a minute");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        }
    }

    /// <summary>A testsrc2 H.264 clip of the given size, rate and length.</summary>
    public static void MakeTestClip(string path, int width = 160, int height = 120, int rate = 10, int frames = 25) =>
        Run("-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate={rate}", "-frames:v", frames.ToString(),
            "-c:v", "libx264", "-pix_fmt", "yuv420p", path);
}
