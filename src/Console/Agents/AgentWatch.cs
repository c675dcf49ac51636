using System.Globalization;
using System.Text.Json;
using GateWatch.Central.Data;

namespace GateWatch.Central.Agents;

/// <summary>What one check found: agents that just went silent and agents that just came back.</summary>
internal sealed record WatchResult(IReadOnlyList<string> Lost, IReadOnlyList<string> Back);

/// <summary>
/// Notices a gate box that has gone silent as a whole (power cut, crash, link cut): an agent sends nothing when it
/// is dead, so silence is all there is to see. Every <see cref="CheckEvery"/> the console asks every agent's
/// health; an agent that has neither answered nor delivered events for <see cref="Silence"/> gets an
/// <c>agent-unreachable</c> alert, and an <c>agent-reachable</c> event when it is heard again (an answer or a
/// delivery), which clears it.
/// Both are the console's own events (camera ""), stored beside the agents' events so the timeline shows the
/// span between them. Only agents that were heard at least once are watched: one registered for a box not yet
/// installed is not an outage.
/// </summary>
internal sealed partial class AgentWatch(AgentRegistry registry, AgentClient agents, ConsoleDb db, TimeProvider time, ILogger<AgentWatch> log)
    : IHostedService, IDisposable
{
    public const string Unreachable = "agent-unreachable";
    public const string Reachable = "agent-reachable";
    public const string RecordingStopped = "recording-stopped";
    public const string RecordingResumed = "recording-resumed";

    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The guard must hear of a dead gate within 30 s: silence of 20 s, found at the next check (up to
    /// <see cref="CheckEvery"/> later) whose asks take up to <see cref="AgentHealth.AskFor"/>, is 28 s at worst.
    /// Shorter would alert on an agent that merely restarted (it is back in about 10 s).
    /// </summary>
    public static readonly TimeSpan Silence = TimeSpan.FromSeconds(20);

    /// <summary>
    /// A camera whose video arrives but whose footage has not been finished for this long past one segment is not
    /// being recorded (a full disk, a failing recorder): the same 20 s a silent agent gets, on top of the segment the
    /// recorder is still writing. Its camera-offline alert does not cover it, since the camera is online.
    /// </summary>
    public static readonly TimeSpan RecordingSilence = Silence;

    /// <summary>The agent's default segment length, for an agent that does not say its camera's.</summary>
    private const double DefaultSegmentSeconds = 10;

    // (agent, camera) -> the open recording-stopped alert's id.
    private readonly Dictionary<(string Agent, string Camera), string> _notRecording = [];

    // Agent id -> the open alert's event id, since when the agent was silent, and when the alert was raised. Only the check touches it, and
    // checks never overlap (the timer is re-armed after each one).
    private readonly Dictionary<string, (string AlertId, DateTimeOffset Since, DateTimeOffset AlertTime)> _lost = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private Task? _tick;
    private int _checks;

    /// <summary>Timer checks completed (and the next one armed) since start: a test moving a fake clock waits on it rather than on time.</summary>
    public int Checks => Volatile.Read(ref _checks);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A console restarted during an outage keeps it open rather than forget it, so the return still clears it.
        foreach (var (agent, alert, since, raised) in OpenOutages())
        {
            _lost[agent] = (alert, since, raised);
        }

        foreach (var (agent, camera, alert) in OpenRecordingStops())
        {
            _notRecording[(agent, camera)] = alert;
        }

        // One-shot, re-armed after each check: a fake clock moved by days in a test runs one check, not 17 000.
        _timer = time.CreateTimer(_ => Volatile.Write(ref _tick, TickAsync()), null, CheckEvery, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        await _stopping.CancelAsync().ConfigureAwait(false);
        // A check under way may be between its asks and its writes: the host is stopped only once it is done, so
        // nothing writes to the database after the console has stopped (a backup or a test deleting the folder).
        if (Volatile.Read(ref _tick) is { } tick)
        {
            await tick.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _stopping.Dispose();
    }

    private async Task TickAsync()
    {
        try
        {
            await CheckAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException)
        {
            // The next check tries again; an exception escaping a timer's callback would end the console.
            Log.CheckFailed(log, e.Message);
        }

        if (!_stopping.IsCancellationRequested)
        {
            try
            {
                _timer?.Change(CheckEvery, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // stopped while checking
            }
        }

        // Counted only once the next check is armed: a test that moves a fake clock as soon as it sees the count
        // would otherwise move it before the re-arm, and the next check would wait for a minute that never passes.
        Interlocked.Increment(ref _checks);
    }

    /// <summary>Asks every agent once and raises or clears alerts; public so a test can run a check at a moment it chooses.</summary>
    public async Task<WatchResult> CheckAsync(CancellationToken ct)
    {
        var answers = await AgentHealth.AskAllAsync(registry, agents, time, ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var lost = new List<string>();
        var back = new List<string>();
        foreach (var answer in answers)
        {
            var id = answer.Agent.Id;
            // A delivery counts as a sign of life too: an agent behind a one-way link still sends its events.
            var heard = answer.Reachable ? now : answer.Agent.LastSeen;
            if (answer.Reachable)
            {
                registry.Seen(id, AgentHealth.Cameras(answer.Health));
                CheckRecording(id, answer.Health, now);
            }

            if (heard is { } h && _lost.TryGetValue(id, out var open) && h >= open.AlertTime)
            {
                _lost.Remove(id);
                Store(id, Reachable, now, new { unreachable = open.AlertId, since = open.Since, seconds = Math.Round((now - open.Since).TotalSeconds) });
                Log.Back(log, id, (now - open.Since).TotalSeconds);
                back.Add(id);
                continue;
            }

            if (answer.Reachable)
            {
                continue;
            }

            if (heard is not { } last || now - last < Silence || _lost.ContainsKey(id))
            {
                continue;
            }

            var alertId = Store(id, Unreachable, now, new { problem = answer.Problem, lastSeen = last });
            // Compared with last_seen, which is stored to the millisecond.
            _lost[id] = (alertId, last, DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()));
            Log.Lost(log, id, (now - last).TotalSeconds, answer.Problem ?? "");
            lost.Add(id);
        }

        return new WatchResult(lost, back);
    }

    /// <summary>
    /// Raises recording-stopped for an online camera whose newest finished segment is older than one segment plus
    /// <see cref="RecordingSilence"/>, by the agent's own lag (its clock may differ from ours), and recording-resumed
    /// once a segment is finished again. A camera with no segment yet in this agent run says no lag and is left alone.
    /// </summary>
    private void CheckRecording(string agent, JsonElement health, DateTimeOffset now)
    {
        var agentNow = health.TryGetProperty("time", out var t) && t.TryGetDateTimeOffset(out var at) ? at : (DateTimeOffset?)null;
        foreach (var camera in health.GetProperty("cameras").EnumerateArray())
        {
            if (camera.ValueKind != JsonValueKind.Object || !camera.TryGetProperty("id", out var idElement) || idElement.GetString() is not { Length: > 0 } cameraId)
            {
                continue;
            }

            var online = camera.TryGetProperty("state", out var state) && state.GetString() == "online";
            var lag = camera.TryGetProperty("recordingLagSeconds", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetDouble() : (double?)null;
            var segment = camera.TryGetProperty("segmentSeconds", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : DefaultSegmentSeconds;
            var limit = segment + RecordingSilence.TotalSeconds;
            var key = (agent, cameraId);
            if (_notRecording.TryGetValue(key, out var open))
            {
                if (lag is { } back && back <= limit)
                {
                    _notRecording.Remove(key);
                    Store(agent, RecordingResumed, now, new { stopped = open }, cameraId);
                    Log.RecordingBack(log, agent, cameraId);
                }

                continue;
            }

            // A camera just back online has its own alert behind it and a recorder still writing its first segment:
            // only the time since it came back counts (both times by the agent's clock).
            var onlineFor = agentNow is { } n && camera.TryGetProperty("since", out var sinceElement) && sinceElement.TryGetDateTimeOffset(out var since)
                ? (n - since).TotalSeconds : double.MaxValue;
            if (online && lag is { } behind && Math.Min(behind, onlineFor) > limit)
            {
                var lastError = camera.TryGetProperty("lastError", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                _notRecording[key] = Store(agent, RecordingStopped, now, new { lagSeconds = behind, problem = lastError }, cameraId);
                Log.NotRecording(log, agent, cameraId, behind, lastError ?? "");
            }
        }
    }

    private string Store(string agent, string type, DateTimeOffset now, object data, string camera = "")
    {
        var ms = now.ToUnixTimeMilliseconds();
        var id = camera.Length == 0
            ? $"console-{agent}-{type}-{ms.ToString(CultureInfo.InvariantCulture)}"
            : $"console-{agent}-{camera}-{type}-{ms.ToString(CultureInfo.InvariantCulture)}";
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO events (id, agent, seq, camera, type, time_ms, data, received_ms)
            VALUES ($id, $agent, 0, $camera, $type, $time, $data, $time) ON CONFLICT (id) DO NOTHING
            """;
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$agent", agent);
        cmd.Parameters.AddWithValue("$camera", camera);
        cmd.Parameters.AddWithValue("$type", type);
        cmd.Parameters.AddWithValue("$time", ms);
        cmd.Parameters.AddWithValue("$data", JsonSerializer.Serialize(data, JsonSerializerOptions.Web));
        cmd.ExecuteNonQuery();
        return id;
    }

    /// <summary>Agents whose newest watch event is an unreachable one.</summary>
    private List<(string Agent, string AlertId, DateTimeOffset Since, DateTimeOffset Raised)> OpenOutages()
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"""
            SELECT e.agent, e.id, e.data, e.time_ms FROM events e
            WHERE e.type = '{Unreachable}' AND e.camera = ''
              AND e.time_ms = (SELECT MAX(x.time_ms) FROM events x WHERE x.agent = e.agent AND x.camera = '' AND x.type IN ('{Unreachable}', '{Reachable}'))
            """;
        using var r = cmd.ExecuteReader();
        var list = new List<(string, string, DateTimeOffset, DateTimeOffset)>();
        while (r.Read())
        {
            using var data = JsonDocument.Parse(r.GetString(2));
            var since = data.RootElement.TryGetProperty("lastSeen", out var s) && s.TryGetDateTimeOffset(out var t) ? t : time.GetUtcNow();
            list.Add((r.GetString(0), r.GetString(1), since, DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3))));
        }

        return list;
    }

    /// <summary>Cameras whose newest recording event is a stop: a console restarted meanwhile still clears it.</summary>
    private List<(string Agent, string Camera, string AlertId)> OpenRecordingStops()
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"""
            SELECT e.agent, e.camera, e.id FROM events e
            WHERE e.type = '{RecordingStopped}' AND e.id LIKE 'console-%'
              AND e.time_ms = (SELECT MAX(x.time_ms) FROM events x WHERE x.agent = e.agent AND x.camera = e.camera
                               AND x.type IN ('{RecordingStopped}', '{RecordingResumed}') AND x.id LIKE 'console-%')
            """;
        using var r = cmd.ExecuteReader();
        var list = new List<(string, string, string)>();
        while (r.Read())
        {
            list.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        }

        return list;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "agent {Agent} camera {Camera} not recording: newest footage {Seconds:0} s old ({Problem})")]
        public static partial void NotRecording(ILogger log, string agent, string camera, double seconds, string problem);

        [LoggerMessage(Level = LogLevel.Information, Message = "agent {Agent} camera {Camera} recording again")]
        public static partial void RecordingBack(ILogger log, string agent, string camera);

        [LoggerMessage(Level = LogLevel.Warning, Message = "agent {Agent} unreachable: nothing heard for {Seconds:0} s ({Problem})")]
        public static partial void Lost(ILogger log, string agent, double seconds, string problem);

        [LoggerMessage(Level = LogLevel.Information, Message = "agent {Agent} answers again after {Seconds:0} s")]
        public static partial void Back(ILogger log, string agent, double seconds);

        [LoggerMessage(Level = LogLevel.Warning, Message = "agent watch check failed, trying again: {Why}")]
        public static partial void CheckFailed(ILogger log, string why);
    }
}
