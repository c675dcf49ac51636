using System.Diagnostics;

namespace GateWatch.Agent.Ffmpeg;

/// <summary>
/// An ffmpeg child process started with an argument list (never a built-up command string), its stderr
/// drained into a ring buffer for error reports, stopped with 'q' and killed with its tree if it will not go.
/// </summary>
internal sealed class FfmpegProcess : IAsyncDisposable
{
    private const int StderrLines = 40;
    private readonly Process _process;
    private readonly Task _stderrPump;

    private FfmpegProcess(Process process, string description)
    {
        _process = process;
        Description = description;
        _stderrPump = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                Stderr.Add(line);
            }
        });
    }

    /// <summary>What this process is for, safe to log (no URLs).</summary>
    public string Description { get; }

    public LineRing Stderr { get; } = new(StderrLines);

    public int ProcessId => _process.Id;

    public Stream StandardInput => _process.StandardInput.BaseStream;

    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    public static FfmpegProcess Start(string description, IEnumerable<string> arguments)
    {
        FfmpegTools.EnsureInstalled();
        var psi = new ProcessStartInfo(FfmpegTools.FfmpegPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-hide_banner");
        psi.ArgumentList.Add("-nostats");
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"{description}: ffmpeg did not start");
        return new FfmpegProcess(process, description);
    }

    /// <summary>Waits for a normal exit; throws with ffmpeg's last words if it failed.</summary>
    public async Task WaitForSuccessAsync(CancellationToken ct)
    {
        await _process.WaitForExitAsync(ct).ConfigureAwait(false);
        await _stderrPump.ConfigureAwait(false);
        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Description}: ffmpeg exited with code {_process.ExitCode}:\n{Redact.Url(Stderr.Text())}");
        }
    }

    /// <summary>Asks ffmpeg to finish its output ('q'), then kills the process tree if it has not exited in time.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        try
        {
            await _process.StandardInput.WriteAsync("q").ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // stdin already closed: the process is on its way out or reading a pipe; fall through to the wait.
        }

        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        _process.Dispose();
    }
}
