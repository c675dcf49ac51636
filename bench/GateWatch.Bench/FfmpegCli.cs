using System.Diagnostics;
using GateWatch.Agent.Ffmpeg;

namespace GateWatch.Bench;

/// <summary>What one ffmpeg run wrote to its stdout, and how long the whole process took.</summary>
internal sealed record FfmpegRun(long Bytes, TimeSpan Elapsed);

/// <summary>Debian's ffmpeg run directly (no FFMpegCore), as the reference the pipeline is held to.</summary>
internal static class FfmpegCli
{
    /// <summary>Pipe reads of 1 MiB: well under a frame's cost, so reading never limits the reference.</summary>
    private const int ReadChunk = 1 << 20;

    /// <summary>stderr characters kept for a failure message.</summary>
    private const int StderrTail = 2000;

    public static string Path => FfmpegTools.FfmpegPath;

    /// <summary>
    /// Runs ffmpeg with <paramref name="args"/> and reads its stdout to the end, into <paramref name="sink"/>
    /// when given, else only counting the bytes. Timed from process start to exit.
    /// </summary>
    public static async Task<FfmpegRun> RunAsync(IEnumerable<string> args, Stream? sink, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new BenchException($"cannot start {Path}");
        try
        {
            var stderr = process.StandardError.ReadToEndAsync(ct);
            var stdout = process.StandardOutput.BaseStream;
            var buffer = GC.AllocateUninitializedArray<byte>(ReadChunk);
            long bytes = 0;
            int read;
            while ((read = await stdout.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                bytes += read;
                if (sink is not null)
                {
                    await sink.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                }
            }

            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            var elapsed = clock.Elapsed;
            var errors = await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                var tail = errors.Length > StderrTail ? errors[^StderrTail..] : errors;
                throw new BenchException($"ffmpeg {string.Join(' ', psi.ArgumentList)} exited with code {process.ExitCode}:\n{tail.Trim()}");
            }

            return new FfmpegRun(bytes, elapsed);
        }
        catch (OperationCanceledException)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            throw;
        }
    }

    /// <summary>The first line of `ffmpeg -version`, for the record of what was measured.</summary>
    public static async Task<string> VersionAsync(CancellationToken ct)
    {
        using var output = new MemoryStream();
        await RunAsync(["-hide_banner", "-version"], output, ct).ConfigureAwait(false);
        var text = System.Text.Encoding.UTF8.GetString(output.ToArray());
        var first = text.Split('\n', 2)[0].Trim();
        var cut = first.IndexOf(" Copyright", StringComparison.Ordinal);
        return cut > 0 ? first[..cut] : first;
    }
}
