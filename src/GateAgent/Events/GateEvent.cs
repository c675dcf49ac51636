using System.Text;
using System.Text.Json;
using GateWatch.Agent.Crowd;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;

namespace GateWatch.Agent.Events;

/// <summary>What the pipeline reports. Each carries the frame index and capture time it happened at.</summary>
internal abstract record GateEvent(long Frame, DateTimeOffset Time);

internal sealed record CrossingEvent(Crossing Crossing) : GateEvent(Crossing.Frame, Crossing.Time);

/// <summary>A crowd flag; <see cref="CrowdEpisode.EndFrame"/> is null while the crowd is still there.</summary>
internal sealed record CrowdEvent(CrowdEpisode Episode, CrowdChange Change)
    : GateEvent(Change == CrowdChange.Cleared ? Episode.EndFrame!.Value : Episode.AlertFrame,
        Change == CrowdChange.Cleared ? Episode.EndTime!.Value : Episode.AlertTime);

internal sealed record OccupancyEvent(string Zone, long FrameIndex, DateTimeOffset At, int Count) : GateEvent(FrameIndex, At);

/// <summary>The evaluation protocol's JSON Lines, field for field (see shared/eval/README.md).</summary>
internal static class EventJson
{
    public static string Crossing(Crossing c) => Write(w =>
    {
        w.WriteString("type", "crossing");
        w.WriteString("line", c.Line);
        w.WriteString("direction", c.Direction == Direction.In ? "in" : "out");
        w.WriteNumber("frame", c.Frame);
        w.WriteNumber("trackId", c.TrackId);
        w.WriteString("class", c.Class.Name());
    });

    public static string Crowd(CrowdEpisode e) => Write(w =>
    {
        w.WriteString("type", "crowd");
        w.WriteString("zone", e.Zone);
        w.WriteNumber("startFrame", e.StartFrame);
        w.WriteNumber("alertFrame", e.AlertFrame);
        w.WriteNumber("endFrame", e.EndFrame ?? e.AlertFrame);
        w.WriteNumber("peak", e.Peak);
        if (e.PeakEstimate is { } estimate)
        {
            w.WriteNumber("peakEstimate", Math.Round(estimate, 1));
        }
    });

    public static string Occupancy(OccupancyEvent o) => Write(w =>
    {
        w.WriteString("type", "occupancy");
        w.WriteString("zone", o.Zone);
        w.WriteNumber("frame", o.FrameIndex);
        w.WriteNumber("count", o.Count);
    });

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
