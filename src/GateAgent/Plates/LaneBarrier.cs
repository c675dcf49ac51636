using System.Diagnostics;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Outbox;

namespace GateWatch.Agent.Plates;

/// <summary>
/// A lane's barrier: which line's crossings (in which direction) may open it, the relay controller's HTTP
/// endpoint that opens it, and the file of plates allowed through. The line is the approach line before the
/// barrier, so the plate is read while the vehicle is still in front of it.
/// </summary>
internal sealed record BarrierConfig(IReadOnlySet<string> Lines, Direction? Direction, Uri Url, HttpMethod Method, string AllowListPath, int MaxEdits)
{
    /// <summary>The allow list is the console's (allowed vehicles and today's visitors), kept in step by <see cref="AllowListSync"/>.</summary>
    public bool FromConsole { get; init; }

    /// <summary>The relay's address as logs and events may show it: no user name or password.</summary>
    public string SafeUrl => new UriBuilder(Url) { UserName = "", Password = "" }.Uri.GetLeftPart(UriPartial.Path);

    /// <summary>
    /// By value, the lines as a set: a configuration read again must compare equal, or every reload of agent.json
    /// would restart the camera. (The userinfo counts: a changed relay password is a change.)
    /// </summary>
    public bool Equals(BarrierConfig? other) =>
        other is not null && Lines.SetEquals(other.Lines) && Direction == other.Direction && Url == other.Url
        && string.Equals(Url.UserInfo, other.Url.UserInfo, StringComparison.Ordinal) && Method == other.Method
        && string.Equals(AllowListPath, other.AllowListPath, StringComparison.Ordinal) && MaxEdits == other.MaxEdits && FromConsole == other.FromConsole;

    public override int GetHashCode() => HashCode.Combine(Lines.Count, Direction, Url, Method, AllowListPath, MaxEdits);

    /// <summary>Never the relay's password: a config is logged and shown in errors.</summary>
    public override string ToString() =>
        $"BarrierConfig {{ Lines = {string.Join(", ", Lines.Order(StringComparer.Ordinal))}, Direction = {Direction?.ToString() ?? "both"}, Url = {SafeUrl}, Method = {Method}, AllowList = {AllowListPath}, MaxEdits = {MaxEdits} }}";
}

/// <summary>
/// The plates allowed through a barrier, from a file a person (or the console) keeps: one plate per line, first
/// comma-separated field, '#' starts a comment. Read again whenever the file changes, so an edit applies to the
/// next vehicle without a restart; a file that cannot be read allows nobody (and says why), never everybody.
/// </summary>
internal sealed class AllowList(string path)
{
    private DateTime _stamp;
    private HashSet<string> _plates = [];

    /// <summary>Why the file could not be read the last time, or null.</summary>
    public string? Problem { get; private set; }

    public bool Allows(string plate, int maxEdits)
    {
        Refresh();
        var key = PlateMatch.Key(plate);
        return key.Length > 0 && (_plates.Contains(key) || (maxEdits > 0 && _plates.Any(p => PlateMatch.Distance(p, key) <= maxEdits)));
    }

    private void Refresh()
    {
        try
        {
            var stamp = File.GetLastWriteTimeUtc(path);
            if (stamp == _stamp && Problem is null)
            {
                return;
            }

            _plates = [.. File.ReadAllLines(path)
                .Select(l => l.Split('#', 2)[0].Split(',', 2)[0])
                .Select(PlateMatch.Key)
                .Where(k => k.Length > 0)];
            _stamp = stamp;
            Problem = File.Exists(path) ? null : $"{path}: no such file";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _plates = [];
            Problem = $"{path}: {e.Message}";
        }
    }
}

/// <summary>
/// Opens the barrier for an allowed vehicle: decides from the crossing and its plate, calls the relay controller,
/// and says what happened in the crossing's event. The call has a short timeout and runs on the plate stage, so
/// a relay that does not answer costs that vehicle's barrier, never recording or counting.
/// </summary>
internal sealed partial class LaneBarrier(BarrierConfig config, HttpClient http, ILogger log)
{
    /// <summary>A relay answers in milliseconds; three seconds is a dead one, and the guard opens by hand.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(3);

    /// <summary>One client for every barrier of the agent: connections to a relay are reused between vehicles.</summary>
    public static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };

    private readonly AllowList _allowed = new(config.AllowListPath);

    /// <summary>Null when this crossing is not for the barrier (another line, the other way, not a vehicle with a plate field).</summary>
    public async Task<BarrierData?> DecideAsync(Crossing crossing, PlateData plate, CancellationToken ct)
    {
        if (!config.Lines.Contains(crossing.Line) || (config.Direction is { } d && d != crossing.Direction))
        {
            return null;
        }

        if (plate.Text.Length == 0 || !_allowed.Allows(plate.Text, config.MaxEdits))
        {
            Log.NotAllowed(log, crossing.TrackId, plate.Text.Length == 0 ? "no plate read" : plate.Text, _allowed.Problem ?? "not on the allow list");
            return new BarrierData(Allowed: false, Opened: false, _allowed.Problem);
        }

        var clock = Stopwatch.StartNew();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(CallTimeout);
            using var request = new HttpRequestMessage(config.Method, config.SafeUrl);
            if (config.Url.UserInfo.Length > 0)
            {
                // Relay controllers take HTTP Basic; HttpClient does not send the URL's user and password by itself.
                var token = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(config.Url.UserInfo)));
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", token);
            }

            using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                Log.Opened(log, plate.Text, config.SafeUrl, (int)response.StatusCode, clock.ElapsedMilliseconds);
                return new BarrierData(Allowed: true, Opened: true, null);
            }

            var why = $"the relay at {config.SafeUrl} answered {(int)response.StatusCode} {response.ReasonPhrase}";
            Log.Failed(log, plate.Text, why);
            return new BarrierData(Allowed: true, Opened: false, why);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            var why = e is OperationCanceledException
                ? $"the relay at {config.SafeUrl} did not answer within {CallTimeout.TotalSeconds:0} s"
                : $"the relay at {config.SafeUrl} could not be reached ({e.Message})";
            Log.Failed(log, plate.Text, why);
            return new BarrierData(Allowed: true, Opened: false, why);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "barrier stays closed for track {TrackId} ({Plate}): {Why}")]
        public static partial void NotAllowed(ILogger log, int trackId, string plate, string why);

        [LoggerMessage(Level = LogLevel.Information, Message = "barrier opened for {Plate}: {Url} answered {Status} in {Ms} ms")]
        public static partial void Opened(ILogger log, string plate, string url, int status, long ms);

        [LoggerMessage(Level = LogLevel.Error, Message = "barrier NOT opened for allowed plate {Plate}: {Why}")]
        public static partial void Failed(ILogger log, string plate, string why);
    }
}
