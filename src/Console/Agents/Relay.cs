namespace GateWatch.Central.Agents;

/// <summary>Passes an agent's streamed answer (video, a segment, server-sent events) on to the browser as it arrives.</summary>
internal static class Relay
{
    private static readonly string[] PassedHeaders = ["Content-Range", "Accept-Ranges", "X-Codec", "Cache-Control"];

    /// <param name="started">Told how the agent answered before anything is relayed: its status, or 502 and why when
    /// it could not be reached (for the audit log of who watched what).</param>
    /// <param name="contentType">The type to answer with whatever the agent said, for what can only be one kind of
    /// file (a JPEG): the console's origin must not serve an agent's HTML.</param>
    public static async Task<IResult> StreamAsync(
        AgentClient agents, string agent, string path, HttpContext http, Action<int, string?>? started = null, string? contentType = null)
    {
        HttpResponseMessage upstream;
        try
        {
            upstream = await agents.StreamAsync(agent, path, http.Request.Headers.Range.ToString() is { Length: > 0 } r ? r : null, http.RequestAborted).ConfigureAwait(false);
        }
        catch (AgentUnavailableException e)
        {
            var status = e.TimedOut ? 504 : 502;
            started?.Invoke(status, e.Message);
            return Results.Problem(statusCode: status, detail: e.Message);
        }

        using (upstream)
        {
            if (!upstream.IsSuccessStatusCode)
            {
                var text = await upstream.Content.ReadAsStringAsync(http.RequestAborted).ConfigureAwait(false);
                started?.Invoke((int)upstream.StatusCode, text.Length > 300 ? text[..300] : text);
                return Results.Text(text, upstream.Content.Headers.ContentType?.ToString() ?? "application/problem+json", statusCode: (int)upstream.StatusCode);
            }

            started?.Invoke((int)upstream.StatusCode, null);
            http.Response.StatusCode = (int)upstream.StatusCode;
            http.Response.ContentType = contentType ?? upstream.Content.Headers.ContentType?.ToString() ?? "application/octet-stream";
            if (upstream.Content.Headers.ContentLength is { } length)
            {
                http.Response.ContentLength = length;
            }

            foreach (var name in PassedHeaders)
            {
                if (upstream.Headers.TryGetValues(name, out var v) || upstream.Content.Headers.TryGetValues(name, out v))
                {
                    http.Response.Headers[name] = v.ToArray();
                }
            }

            using var relaying = http.RequestServices.GetService<Web.ConsoleMetrics>()?.Relaying();
            try
            {
                await using var body = await upstream.Content.ReadAsStreamAsync(http.RequestAborted).ConfigureAwait(false);
                var buffer = new byte[64 * 1024];
                int n;
                while ((n = await agents.ReadAsync(agent, body, buffer, http.RequestAborted).ConfigureAwait(false)) > 0)
                {
                    await http.Response.Body.WriteAsync(buffer.AsMemory(0, n), http.RequestAborted).ConfigureAwait(false);
                    // Live video and events must reach the browser now, not when a buffer fills.
                    await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                // The viewer left.
            }
            catch (IOException) when (http.RequestAborted.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is AgentStalledException or HttpRequestException or IOException)
            {
                // The answer has begun, so no error can be sent any more: breaking the connection tells the browser the
                // stream did not end but broke (a player reconnects; a download is not mistaken for a whole file).
                http.Abort();
            }

            return Results.Empty;
        }
    }
}
