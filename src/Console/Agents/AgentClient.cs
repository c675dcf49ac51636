using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using GateWatch.Shared.Tls;

namespace GateWatch.Central.Agents;

/// <summary>An agent that did not answer as it should; the message says which agent and what happened.</summary>
internal sealed class AgentUnavailableException(string message, Exception? inner = null, bool timedOut = false) : Exception(message, inner)
{
    /// <summary>The agent was reached but did not answer in time (a gateway timeout), rather than refused or absent.</summary>
    public bool TimedOut { get; } = timedOut;
}

/// <summary>An agent stopped sending in the middle of a stream.</summary>
internal sealed class AgentStalledException(string message) : Exception(message);

/// <summary>
/// The console's side of an agent's local API: health, recordings, clips and live streams, each request
/// signed with that agent's key. Streams are relayed as they arrive, never buffered whole.
/// </summary>
internal sealed class AgentClient(AgentRegistry agents, IHttpContextAccessor? caller = null) : IDisposable
{
    /// <summary>Ordinary calls; a clip export of an hour of 1080p takes under a minute on the agent.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(2);

    private static readonly HttpRequestOptionsKey<PinCheck> Pinned = new("GateWatch.TlsPin");

    // One client for every agent: connection pooling per host is the handler's job. No overall timeout,
    // because live streams run for as long as someone watches; each call sets its own.
    private readonly HttpClient _http = new(new HttpClientHandler { ServerCertificateCustomValidationCallback = Trusted })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>
    /// How long a streamed call waits for the agent's answer to begin. Agents answer a stream's headers at once (a
    /// snapshot is cut within 5 s, or refused); one that has said nothing for 15 s is hung. Tests shorten it.
    /// </summary>
    internal TimeSpan StreamStart { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a stream under way may go without a byte before the console gives up on it: live video sends
    /// several fragments a second, live metadata a keep-alive every 10 s, downloads run at disk speed. Without it a
    /// stalled agent would hold a relay (and a viewer's connection) open forever. Tests shorten it.
    /// </summary>
    internal TimeSpan StreamIdle { get; set; } = TimeSpan.FromSeconds(30);

    public Task<JsonElement> GetJsonAsync(string agent, string path, CancellationToken ct) => CallAsync(agent, HttpMethod.Get, path, null, ct);

    public Task<JsonElement> PostJsonAsync(string agent, string path, object body, CancellationToken ct) => CallAsync(agent, HttpMethod.Post, path, body, ct);

    public Task<JsonElement> PutJsonAsync(string agent, string path, object body, CancellationToken ct) => CallAsync(agent, HttpMethod.Put, path, body, ct);

    private async Task<JsonElement> CallAsync(string agent, HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CallTimeout);
        using var content = body is null ? null : JsonContent(body);
        using var response = await SendAsync(agent, method, path, content, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        return await Read(agent, response, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a streamed GET (live video, a segment, a clip); the caller disposes the response and reads its body with
    /// <see cref="ReadAsync"/>. An agent that has not begun to answer within <see cref="StreamStart"/> is unavailable.
    /// </summary>
    public async Task<HttpResponseMessage> StreamAsync(string agent, string path, string? range, CancellationToken ct)
    {
        using var start = CancellationTokenSource.CreateLinkedTokenSource(ct);
        start.CancelAfter(StreamStart);
        try
        {
            return await SendAsync(agent, HttpMethod.Get, path, null, HttpCompletionOption.ResponseHeadersRead, start.Token, range).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AgentUnavailableException($"agent {agent} did not start answering within {StreamStart.TotalSeconds:0} s", timedOut: true);
        }
    }

    /// <summary>The next bytes of an agent's stream; <see cref="AgentStalledException"/> when the agent has sent nothing for <see cref="StreamIdle"/>.</summary>
    public async ValueTask<int> ReadAsync(string agent, Stream body, Memory<byte> buffer, CancellationToken ct)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        idle.CancelAfter(StreamIdle);
        try
        {
            return await body.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AgentStalledException($"agent {agent} sent nothing for {StreamIdle.TotalSeconds:0} s; the stream was given up");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(
        string agent, HttpMethod method, string path, HttpContent? content, HttpCompletionOption completion, CancellationToken ct, string? range = null)
    {
        var info = agents.Find(agent) ?? throw new AgentUnavailableException($"no agent '{agent}' is registered");
        var target = new Uri(info.Url, path);
        // The last guard for the agent's key: whatever path a caller built, it goes to that agent's own origin or nowhere.
        if (Uri.Compare(target, info.Url, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            throw new AgentUnavailableException($"a request for agent {agent} would have gone to {target.GetLeftPart(UriPartial.Authority)}, not to the agent; it was not sent");
        }

        using var request = new HttpRequestMessage(method, target) { Content = content };
        var check = new PinCheck(info.TlsPin);
        request.Options.Set(Pinned, check);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", info.ApiKey);
        // The agent's log lines for this call carry the same id as the console's for the request that made it.
        if (caller?.HttpContext?.TraceIdentifier is { Length: > 0 } id)
        {
            request.Headers.TryAddWithoutValidation(GateWatch.Shared.Web.RequestIds.Header, id);
        }

        if (range is not null)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }

        try
        {
            return await _http.SendAsync(request, completion, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (check.Presented is { } presented && check.Pin is { } pin && presented != pin)
        {
            throw new AgentUnavailableException(
                $"agent {agent} at {info.Url.Authority} presented a certificate with SHA-256 {presented}, not the one pinned at its registration ({pin}); "
                + "nothing was sent. If its box was replaced, pin the new one: GateConsole pin-agent --id ID --fingerprint (GateAgent tls-fingerprint prints it)", e);
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException && check.Pin is null)
        {
            throw new AgentUnavailableException(
                $"agent {agent} at {info.Url.Authority}: its certificate is not trusted ({e.InnerException.Message}); nothing was sent. "
                + "An agent's own certificate is trusted by its fingerprint: GateConsole pin-agent --id ID --fingerprint (GateAgent tls-fingerprint prints it)", e);
        }
        catch (HttpRequestException e)
        {
            throw new AgentUnavailableException($"agent {agent} at {info.Url.Authority} cannot be reached ({e.Message})", e);
        }
    }

    /// <summary>
    /// An agent pinned at registration must present exactly that certificate; then neither its issuer nor its names
    /// matter (agents make their own, for addresses a CA would not sign). Unpinned, the system's CAs decide.
    /// </summary>
    private static bool Trusted(HttpRequestMessage request, X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (!request.Options.TryGetValue(Pinned, out var check) || check.Pin is null)
        {
            return errors == SslPolicyErrors.None;
        }

        if (certificate is null)
        {
            return false;
        }

        check.Presented = CertificatePin.Of(certificate);
        return check.Presented == check.Pin;
    }

    /// <summary>What a request's agent was pinned to, and what the agent showed (for a refusal that says both).</summary>
    private sealed class PinCheck(string? pin)
    {
        public string? Pin { get; } = pin;

        public string? Presented { get; set; }
    }

    public void Dispose() => _http.Dispose();

    private static async Task<JsonElement> Read(string agent, HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            // The agent's problem+json says what it could not do (no footage, a gap, a bad range): pass it on.
            var detail = TryDetail(text) ?? $"HTTP {(int)response.StatusCode}";
            throw new AgentRequestException((int)response.StatusCode, $"agent {agent}: {detail}");
        }

        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    private static string? TryDetail(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}

/// <summary>An agent refused a request; <see cref="Status"/> is its answer, the message its reason.</summary>
internal sealed class AgentRequestException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
