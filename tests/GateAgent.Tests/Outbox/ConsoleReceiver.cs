using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GateWatch.Agent.Tests.Outbox;

/// <summary>What the receiver saw of one event, read from the raw JSON rather than through the agent's types.</summary>
internal sealed record ReceivedEvent(long Seq, string Id, string Agent, string Camera, string Type);

/// <summary>
/// A stand-in for the central console on a real Kestrel port: checks the bearer key, stores each event id
/// once and counts the ones that came again. Requests can be made to fail by number.
/// </summary>
internal sealed class ConsoleReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ReceivedEvent> _byId = [];
    private readonly List<ReceivedEvent> _arrivals = [];
    private readonly List<string> _idempotencyKeys = [];
    private readonly Func<int, int?> _failWith;
    private readonly string _key;
    private int _requests;
    private int _duplicates;

    private ConsoleReceiver(int port, string key, Func<int, int?> failWith)
    {
        _key = key;
        _failWith = failWith;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        _app = builder.Build();
        _app.MapPost("/api/agents/events", (Func<HttpContext, Task<IResult>>)Receive);
    }

    /// <summary>Starts a receiver on <paramref name="port"/>.</summary>
    /// <param name="failWith">Given the request number (1-based, counting only authorised ones), a status to answer instead of accepting; null accepts.</param>
    public static async Task<ConsoleReceiver> StartAsync(int port, string key, Func<int, int?>? failWith = null)
    {
        var receiver = new ConsoleReceiver(port, key, failWith ?? (_ => null));
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>A port nothing listens on right now: bound by the system, then released.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Every request that reached the endpoint, authorised or not.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public int Unauthorized { get; private set; }

    public int Duplicates
    {
        get
        {
            lock (_gate)
            {
                return _duplicates;
            }
        }
    }

    /// <summary>Accepted events in arrival order, first copies only.</summary>
    public IReadOnlyList<ReceivedEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _arrivals];
            }
        }
    }

    public IReadOnlyList<string> IdempotencyKeys
    {
        get
        {
            lock (_gate)
            {
                return [.. _idempotencyKeys];
            }
        }
    }

    private async Task<IResult> Receive(HttpContext http)
    {
        Interlocked.Increment(ref _requests);
        if (http.Request.Headers.Authorization.ToString() != $"Bearer {_key}")
        {
            lock (_gate)
            {
                Unauthorized++;
            }

            return Results.Unauthorized();
        }

        using var doc = await JsonDocument.ParseAsync(http.Request.Body);
        int number;
        lock (_gate)
        {
            number = _idempotencyKeys.Count + 1;
            _idempotencyKeys.Add(http.Request.Headers["Idempotency-Key"].ToString());
        }

        if (_failWith(number) is { } status)
        {
            return Results.StatusCode(status);
        }

        var agent = doc.RootElement.GetProperty("agent").GetString()!;
        if (agent.Length == 0)
        {
            return Results.BadRequest();
        }

        lock (_gate)
        {
            foreach (var e in doc.RootElement.GetProperty("events").EnumerateArray())
            {
                var received = new ReceivedEvent(e.GetProperty("seq").GetInt64(), e.GetProperty("id").GetString()!,
                    e.GetProperty("agent").GetString()!, e.GetProperty("camera").GetString()!, e.GetProperty("type").GetString()!);
                if (!_byId.TryAdd(received.Id, received))
                {
                    _duplicates++;
                    continue;
                }

                _arrivals.Add(received);
            }
        }

        return Results.Ok();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
