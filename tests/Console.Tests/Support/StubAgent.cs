using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GateWatch.Central.Tests.Support;

/// <summary>
/// A tiny HTTP server on a loopback port standing in for an agent (or for a host nobody should reach): it
/// answers with the routes a test maps and records every request it gets, with its Authorization header.
/// For the console's behaviour against an agent that misbehaves, where a real agent never would.
/// </summary>
internal sealed class StubAgent : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StubAgent(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>"METHOD path?query" and the Authorization header of each request, in arrival order.</summary>
    public ConcurrentQueue<(string Request, string? Authorization)> Requests { get; } = new();

    /// <summary>Starts a stub; a given <paramref name="port"/> brings a stopped one back at its old address.</summary>
    public static async Task<StubAgent> StartAsync(Action<WebApplication>? map = null, int? port = null)
    {
        port ??= LocalAgent.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new StubAgent(app, new Uri($"http://127.0.0.1:{port}/"));
        app.Use(async (ctx, next) =>
        {
            stub.Requests.Enqueue(($"{ctx.Request.Method} {ctx.Request.Path}{ctx.Request.QueryString}", ctx.Request.Headers.Authorization.FirstOrDefault()));
            await next(ctx);
        });
        map?.Invoke(app);
        app.MapFallback(() => Results.NotFound());
        await app.StartAsync();
        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>An agent that has hung: it accepts connections and never answers a byte.</summary>
internal sealed class SilentAgent : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentBag<TcpClient> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private int _accepted;
    private int _closed;

    public SilentAgent()
    {
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _ = AcceptAsync();
    }

    public Uri Url { get; }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                // Kept open and never answered: the connection looks alive and nothing comes back. What the client
                // sends is read only to see when it hangs up.
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _held.Add(client);
                Interlocked.Increment(ref _accepted);
                _ = DrainAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Connections the console has opened so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections the console has opened and closed again (it gave up waiting).</summary>
    public int Closed => Volatile.Read(ref _closed);

    private async Task DrainAsync(TcpClient client)
    {
        var buffer = new byte[4096];
        try
        {
            var stream = client.GetStream();
            while (await stream.ReadAsync(buffer, _stop.Token) > 0)
            {
            }

            Interlocked.Increment(ref _closed);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            Interlocked.Increment(ref _closed);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var c in _held)
        {
            c.Dispose();
        }

        _stop.Dispose();
    }
}

/// <summary>Collects what the console logs, so a test can say that nothing was logged as an error.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((logLevel, category, formatter(state, exception), exception));
    }
}
