using System.Text.Json;
using System.Text.Json.Serialization;

namespace GateWatch.Agent.Outbox;

/// <summary>
/// One event as the outbox stores it and the console receives it.
/// <see cref="Seq"/> is this agent's own increasing number (a reader's cursor, never reused);
/// <see cref="Id"/> is globally unique and is the idempotency key the console stores once.
/// </summary>
/// <param name="Type">"crossing", "crowd-start", "crowd-end", "camera-offline", "camera-online", ...</param>
/// <param name="Time">When it happened, UTC, to the millisecond.</param>
/// <param name="Data">The type's own fields, always a JSON object.</param>
internal sealed record AgentEvent(long Seq, string Id, string Agent, string Camera, string Type, DateTimeOffset Time, JsonElement Data);

/// <summary>The body of one delivery to the console: <c>{"agent":"...","events":[...]}</c>.</summary>
internal sealed record AgentEventBatch(string Agent, IReadOnlyList<AgentEvent> Events);

/// <summary>
/// The one wire shape for events (camelCase, times as ISO 8601 with offset), shared by delivery and the
/// local API so an event reads the same wherever it is fetched from.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AgentEvent))]
[JsonSerializable(typeof(IReadOnlyList<AgentEvent>))]
[JsonSerializable(typeof(List<AgentEvent>))]
[JsonSerializable(typeof(AgentEventBatch))]
internal sealed partial class AgentEventJson : JsonSerializerContext;
