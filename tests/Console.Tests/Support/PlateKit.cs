using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Data;

namespace GateWatch.Central.Tests.Support;

/// <summary>What the plate tests do again and again: list entries and policies set through the API, reads looked at in the database.</summary>
internal static class PlateKit
{
    public static async Task<JsonElement> AddAsync(HttpClient admin, string list, object entry)
    {
        var r = await admin.PostAsJsonAsync($"api/plates/lists/{list}", entry);
        Assert.True(r.StatusCode == HttpStatusCode.Created, $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task SetPolicyAsync(HttpClient admin, string agent, string camera, string policy)
    {
        var r = await admin.PutAsJsonAsync($"api/plates/policies/{agent}/{camera}", new { policy });
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    /// <summary>Every read as "event-id text status alert", oldest first.</summary>
    public static List<string> Reads(ConsoleDb db)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT event_id, text, status, COALESCE(alert, '-') FROM plate_reads ORDER BY time_ms, event_id";
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read())
        {
            list.Add($"{r.GetString(0)} {r.GetString(1)} {r.GetString(2)} {r.GetString(3)}");
        }

        return list;
    }

    /// <summary>An ISO time <paramref name="minutes"/> from the console's clock.</summary>
    public static string At(TestConsole console, double minutes) =>
        console.Time.GetUtcNow().AddMinutes(minutes).ToString("O", CultureInfo.InvariantCulture);
}
