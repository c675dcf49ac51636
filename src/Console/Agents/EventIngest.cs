using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using GateWatch.Central.Data;
using Microsoft.Data.Sqlite;

namespace GateWatch.Central.Agents;

/// <summary>One event as an agent sends it (the agent's outbox wire format).</summary>
internal sealed record IncomingEvent(long Seq, string Id, string Agent, string Camera, string Type, DateTimeOffset Time, JsonElement Data);

/// <summary>What became of a batch: stored now, already stored before (replays), and refused with why.</summary>
internal sealed record IngestResult(int Stored, int Duplicates, IReadOnlyList<string> Rejected);

/// <summary>
/// A feature that keeps its own part of what agents send (plate reads do), checked with each event and stored in
/// the same transaction, so an event and what was made of it are stored together or not at all. Features plug in
/// here rather than the ingest knowing each of them.
/// </summary>
internal interface IEventHook
{
    /// <summary>Why <paramref name="e"/> cannot be stored, or null when this feature has nothing against it.</summary>
    string? Problem(IncomingEvent e);

    /// <summary>The events of one batch just stored (duplicates left out), inside the ingest's transaction.</summary>
    void Stored(SqliteConnection c, SqliteTransaction tx, string agent, IReadOnlyList<IncomingEvent> stored);
}

/// <summary>
/// Stores agents' events exactly once each. Agents deliver at least once, so the same event may come again
/// after a lost response; its id (the agent's idempotency key) is the primary key, and a second copy is
/// counted, not stored.
/// </summary>
internal sealed partial class EventIngest(ConsoleDb db, TimeProvider time, IEnumerable<IEventHook> hooks)
{
    public static readonly IReadOnlySet<string> Types = new HashSet<string>(StringComparer.Ordinal)
    {
        "crossing", "crowd-start", "crowd-end", "camera-offline", "camera-online", ZonePeak,
    };

    /// <summary>A zone's most people in a minute (and its highest density estimate): the statistics' crowd chart.</summary>
    public const string ZonePeak = "zone-peak";

    /// <summary>An event's own fields are small; anything bigger is not from an agent.</summary>
    private const int MaxDataBytes = 4096;

    /// <summary>Agents stamp events with their clock; a day ahead of ours is a broken clock or a forgery.</summary>
    private static readonly TimeSpan MaxClockAhead = TimeSpan.FromDays(1);

    [GeneratedRegex("^[A-Za-z0-9-]{8,64}$")]
    private static partial Regex EventId();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,39}$")]
    private static partial Regex CameraId();

    public IngestResult Store(string agent, IReadOnlyList<IncomingEvent> events)
    {
        var rejected = new List<string>();
        var stored = 0;
        var duplicates = 0;
        var now = time.GetUtcNow();
        using var c = db.Open();
        using var tx = c.BeginTransaction();
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO events (id, agent, seq, camera, type, time_ms, data, received_ms)
            VALUES ($id, $agent, $seq, $camera, $type, $time, $data, $now) ON CONFLICT (id) DO NOTHING
            """;
        var fresh = new List<IncomingEvent>();
        foreach (var e in events)
        {
            if ((Problem(agent, e, now) ?? hooks.Select(h => h.Problem(e)).FirstOrDefault(p => p is not null)) is { } why)
            {
                rejected.Add($"event {Safe(e?.Id)} (seq {e?.Seq}): {why}");
                continue;
            }

            cmd.Parameters.Clear();
            cmd.Parameters.AddWithValue("$id", e.Id);
            cmd.Parameters.AddWithValue("$agent", agent);
            cmd.Parameters.AddWithValue("$seq", e.Seq);
            cmd.Parameters.AddWithValue("$camera", e.Camera);
            cmd.Parameters.AddWithValue("$type", e.Type);
            cmd.Parameters.AddWithValue("$time", e.Time.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$data", e.Data.GetRawText());
            cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            if (cmd.ExecuteNonQuery() == 1)
            {
                stored++;
                fresh.Add(e);
            }
            else
            {
                duplicates++;
            }
        }

        foreach (var hook in hooks)
        {
            hook.Stored(c, tx, agent, fresh);
        }

        tx.Commit();
        return new IngestResult(stored, duplicates, rejected);
    }

    /// <summary>Why <paramref name="e"/> cannot be stored whatever the features say, or null; <paramref name="now"/> is the console's clock.</summary>
    internal static string? Problem(string agent, IncomingEvent? e, DateTimeOffset now)
    {
        // The list's items are not checked for null by the deserializer: "events": [null] reaches here.
        if (e is null)
        {
            return "it is null, not an event";
        }

        if (e.Id is null || !EventId().IsMatch(e.Id))
        {
            return "id must be 8-64 letters, digits or '-'";
        }

        if (e.Agent != agent)
        {
            return $"it names agent '{Safe(e.Agent)}', but the key is agent '{agent}''s";
        }

        if (e.Camera is null || !CameraId().IsMatch(e.Camera))
        {
            return "camera must be a camera id";
        }

        if (e.Type is null || !Types.Contains(e.Type))
        {
            return $"type '{Safe(e.Type)}' is unknown; known are {string.Join(", ", Types)}";
        }

        if (e.Time > now + MaxClockAhead || e.Time.Year < 2000)
        {
            return $"time {e.Time.ToString("O", CultureInfo.InvariantCulture)} is not a plausible time";
        }

        if (e.Data.ValueKind != JsonValueKind.Object || e.Data.GetRawText().Length > MaxDataBytes)
        {
            return $"data must be a JSON object of at most {MaxDataBytes} bytes";
        }

        if (!IsText(e.Data))
        {
            return "data holds a string that is not Unicode text (an unpaired surrogate escape such as \\ud800)";
        }

        return null;
    }

    /// <summary>
    /// Whether every name and string in <paramref name="data"/> can be read as text. JSON's \u escapes can spell
    /// half a surrogate pair; the parser keeps it, and reading it as a string later (the plate hook, the event
    /// pages) would throw rather than refuse.
    /// </summary>
    private static bool IsText(JsonElement data)
    {
        try
        {
            Walk(data);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static void Walk(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        _ = p.Name;
                        Walk(p.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                    {
                        Walk(item);
                    }

                    break;
                case JsonValueKind.String:
                    _ = e.GetString();
                    break;
            }
        }
    }

    /// <summary>Echoing an attacker's string back in full would make the response a reflection tool.</summary>
    private static string Safe(string? s) => s is null ? "(none)" : s.Length > 64 ? s[..64] + "..." : s;
}
