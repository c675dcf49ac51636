using GateWatch.Agent.Outbox;

namespace GateWatch.Agent.Plates;

/// <summary>
/// Keeps the barriers' allow list in step with the console's lists (allowed vehicles valid today, today's
/// visitors, watchlist removed): fetched with the agent's console key, written to a file beside the agent's data
/// that the barriers read. When the centre cannot be reached the last copy stays, so staff still get in.
/// </summary>
internal sealed partial class AllowListSync(ConsoleLink link, string agentId, string path, HttpClient http, TimeProvider time, ILogger<AllowListSync> log) : BackgroundService
{
    /// <summary>An entry the admin adds reaches the barrier within a minute; the list is small, asking costs nothing.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(60);

    /// <summary>Where, under the console's base URL, the list is.</summary>
    public Uri Source => new(link.Url.AbsolutePath.EndsWith('/') ? link.Url : new Uri(link.Url + "/"), $"api/agents/plates/barrier?agent={Uri.EscapeDataString(agentId)}");

    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await SyncOnceAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(Every, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One fetch; true when the file now holds the console's list.</summary>
    public async Task<bool> SyncOnceAsync(CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var request = new HttpRequestMessage(HttpMethod.Get, Source);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", link.Key);
            using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return Failed($"the console answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (!File.Exists(path) || await File.ReadAllTextAsync(path, ct).ConfigureAwait(false) != text)
            {
                var temp = path + ".partial";
                await File.WriteAllTextAsync(temp, text, ct).ConfigureAwait(false);
                File.Move(temp, path, overwrite: true);
                var count = text.Split('\n').Count(l => l.Length > 0 && l[0] != '#');
                Log.Updated(log, count, path);
            }

            if (_failing)
            {
                _failing = false;
                Log.Back(log);
            }

            return true;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            if (ct.IsCancellationRequested)
            {
                return false;
            }

            return Failed(e.Message);
        }
    }

    private bool Failed(string why)
    {
        // Said once per outage: a console down for a day must not fill the log with one line a minute.
        if (!_failing)
        {
            _failing = true;
            Log.Failing(log, link.Display, why, path);
        }

        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "barrier allow list from the console: {Count} plates, written to {Path}")]
        public static partial void Updated(ILogger log, int count, string path);

        [LoggerMessage(Level = LogLevel.Warning, Message = "barrier allow list not fetched from {Console}: {Why}; the barriers keep the last copy ({Path})")]
        public static partial void Failing(ILogger log, string console, string why, string path);

        [LoggerMessage(Level = LogLevel.Information, Message = "barrier allow list: the console answers again")]
        public static partial void Back(ILogger log);
    }
}
