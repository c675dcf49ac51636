using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Record;
using GateWatch.Agent.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GateWatch.Agent.Tests.Support;

/// <summary>
/// A real agent service in this process: the config written to a file, the host started on a loopback
/// port, every log line kept so tests can check what was said (and that no secret was).
/// </summary>
internal sealed class TestAgent : IAsyncDisposable
{
    public const string Key = "test-agent-key-0123456789";

    private readonly WebApplication _app;
    private readonly LineCollector _logs;

    private TestAgent(string configFile, WebApplication app, LineCollector logs, int port)
    {
        ConfigFile = configFile;
        _app = app;
        _logs = logs;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
    }

    public string ConfigFile { get; }

    public HttpClient Http { get; }

    public IReadOnlyList<string> LogLines => [.. _logs.Lines];

    public EventOutbox Outbox => _app.Services.GetRequiredService<EventOutbox>();

    public SegmentIndex Index => _app.Services.GetRequiredService<SegmentIndex>();

    public CameraSet Cameras => _app.Services.GetRequiredService<CameraSet>();

    /// <summary>The agent.json for <paramref name="cameras"/>, with the test key, a free port and a data folder under <paramref name="dir"/>.</summary>
    public static string WriteConfig(string dir, IEnumerable<object> cameras, int? consolePort = null, int? port = null, object? retention = null)
    {
        var file = Path.Combine(dir, "agent.json");
        var config = new Dictionary<string, object>
        {
            ["agentId"] = "test-gate",
            ["listen"] = $"http://127.0.0.1:{port ?? RtspTestServer.FreePort()}",
            ["apiKey"] = Key,
            ["dataDir"] = "data",
            ["retention"] = retention ?? new { lowDiskFreeMB = 10, sweepSeconds = 5 },
            ["cameras"] = cameras.ToArray(),
        };
        if (consolePort is { } cp)
        {
            config["console"] = new { url = $"http://127.0.0.1:{cp}/", key = "console-key-for-test-gate" };
        }

        File.WriteAllText(file, JsonSerializer.Serialize(config));
        return file;
    }

    public static async Task<TestAgent> StartAsync(string configFile)
    {
        var config = AgentConfigLoader.Load(configFile);
        var collector = new LineCollector();
        var app = AgentHost.Build(config, logging: l =>
        {
            l.ClearProviders();
            l.AddProvider(collector);
            l.SetMinimumLevel(LogLevel.Debug);
        });
        var agent = new TestAgent(configFile, app, collector, new Uri(config.Listen).Port);
        await app.StartAsync();
        return agent;
    }

    public CameraSupervisor Camera(string id) => Cameras.Find(id) ?? throw new InvalidOperationException($"camera {id} is not running");

    public IReadOnlyList<AgentEvent> Events(string? type = null) =>
        Outbox.ReadAfter(0, 10_000).Where(e => type is null || e.Type == type).ToList();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> and the agent's last words if it never does.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit, string what)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what}: not within {limit.TotalSeconds} s. Agent log:\n{string.Join('\n', LogLines.TakeLast(30))}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Keeps every formatted log line of the agent.</summary>
    private sealed class LineCollector : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LineCollector owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
