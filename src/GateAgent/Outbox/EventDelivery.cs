using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GateWatch.Agent.Outbox;

/// <summary>
/// Sends the outbox to the console, oldest first, in batches, at least once. A batch goes only after the
/// previous one was accepted, so each camera's events arrive in order; while the console is unreachable
/// the events stay pending and attempts back off. The console stores each event id once, which makes
/// the re-sends that at-least-once implies harmless.
/// </summary>
internal sealed partial class EventDelivery(EventOutbox outbox, ConsoleLink link, HttpClient http, TimeProvider time, ILogger<EventDelivery> logger)
    : BackgroundService
{
    public const int BatchSize = 100;
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    // Capacity 1: any number of nudges while a batch is in flight collapse into one more look at the outbox.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Lock _state = new();
    private long _delivered;
    private DateTimeOffset? _lastSuccess;
    private string? _lastError;

    /// <summary>Events the console has accepted since this service started.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    public DateTimeOffset? LastSuccess
    {
        get
        {
            lock (_state)
            {
                return _lastSuccess;
            }
        }
    }

    /// <summary>Why the latest attempt failed (status or connection error, never the key); null once one succeeds.</summary>
    public string? LastError
    {
        get
        {
            lock (_state)
            {
                return _lastError;
            }
        }
    }

    /// <summary>Asks for a look at the outbox now instead of at the next poll; ignored during backoff.</summary>
    public void Nudge() => _wake.Writer.TryWrite(true);

    /// <summary>
    /// The wait after <paramref name="failures"/> consecutive failures (1 or more): 1 s doubling to 30 s,
    /// plus up to 10 % so agents that lost the console together do not return in lockstep.
    /// </summary>
    /// <param name="jitter">A number in [0, 1).</param>
    public static TimeSpan Backoff(int failures, double jitter)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(failures);
        var seconds = Math.Min(FirstBackoff.TotalSeconds * Math.Pow(2, Math.Min(failures - 1, 30)), MaxBackoff.TotalSeconds);
        return TimeSpan.FromSeconds(seconds * (1 + (0.1 * jitter)));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start-up path: the first outbox read and request happen on the thread pool.
        await Task.Yield();
        outbox.Appended += OnAppended;
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; whatever is pending goes on the next start.
        }
        finally
        {
            outbox.Appended -= OnAppended;
        }
    }

    private void OnAppended(object? sender, EventArgs e) => Nudge();

    private async Task RunAsync(CancellationToken ct)
    {
        var failures = 0;
        DateTimeOffset? outageStart = null;
        while (!ct.IsCancellationRequested)
        {
            string? error;
            try
            {
                var batch = outbox.Pending(BatchSize);
                if (batch.Count == 0)
                {
                    await WaitForWorkAsync(ct);
                    continue;
                }

                error = await SendAsync(batch, ct);
                if (error is null)
                {
                    var waiting = outbox.PendingCount();
                    var now = time.GetUtcNow();
                    // Should this throw, the batch stays pending and goes again: a duplicate the console drops.
                    outbox.MarkDelivered(batch.Select(e => e.Seq).ToArray(), now);
                    Interlocked.Add(ref _delivered, batch.Count);
                    lock (_state)
                    {
                        _lastSuccess = now;
                        _lastError = null;
                    }

                    if (outageStart is { } since)
                    {
                        LogRecovered(logger, link.Display, now - since, waiting);
                        outageStart = null;
                    }

                    failures = 0;
                    continue;
                }
            }
            catch (SqliteException e)
            {
                // A full disk or a damaged file must not end delivery for good; the events are still there.
                LogOutboxFailed(logger, e);
                await Task.Delay(Backoff(++failures, Random.Shared.NextDouble()), time, ct);
                continue;
            }

            lock (_state)
            {
                _lastError = error;
            }

            failures++;
            if (outageStart is null)
            {
                outageStart = time.GetUtcNow();
                LogOutage(logger, link.Display, error, SafePendingCount());
            }
            else
            {
                LogRetryFailed(logger, failures, error);
            }

            await Task.Delay(Backoff(failures, Random.Shared.NextDouble()), time, ct);
        }
    }

    private long SafePendingCount()
    {
        try
        {
            return outbox.PendingCount();
        }
        catch (SqliteException)
        {
            return -1;
        }
    }

    /// <summary>Posts one batch; null when the console accepted it, otherwise why not.</summary>
    private async Task<string?> SendAsync(IReadOnlyList<AgentEvent> batch, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new AgentEventBatch(batch[0].Agent, batch), AgentEventJson.Default.AgentEventBatch);
        using var request = new HttpRequestMessage(HttpMethod.Post, link.EventsEndpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", link.Key);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", $"{batch[0].Id}-{batch[^1].Id}");
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };

        using var timeout = new CancellationTokenSource(RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            return response.IsSuccessStatusCode ? null : Clean($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"no answer within {RequestTimeout.TotalSeconds:0} s";
        }
        catch (HttpRequestException e)
        {
            return Clean(e.Message);
        }
    }

    // Errors end up in logs and on the metrics page; neither may carry the key or URL credentials.
    private string Clean(string text) =>
        Ffmpeg.Redact.Url(link.Key.Length == 0 ? text : text.Replace(link.Key, "***", StringComparison.Ordinal));

    private async Task WaitForWorkAsync(CancellationToken ct)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var wake = _wake.Reader.WaitToReadAsync(idle.Token).AsTask();
        var poll = Task.Delay(PollInterval, time, idle.Token);
        await Task.WhenAny(wake, poll);
        await idle.CancelAsync();
        _wake.Reader.TryRead(out _);
        ct.ThrowIfCancellationRequested();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console {Console} unreachable ({Error}); {Pending} events kept, retrying with backoff")]
    private static partial void LogOutage(ILogger logger, string console, string error, long pending);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivery attempt {Attempt} failed: {Error}")]
    private static partial void LogRetryFailed(ILogger logger, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Console {Console} reachable again after {Outage}; delivering {Waiting} waiting events")]
    private static partial void LogRecovered(ILogger logger, string console, TimeSpan outage, long waiting);

    [LoggerMessage(Level = LogLevel.Error, Message = "The event outbox failed; delivery retries with backoff")]
    private static partial void LogOutboxFailed(ILogger logger, Exception error);
}
