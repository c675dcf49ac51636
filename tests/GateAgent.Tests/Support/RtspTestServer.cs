using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GateWatch.Agent.Tests.Support;

/// <summary>
/// A real RTSP server for tests: tests/rtsp/rtsp_server.py (Debian gst-rtsp-server through python3-gi)
/// serving an H.264 clip in a loop on 127.0.0.1, optionally behind a user and password.
/// </summary>
internal sealed class RtspTestServer : IDisposable
{
    private readonly Process _process;
    private bool _disposed;

    private RtspTestServer(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    /// <summary>The stream's URL without credentials.</summary>
    public string Url { get; }

    public int Port => new Uri(Url).Port;

    public string UrlWith(string user, string password) => Url.Replace("rtsp://", $"rtsp://{user}:{password}@", StringComparison.Ordinal);

    /// <summary>Makes a 10 fps clip without B-frames (the server's looping needs them absent) from ffmpeg's test pattern.</summary>
    public static void MakeClip(string path, int width, int height, int frames) =>
        FfmpegCli.Run("-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=10", "-frames:v", frames.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "10", "-pix_fmt", "yuv420p", "-f", "h264", path);

    /// <summary>
    /// Starts a server; a given <paramref name="port"/> brings a killed camera back at its old address.
    /// <paramref name="stamp"/> burns each frame's wall-clock time into its top edge (rtsp_server.py --stamp).
    /// </summary>
    public static RtspTestServer Start(string clip, string? user = null, string? password = null, int? port = null, int fps = 10, bool stamp = false)
    {
        var listen = port ?? FreePort();
        var psi = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(TestPaths.RepoRoot, "tests", "rtsp", "rtsp_server.py"), clip, "--port", listen.ToString(System.Globalization.CultureInfo.InvariantCulture), "--fps", fps.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }

        if (stamp)
        {
            psi.ArgumentList.Add("--stamp");
        }

        if (user is not null)
        {
            psi.ArgumentList.Add("--user");
            psi.ArgumentList.Add(user);
            psi.ArgumentList.Add("--password");
            psi.ArgumentList.Add(password!);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("the RTSP test server did not start");
        var ready = process.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(15)) || ready.Result is not { } line || !line.StartsWith("READY ", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException(
                "the RTSP test server (python3-gi, gir1.2-gst-rtsp-server-1.0; scripts/setup.sh installs them) did not come up: "
                + process.StandardError.ReadToEnd());
        }

        return new RtspTestServer(process, line["READY ".Length..]);
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}
