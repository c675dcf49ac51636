using System.Text;
using GateWatch.Central.Agents;
using GateWatch.Central.Data;

namespace GateWatch.Central.Plates;

/// <summary>
/// What an agent's barriers may open for today: the allowed vehicles valid on the gates' day and today's expected
/// visitors, less anything on the watchlist. Agents fetch it with their own key and keep the last copy, so a
/// barrier goes on opening for staff while the link to the centre is down.
/// </summary>
internal static class BarrierListEndpoint
{
    public static WebApplication MapBarrierList(this WebApplication app)
    {
        // Agents present their own key, not a user's cookie.
        app.MapGet("/api/agents/plates/barrier", Get).AllowAnonymous();
        return app;
    }

    private static IResult Get(string? agent, HttpContext http, AgentRegistry agents, ConsoleDb db, TimeProvider time)
    {
        var auth = http.Request.Headers.Authorization.ToString();
        var key = auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth[7..].Trim() : null;
        if (key is null || agent is null)
        {
            return Results.Problem(statusCode: 401, detail: "send ?agent=ID and the agent's console key as 'Authorization: Bearer <key>'");
        }

        if (!agents.Authenticate(agent, key))
        {
            return Results.Problem(statusCode: 401, detail: "wrong or unknown key for this agent");
        }

        using var c = db.Open();
        var lists = PlateLists.Snapshot(c, null);
        var settings = PlateConfig.Settings(c, null);
        var now = time.GetUtcNow();
        return Results.Text(Text(lists, settings.DayAt(now), now), "text/plain; charset=utf-8");
    }

    /// <summary>One plate per line, then its kind; '#' lines say what it is. The agent's allow list format.</summary>
    public static string Text(ListSnapshot lists, DateOnly day, DateTimeOffset now)
    {
        var denied = lists.Denied.Select(d => d.Plate).ToHashSet(StringComparer.Ordinal);
        var text = new StringBuilder();
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"# GateWatch console, {now:O}: allowed vehicles valid on {day:yyyy-MM-dd} and that day's visitors, watchlist removed\n");
        foreach (var (entry, kind) in lists.Allowed.Select(a => (a, "allowed")).Concat(lists.Visitors.Select(v => (v, "visitor"))))
        {
            if (entry.ValidOn(day) && !denied.Contains(entry.Plate))
            {
                text.Append(entry.Text).Append(',').Append(kind).Append('\n');
            }
        }

        return text.ToString();
    }
}
