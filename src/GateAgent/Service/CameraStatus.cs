using GateWatch.Agent.Pipeline;

namespace GateWatch.Agent.Service;

internal enum CameraState
{
    Starting,
    Online,
    Offline,
}

/// <summary>What the health endpoint reports of one camera; a copy, safe to serialise while the camera runs on.</summary>
internal sealed record CameraHealth(
    string Id,
    string Name,
    string State,
    DateTimeOffset Since,
    string? LastError,
    long Reconnects,
    bool Recording,
    long SegmentsThisRun,
    long BytesThisRun,
    DateTimeOffset? LastSegmentEnd,
    double? RecordingLagSeconds,
    bool Analysing,
    double AnalysedFps,
    long AnalysedFrames,
    long DroppedFrames,
    double AnalysisLagMs,
    double DetectMs,
    IReadOnlyDictionary<string, int> ZoneCounts,
    IReadOnlyDictionary<string, LineCount> LineCounts)

{
    /// <summary>Bytes of this camera's footage on disk, from the index.</summary>
    public long StoredBytes { get; init; }

    /// <summary>The gate spec's file name (no folder); null for a camera that records only.</summary>
    public string? Gate { get; init; }

    /// <summary>
    /// The configured segment length: how old the newest finished footage (RecordingLagSeconds) may normally get,
    /// so the console can tell a camera that is not being recorded from one whose segment is still being written.
    /// </summary>
    public double SegmentSeconds { get; init; }
}

internal sealed record LineCount(int In, int Out);

/// <summary>
/// Live figures of one camera, written by its recorder, analysis and watchdog tasks. One lock: updates are a
/// few per second, and a consistent snapshot matters more than contention that never happens.
/// </summary>
internal sealed class CameraStatus(string id, string name, DateTimeOffset started, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Weight of the newest frame in the smoothed rates: about the last 10 frames count.</summary>
    private const double Smoothing = 0.1;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LineCount> _lines = new(StringComparer.Ordinal);
    private HashSet<string> _zoneIds = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, int> _zones = new Dictionary<string, int>();
    private CameraState _state = CameraState.Starting;
    private DateTimeOffset _since = started;
    private string? _lastError;
    private long _reconnects;
    private bool _recording;
    private long _segments;
    private long _bytes;
    private DateTimeOffset? _lastSegmentEnd;
    private TimeSpan _lagAtLastSegment;
    private long _lastSegmentAt;
    private bool _analysing;
    private double _fps;
    private long _frames;
    private long _dropped;
    private double _lagMs;
    private double _detectMs;
    private DateTimeOffset? _lastFrameAt;

    public CameraState State
    {
        get { lock (_gate) { return _state; } }
    }

    public DateTimeOffset Since
    {
        get { lock (_gate) { return _since; } }
    }

    public DateTimeOffset? LastFrameAt
    {
        get { lock (_gate) { return _lastFrameAt; } }
    }

    public string? LastError
    {
        get { lock (_gate) { return _lastError; } }
    }

    public void SetState(CameraState state, DateTimeOffset at)
    {
        lock (_gate)
        {
            _state = state;
            _since = at;
        }
    }

    public void Failed(string error)
    {
        lock (_gate)
        {
            _lastError = error;
            _reconnects++;
        }
    }

    public void Recording(bool on)
    {
        lock (_gate)
        {
            _recording = on;
            if (on)
            {
                _segments = 0;
                _bytes = 0;
            }
        }
    }

    public void Recorded(long segments, long bytes, DateTimeOffset? lastEnd)
    {
        lock (_gate)
        {
            _segments = segments;
            _bytes = bytes;
            if (lastEnd is { } end && end != _lastSegmentEnd)
            {
                // The lag is carried on the monotonic clock from here: a step of the wall clock (NTP, a fixed RTC) would
                // otherwise make footage look minutes old, or newer than it is, and the console alert on a recording
                // that is fine.
                _lagAtLastSegment = _clock.GetUtcNow() - end;
                _lastSegmentAt = _clock.GetTimestamp();
            }

            _lastSegmentEnd = lastEnd ?? _lastSegmentEnd;
        }
    }

    /// <summary>
    /// The lines and zones counted from now on: every line is listed (at 0 until someone crosses it), a line kept
    /// by an edit keeps its counts, a removed line or zone drops out. Frames of the analysis being replaced
    /// may still arrive for a moment; their crossings of removed lines and their removed zones are ignored.
    /// </summary>
    public void UseGate(Gate.GateSpec? spec)
    {
        lock (_gate)
        {
            var lines = spec?.Lines.Select(l => l.Id).ToHashSet(StringComparer.Ordinal) ?? [];
            foreach (var gone in _lines.Keys.Where(k => !lines.Contains(k)).ToList())
            {
                _lines.Remove(gone);
            }

            foreach (var id in lines)
            {
                _lines.TryAdd(id, new LineCount(0, 0));
            }

            _zoneIds = spec?.Zones.Select(z => z.Id).ToHashSet(StringComparer.Ordinal) ?? [];
            _zones = _zoneIds.ToDictionary(z => z, z => _zones.GetValueOrDefault(z), StringComparer.Ordinal);
        }
    }

    public void Analysing(bool on)
    {
        lock (_gate)
        {
            _analysing = on;
        }
    }

    public void Dropped()
    {
        lock (_gate)
        {
            _dropped++;
        }
    }

    public void Analysed(FrameAnalysis a, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_lastFrameAt is { } last && a.Time > last)
            {
                var fps = 1 / (a.Time - last).TotalSeconds;
                _fps = _frames < 2 ? fps : _fps + (Smoothing * (fps - _fps));
            }

            _frames++;
            _lastFrameAt = a.Time;
            _lagMs += Smoothing * ((now - a.Time).TotalMilliseconds - _lagMs);
            if (a.Detected)
            {
                _detectMs += Smoothing * (a.Times.Detect - _detectMs);
            }

            _zones = a.ZoneCounts.Where(z => _zoneIds.Contains(z.Key)).ToDictionary(StringComparer.Ordinal);
            foreach (var e in a.Events)
            {
                if (e is Events.CrossingEvent { Crossing: var c } && _lines.ContainsKey(c.Line))
                {
                    var n = _lines.GetValueOrDefault(c.Line, new LineCount(0, 0));
                    _lines[c.Line] = c.Direction == Gate.Direction.In ? n with { In = n.In + 1 } : n with { Out = n.Out + 1 };
                }
            }
        }
    }

    public CameraHealth Snapshot()
    {
        lock (_gate)
        {
            return new CameraHealth(
                id, name, _state.ToString().ToLowerInvariant(), _since, _lastError, _reconnects,
                _recording, _segments, _bytes, _lastSegmentEnd,
                _lastSegmentEnd is not null ? Math.Round((_lagAtLastSegment + _clock.GetElapsedTime(_lastSegmentAt)).TotalSeconds, 1) : null,
                _analysing, Math.Round(_fps, 2), _frames, _dropped, Math.Round(_lagMs, 1), Math.Round(_detectMs, 1),
                new Dictionary<string, int>(_zones), new Dictionary<string, LineCount>(_lines));
        }
    }
}
