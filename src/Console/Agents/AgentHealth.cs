using System.Globalization;
using System.Text.Json;
using GateWatch.Central.Data;

namespace GateWatch.Central.Agents;

/// <summary>One agent's health as a page asked for it: its answer, or why there is none.</summary>
internal sealed record AgentHealthAnswer(AgentInfo Agent, JsonElement Health, string? Problem)
{
    public bool Reachable => Problem is null;
}

/// <summary>
/// Every registered agent's health, asked of all of them at once, for the pages that list cameras (the wall,
/// the admins' camera list). An agent that hangs costs the page a few seconds, never the other agents' cameras.
/// </summary>
internal static class AgentHealth
{
    /// <summary>
    /// An agent answers its health from memory in milliseconds, even across a site link; one that has not
    /// within 3 s is hung or cut off, and the wall (which asks again every few seconds) shows it as such
    /// rather than keep a guard looking at nothing.
    /// </summary>
    public static readonly TimeSpan AskFor = TimeSpan.FromSeconds(3);

    /// <summary>The answers in the registry's order. Throws <see cref="OperationCanceledException"/> only when <paramref name="ct"/> is cancelled.</summary>
    public static async Task<AgentHealthAnswer[]> AskAllAsync(AgentRegistry registry, AgentClient agents, TimeProvider time, CancellationToken ct) =>
        await Task.WhenAll(registry.List().Select(a => AskAsync(a, agents, time, ct))).ConfigureAwait(false);

    private static async Task<AgentHealthAnswer> AskAsync(AgentInfo agent, AgentClient agents, TimeProvider time, CancellationToken ct)
    {
        // On the console's clock, so that a test proves the agents are asked at once without timing the machine.
        using var limit = new CancellationTokenSource(AskFor, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        try
        {
            var health = await agents.GetJsonAsync(agent.Id, "api/health", timeout.Token).ConfigureAwait(false);
            return health.ValueKind == JsonValueKind.Object && health.TryGetProperty("cameras", out var cameras) && cameras.ValueKind == JsonValueKind.Array
                ? new AgentHealthAnswer(agent, health, null)
                : new AgentHealthAnswer(agent, default, "answered its health without a camera list");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new AgentHealthAnswer(agent, default, $"did not answer within {AskFor.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s");
        }
        catch (Exception e) when (e is AgentUnavailableException or AgentRequestException or JsonException)
        {
            return new AgentHealthAnswer(agent, default, e.Message);
        }
    }

    /// <summary>The cameras an agent that does not answer listed when it last did, and those it has sent events from (not the console's own events about the agent, camera ""), so its tiles can be shown, marked, where they were.</summary>
    public static List<RememberedCamera> RememberedCameras(AgentInfo agent, ConsoleDb db)
    {
        using var c = db.Open();
        using var listed = c.CreateCommand();
        listed.CommandText = "SELECT cameras FROM agents WHERE id = $agent";
        listed.Parameters.AddWithValue("$agent", agent.Id);
        var list = listed.ExecuteScalar() is string json ? JsonSerializer.Deserialize<List<RememberedCamera>>(json, JsonSerializerOptions.Web) ?? [] : [];
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT DISTINCT camera FROM events WHERE agent = $agent AND camera <> '' ORDER BY camera";
        cmd.Parameters.AddWithValue("$agent", agent.Id);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var camera = r.GetString(0);
            if (!list.Exists(k => k.Id == camera))
            {
                list.Add(new RememberedCamera(camera, camera));
            }
        }

        return list;
    }

    /// <summary>The cameras a health answer lists, or null when it lists none readable.</summary>
    public static List<RememberedCamera>? Cameras(JsonElement health)
    {
        try
        {
            // An id that is not a string (null included) makes the whole list unreadable rather than remembered as a camera without one.
            return [.. health.GetProperty("cameras").EnumerateArray().Select(c =>
            {
                var id = c.GetProperty("id").GetString() ?? throw new InvalidOperationException("a camera without an id");
                return new RememberedCamera(id, c.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() is { Length: > 0 } name ? name : id);
            })];
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}
