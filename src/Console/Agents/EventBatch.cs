using System.Text.Json;
using System.Text.Unicode;

namespace GateWatch.Central.Agents;

/// <summary>
/// The body agents POST to /api/agents/events, read apart from the endpoint so that what anyone on the network
/// may send can be checked (and fuzzed) without a web host or a database.
/// </summary>
internal static class EventBatch
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Body(string? Agent, List<IncomingEvent>? Events);

    /// <summary>Why <paramref name="body"/> is not an event batch (the 400's detail), or null with its agent and events.</summary>
    public static string? Read(ReadOnlySpan<byte> body, out string agent, out IReadOnlyList<IncomingEvent> events)
    {
        agent = "";
        events = [];
        // The deserializer keeps an event's data as raw bytes and does not check that they are UTF-8; invalid bytes
        // would surface later, when the data is read as text, as an exception rather than a refusal.
        if (!Utf8.IsValid(body))
        {
            return "the body is not UTF-8 text";
        }

        Body? batch;
        try
        {
            batch = JsonSerializer.Deserialize<Body>(body, Json);
        }
        catch (JsonException e)
        {
            return $"the body is not an event batch: {e.Message.Split(" Path:", 2)[0]} at {e.Path}";
        }

        if (batch?.Agent is not { } a || batch.Events is not { } list)
        {
            return "send {\"agent\": \"...\", \"events\": [...]}";
        }

        agent = a;
        events = list;
        return null;
    }
}
