using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GateWatch.Agent.Api;
using GateWatch.Agent.Ffmpeg;
using GateWatch.Shared.Tls;

namespace GateWatch.Agent.Service;

/// <summary>Why enrolment did not happen; the config file was left as it was.</summary>
internal sealed class EnrolmentRefusedException(string message) : Exception(message);

/// <summary>
/// Registers this agent with the console using the one-time code an admin made there: sends what the console needs
/// to reach the agent (its API address, key and own certificate's fingerprint) and writes the console link the
/// answer carries into agent.json. The file is edited in place, its owner, mode and comments kept, and only after
/// the edited text has been loaded as the agent would load it at start.
/// </summary>
internal static class ConsoleEnrolment
{
    /// <summary>The endpoint under the console's base address, which may be a folder behind a proxy.</summary>
    public static Uri Endpoint(Uri console) => new(console.AbsolutePath.EndsWith('/') ? console : new Uri(console + "/"), "api/agents/enrol");

    /// <summary>
    /// The address the console calls this agent at: given, or the config's listen address when that names one host
    /// (an agent listening on every interface cannot know which of its addresses the console reaches).
    /// </summary>
    public static Uri AgentUrl(AgentConfig config, string? given)
    {
        if (given is not null)
        {
            return Uri.TryCreate(given, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                ? url
                : throw new EnrolmentRefusedException($"--url: '{Redact.Url(given)}' is not an http(s) address such as https://10.0.0.5:8710");
        }

        var listen = new Uri(config.Listen);
        if (listen.Host is "0.0.0.0" or "[::]" or "::" or "*" or "+")
        {
            throw new EnrolmentRefusedException($"the agent listens on every address ({config.Listen}): say which one the console reaches it at with --url, e.g. {listen.Scheme}://10.0.0.5:{listen.Port}");
        }

        return new Uri(listen.GetLeftPart(UriPartial.Authority) + "/");
    }

    /// <returns>The agent's name as the console registered it.</returns>
    public static async Task<string> EnrolAsync(string configPath, Uri console, string code, string? agentUrl, HttpClient http, TextWriter notes, CancellationToken ct)
    {
        if (console.Scheme is not ("http" or "https"))
        {
            throw new EnrolmentRefusedException($"--console: '{Redact.Url(console.ToString())}' is not an http(s) address");
        }

        var config = AgentConfigLoader.Load(configPath);
        var text = await File.ReadAllTextAsync(config.File, ct).ConfigureAwait(false);
        if (config.Console is { } existing)
        {
            throw new EnrolmentRefusedException($"{config.File}: $.console: this agent already sends its events to {existing.Display}; remove that section first to enrol it again");
        }

        // Refused before the code is spent: a file the agent could not rewrite afterwards would lose the key.
        CheckWritable(config.File);
        var url = AgentUrl(config, agentUrl);
        // An agent's own certificate is pinned; one from the park's CA is trusted the way the CA is, and survives renewal.
        string? fingerprint = null;
        if (config.ServesTls && config.TlsCertificateFile is null)
        {
            using var certificate = AgentCertificate.For(config, TimeProvider.System);
            fingerprint = CertificatePin.Of(certificate);
        }

        if (console.Scheme == "http" && !console.IsLoopback)
        {
            await notes.WriteLineAsync($"warning: {Redact.Url(console.ToString())} is plain http: the code and the keys cross the network unencrypted").ConfigureAwait(false);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(Endpoint(console),
                new { code, agentId = config.AgentId, url = url.ToString(), apiKey = config.ApiKey, fingerprint }, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new EnrolmentRefusedException($"the console at {Redact.Url(console.ToString())} cannot be reached ({e.Message}); nothing was changed");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw new EnrolmentRefusedException($"the console refused the enrolment ({(int)response.StatusCode}): {Detail(body)}; nothing was changed");
            }

            using var answer = JsonDocument.Parse(body);
            var key = answer.RootElement.GetProperty("consoleKey").GetString()!;
            var name = answer.RootElement.GetProperty("name").GetString() ?? config.AgentId;
            var edited = WithConsole(text, console, key);
            // What the agent would refuse at start is not written; the message says what to put in by hand instead.
            try
            {
                AgentConfigLoader.Parse(edited, config.File);
                await WriteInPlaceAsync(config.File, text, edited).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AgentConfigException or IOException or UnauthorizedAccessException)
            {
                throw new EnrolmentRefusedException(
                    $"the console registered agent {config.AgentId}, but {config.File} could not be given its link ({e.Message}); "
                    + $"add this to it by hand, then start the agent: {ConsoleSection(console, key)}");
            }

            return name;
        }
    }

    /// <summary>The document with a console section as its first member, the rest byte for byte as it was.</summary>
    public static string WithConsole(string json, Uri console, string key)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new EnrolmentRefusedException("the config is not a JSON object");
        }

        var at = Encoding.UTF8.GetCharCount(bytes, 0, (int)reader.TokenStartIndex + 1);
        var empty = reader.Read() && reader.TokenType == JsonTokenType.EndObject;
        return json[..at] + "\n  " + ConsoleSection(console, key) + (empty ? "\n" : ",") + json[at..];
    }

    private static string ConsoleSection(Uri console, string key) =>
        "\"console\": " + JsonSerializer.Serialize(new { url = console.ToString(), key });

    private static void CheckWritable(string file)
    {
        try
        {
            using var _ = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EnrolmentRefusedException($"{file} cannot be written ({e.Message}): run enrol as a user who may edit the agent's config; nothing was changed");
        }
    }

    /// <summary>
    /// Rewrites the file's content without replacing the file, so its owner and mode (the service user's group may
    /// read it, nobody else) stay as the package made them; put back as it was if the write fails half way (a full disk).
    /// </summary>
    private static async Task WriteInPlaceAsync(string file, string before, string after)
    {
        try
        {
            await File.WriteAllTextAsync(file, after).ConfigureAwait(false);
        }
        catch (IOException)
        {
            await File.WriteAllTextAsync(file, before).ConfigureAwait(false);
            throw;
        }
    }

    private static string Detail(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? body : body;
        }
        catch (JsonException)
        {
            return body.Length > 200 ? body[..200] : body;
        }
    }
}
