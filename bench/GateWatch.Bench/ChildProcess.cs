using System.Diagnostics;

namespace GateWatch.Bench;

/// <summary>
/// A long-running process the benchmark starts (the agent, an ffmpeg, the RTSP server), its output kept
/// in a log file, stopped the way a service manager stops it.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? _readyPrefix;
    private bool _stopped;

    private ChildProcess(Process process, StreamWriter log, string? readyPrefix)
    {
        _process = process;
        _log = log;
        _readyPrefix = readyPrefix;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Name { get; private init; } = "";

    public string LogPath { get; private init; } = "";

    /// <summary>
    /// Starts <paramref name="file"/> with its stdout and stderr going to <paramref name="logPath"/>; with
    /// <paramref name="readyPrefix"/>, <see cref="WaitReadyAsync"/> returns the first stdout line that starts with it.
    /// </summary>
    public static ChildProcess Start(string name, string file, IEnumerable<string> args, string logPath, string? readyPrefix = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = new Process { StartInfo = psi };
        var child = new ChildProcess(process, log, readyPrefix) { Name = name, LogPath = logPath };
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, stdout: true);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, stdout: false);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            log.Dispose();
            process.Dispose();
            throw new BenchException($"cannot start {name} ({file}): {e.Message}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void OnLine(string? line, bool stdout)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            if (!_stopped)
            {
                _log.WriteLine(line);
            }
        }

        if (stdout && _readyPrefix is not null && line.StartsWith(_readyPrefix, StringComparison.Ordinal))
        {
            _ready.TrySetResult(line[_readyPrefix.Length..]);
        }
    }

    /// <summary>The rest of the ready line, once the process printed it; fails when it exits or takes longer than <paramref name="limit"/>.</summary>
    public async Task<string> WaitReadyAsync(TimeSpan limit, CancellationToken ct)
    {
        var exited = _process.WaitForExitAsync(ct);
        var first = await Task.WhenAny(_ready.Task, exited, Task.Delay(limit, ct)).ConfigureAwait(false);
        if (first == _ready.Task)
        {
            return await _ready.Task.ConfigureAwait(false);
        }

        ct.ThrowIfCancellationRequested();
        throw new BenchException($"{Name} {(first == exited ? "exited" : "did not get ready")} before saying it was ready:\n{LogTail()}");
    }

    /// <summary>The last lines of the process's output, for a failure message.</summary>
    public string LogTail(int lines = 20)
    {
        lock (_logLock)
        {
            _log.Flush();
        }

        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(cannot read {LogPath}: {e.Message})";
        }
    }

    /// <summary>
    /// SIGTERM, as systemd stops a service: the agent then closes its segments and stops its ffmpegs, and an
    /// ffmpeg finishes its file and tears its RTSP session down. Killed with its whole tree after <paramref name="grace"/>.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            await Signal.TermAsync([Pid]).ConfigureAwait(false);
            using var wait = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        // Let the output readers drain what the process wrote last.
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        lock (_logLock)
        {
            _stopped = true;
            _log.Dispose();
        }

        _process.Dispose();
    }
}

/// <summary>Sends signals with kill(1): .NET can only SIGKILL another process, which would orphan the agent's ffmpegs.</summary>
internal static class Signal
{
    public static async Task TermAsync(IReadOnlyCollection<int> pids)
    {
        if (pids.Count == 0)
        {
            return;
        }

        var psi = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add("-TERM");
        foreach (var pid in pids)
        {
            psi.ArgumentList.Add(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var kill = Process.Start(psi) ?? throw new BenchException("cannot run kill");
        await kill.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await kill.WaitForExitAsync().ConfigureAwait(false);
    }
}
