using System.Text.Json;
using System.Text.Json.Serialization;
using GateWatch.Agent.Crowd;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Events;
using GateWatch.Agent.Gate;

namespace GateWatch.Agent.Outbox;

/// <summary>
/// The fields of one event type, exactly as the console reads them from <see cref="AgentEvent.Data"/>: a record
/// per shape, so a renamed or missing field is a compile error here rather than a silent change on the wire.
/// </summary>
internal abstract record EventData;

internal sealed record CrossingData(string Line, string Direction, int TrackId, string Class) : EventData
{
    /// <summary>For vehicles on a camera that reads plates: what was read ("" when nothing was); absent for people.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PlateData? Plate { get; init; }

    /// <summary>Only on a camera with a barrier, for crossings of its line: whether the plate was allowed and the barrier opened.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BarrierData? Barrier { get; init; }
}

/// <summary>The barrier's decision: allowed by the allow list; opened when the relay said yes; why not, when not.</summary>
internal sealed record BarrierData(bool Allowed, bool Opened, string? Problem);

/// <summary>
/// A vehicle's plate: canonical text ("59-X1 234.56"), the vote's confidence 0..1, and the crop's file name, which
/// the agent serves at /api/plates/{camera}/{crop} (null when there is no crop: nothing read, or the disk was full).
/// </summary>
internal sealed record PlateData(string Text, double Confidence, string? Crop);

/// <summary>
/// For "crowd-start" and "crowd-end" alike: the console pairs them by zone and start time. <see cref="Peak"/> is the
/// most people counted in the zone so far; the density estimate of the zone at that moment (<see cref="Estimate"/>)
/// and its highest (<see cref="PeakEstimate"/>) are absent on a camera without estimates. <see cref="Counting"/> says
/// which the zone's count came from when the event was made: "tracks" or "density".
/// </summary>
internal sealed record CrowdData(string Zone, DateTimeOffset StartTime, int Peak) : EventData
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Estimate { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? PeakEstimate { get; init; }

    public string Counting { get; init; } = "tracks";
}

/// <summary>"zone-peak": a zone's most people in the minute from <see cref="Minute"/>, and its highest density estimate then.</summary>
internal sealed record ZonePeakData(string Zone, DateTimeOffset Minute, int Peak) : EventData
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Estimate { get; init; }
}

/// <summary>"camera-online" has nothing to say beyond its time: <c>{}</c>.</summary>
internal sealed record OnlineData : EventData;

internal sealed record OfflineData(string Reason) : EventData;

/// <summary>One event of a camera on its way into the outbox; the outbox adds the seq, id, agent and camera.</summary>
internal sealed record CameraEvent(string Type, DateTimeOffset Time, EventData Data)
{
    public static CameraEvent Online(DateTimeOffset at) => new("camera-online", at, new OnlineData());

    public static CameraEvent Offline(DateTimeOffset at, string reason) => new("camera-offline", at, new OfflineData(reason));

    /// <summary>What the outbox stores of a pipeline event; null for those only the live view shows (occupancy).</summary>
    public static CameraEvent? From(GateEvent e) => e switch
    {
        CrossingEvent { Crossing: var c } => Crossing(c, null),
        CrowdEvent { Change: CrowdChange.Raised, Episode: var ep } => new("crowd-start", ep.AlertTime, Crowd(ep)),
        CrowdEvent { Change: CrowdChange.Cleared, Episode: var ep } => new("crowd-end", ep.EndTime!.Value, Crowd(ep)),
        ZonePeakEvent p => new("zone-peak", p.Minute, new ZonePeakData(p.Zone, p.Minute, p.Peak) { Estimate = p.Estimate }),
        _ => null,
    };

    public static CameraEvent Crossing(Crossing c, PlateData? plate, BarrierData? barrier = null) => new("crossing", c.Time,
        new CrossingData(c.Line, c.Direction == Direction.In ? "in" : "out", c.TrackId, c.Class.Name()) { Plate = plate, Barrier = barrier });

    /// <summary>The data as the outbox takes it: always a JSON object.</summary>
    public JsonElement Json() => JsonSerializer.SerializeToElement(Data, Data.GetType(), CameraEventJson.Default);

    private static CrowdData Crowd(CrowdEpisode ep) => new(ep.Zone, ep.StartTime, ep.Peak)
    {
        Estimate = Round(ep.Estimate),
        PeakEstimate = Round(ep.PeakEstimate),
        Counting = ep.Dense ? "density" : "tracks",
    };

    /// <summary>A tenth of a person is as fine as an estimate means anything.</summary>
    private static double? Round(double? v) => v is { } x ? Math.Round(x, 1) : null;
}

/// <summary>
/// Footage retention must keep: a crowd episode with the camera's pre- and post-roll around it, so what led up
/// to the alert and what followed it survive however full the disk gets.
/// </summary>
internal sealed record Protection(DateTimeOffset From, DateTimeOffset To, string Reason)
{
    /// <summary>Null for events that protect nothing (crossings, occupancy).</summary>
    public static Protection? For(GateEvent e, TimeSpan preRoll, TimeSpan postRoll) => e switch
    {
        CrowdEvent { Change: CrowdChange.Raised, Episode: var ep } => new(ep.StartTime - preRoll, ep.AlertTime + postRoll, $"crowd in {ep.Zone}"),
        CrowdEvent { Change: CrowdChange.Cleared, Episode: var ep } => new(ep.StartTime - preRoll, ep.EndTime!.Value + postRoll, $"crowd in {ep.Zone}"),
        _ => null,
    };
}

/// <summary>
/// camelCase with no other option: the same text the agent wrote before the payloads were typed (anonymous
/// objects through the default serializer), so stored and delivered events keep their shape.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CrossingData))]
[JsonSerializable(typeof(PlateData))]
[JsonSerializable(typeof(BarrierData))]
[JsonSerializable(typeof(CrowdData))]
[JsonSerializable(typeof(ZonePeakData))]
[JsonSerializable(typeof(OnlineData))]
[JsonSerializable(typeof(OfflineData))]
internal sealed partial class CameraEventJson : JsonSerializerContext;
