using System.Text.Json;
using GateWatch.Central.Agents;
using GateWatch.Central.Data;
using GateWatch.Central.Users;

namespace GateWatch.Central.Cameras;

/// <summary>The cameras the console knows, for every page that lets its user pick one.</summary>
internal static class CameraEndpoints
{
    /// <summary>A page waits for this list; an agent that has not answered by then is listed from what it sent before.</summary>
    private static readonly TimeSpan AskFor = TimeSpan.FromSeconds(5);

    private sealed record CameraEntry(string Agent, string AgentName, string Camera, string Name, bool Reachable);

    public static WebApplication MapCameras(this WebApplication app)
    {
        app.MapGet("/api/cameras", ListAsync).RequireAuthorization(SharedRights.SeeCameras);
        return app;
    }

    private static async Task<IResult> ListAsync(AgentRegistry registry, AgentClient agents, ConsoleDb db, CancellationToken ct)
    {
        var perAgent = await Task.WhenAll(registry.List().Select(a => AskAsync(a, agents, db, ct))).ConfigureAwait(false);
        return Results.Json(perAgent.SelectMany(x => x));
    }

    private static async Task<IReadOnlyList<CameraEntry>> AskAsync(AgentInfo agent, AgentClient agents, ConsoleDb db, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(AskFor);
        try
        {
            var health = await agents.GetJsonAsync(agent.Id, "api/health", timeout.Token).ConfigureAwait(false);
            return health.GetProperty("cameras").EnumerateArray()
                .Select(c => new CameraEntry(agent.Id, agent.Name, c.GetProperty("id").GetString()!, c.GetProperty("name").GetString() ?? c.GetProperty("id").GetString()!, true))
                .ToList();
        }
        catch (Exception e) when (e is AgentUnavailableException or AgentRequestException or JsonException or KeyNotFoundException or InvalidOperationException
                                  || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return Remembered(agent, db);
        }
    }

    /// <summary>The cameras an agent that does not answer listed or sent events from, so its footage can still be asked for.</summary>
    private static List<CameraEntry> Remembered(AgentInfo agent, ConsoleDb db) =>
        [.. AgentHealth.RememberedCameras(agent, db).Select(camera => new CameraEntry(agent.Id, agent.Name, camera.Id, camera.Name, false))];
}
