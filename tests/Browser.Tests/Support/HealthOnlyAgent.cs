using System.Net;
using System.Text.Json;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Browser.Tests.Support;

/// <summary>
/// A gate box reduced to its health answer, on a loopback port: one camera, online. Stopping it is a power cut;
/// starting it again at the same port brings the box back. Everything else it is asked gets a 404.
/// </summary>
public sealed class HealthOnlyAgent : IDisposable
{
    private HttpListener? _listener;

    public HealthOnlyAgent(string camera) => Camera = camera;

    public string Camera { get; }

    public int Port { get; } = RtspTestServer.FreePort();

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public void Start()
    {
        var listener = new HttpListener();
        listener.Prefixes.Add(Url.ToString());
        listener.Start();
        _listener = listener;
        _ = ServeAsync(listener);
    }

    /// <summary>Stops answering at once: connections are refused, as from a box without power.</summary>
    public void Stop()
    {
        _listener?.Abort();
        _listener = null;
    }

    public void Dispose() => Stop();

    private async Task ServeAsync(HttpListener listener)
    {
        var health = JsonSerializer.SerializeToUtf8Bytes(new
        {
            cameras = new[] { new { id = Camera, name = "South gate", state = "online", since = "2026-03-01T08:00:00Z", lineCounts = new { }, zoneCounts = new { } } },
        });
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var response = context.Response;
            if (context.Request.Url?.AbsolutePath == "/api/health")
            {
                response.ContentType = "application/json";
                await response.OutputStream.WriteAsync(health);
            }
            else
            {
                response.StatusCode = 404;
            }
        }
    }
}
