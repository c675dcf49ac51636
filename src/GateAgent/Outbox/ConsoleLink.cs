using GateWatch.Agent.Ffmpeg;

namespace GateWatch.Agent.Outbox;

/// <summary>Where the central console is (its base URL) and the key this agent presents to it.</summary>
internal sealed record ConsoleLink(Uri Url, string Key)
{
    /// <summary>
    /// The batch endpoint under <see cref="Url"/>. A base without a trailing slash is treated as a folder,
    /// so <c>https://host/console</c> posts to <c>https://host/console/api/agents/events</c> rather than
    /// replacing its last segment.
    /// </summary>
    public Uri EventsEndpoint => new(Url.AbsolutePath.EndsWith('/') ? Url : new Uri(Url + "/"), "api/agents/events");

    /// <summary>The URL as logs may show it: no key, no user info.</summary>
    public string Display => Redact.Url(Url.ToString());

    // The generated ToString would print the key into any log that formats this record.
    public override string ToString() => $"ConsoleLink {{ Url = {Display} }}";
}
