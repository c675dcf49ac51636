using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Pipeline;
using GateWatch.Agent.Plates;
using GateWatch.Agent.Record;

namespace GateWatch.Agent.Service;

/// <summary>
/// The running cameras. A new configuration is applied camera by camera: cameras that disappeared or
/// changed are stopped, new or changed ones started, and the rest keep recording without a hiccup.
/// </summary>
internal sealed partial class CameraSet(
    AgentConfig config, SegmentIndex index, EventOutbox outbox, TimeProvider time, ILoggerFactory logs) : IHostedService, IAsyncDisposable
{
    private readonly SemaphoreSlim _applying = new(1, 1);
    private readonly ILogger _log = logs.CreateLogger("GateWatch.Agent.Cameras");
    private readonly Lock _gate = new();

    /// <summary>Frames analysed at once across all cameras: one per core, so detectors never outnumber the cores.</summary>
    private readonly SemaphoreSlim _analysisSlots = new(Environment.ProcessorCount, Environment.ProcessorCount);
    private Dictionary<string, CameraSupervisor> _cameras = new(StringComparer.Ordinal);
    private byte[]? _model;
    private PlateReader? _plates;
    private bool _platesTried;
    private Crowd.DensityCounter? _density;
    private bool _densityTried;

    public AgentConfig Config { get; private set; } = config;

    public IReadOnlyList<CameraSupervisor> All
    {
        get { lock (_gate) { return [.. _cameras.Values.OrderBy(c => c.Camera.Id, StringComparer.Ordinal)]; } }
    }

    public CameraSupervisor? Find(string id)
    {
        lock (_gate)
        {
            return _cameras.GetValueOrDefault(id);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var pid in await OrphanRecorders.StopAsync(Config.RecordingsDir, TimeSpan.FromSeconds(5)).ConfigureAwait(false))
        {
            Log.OrphanStopped(_log, pid);
        }

        await ApplyAsync(Config).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<CameraSupervisor> running;
        lock (_gate)
        {
            running = [.. _cameras.Values];
            _cameras = new(StringComparer.Ordinal);
        }

        // Cameras stop in parallel so each recorder gets its full grace to close its segment.
        await Task.WhenAll(running.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
    }

    /// <summary>Brings the running cameras in line with <paramref name="next"/>; agent-wide settings need a restart.</summary>
    public async Task ApplyAsync(AgentConfig next)
    {
        await _applying.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_model is null && next.Cameras.Any(c => c.Gate is not null))
            {
                _model = ModelFile.LoadVerified(ModelFile.DefaultPath);
            }

            if (!_platesTried && next.Cameras.Any(c => c.Gate is not null && c.Plates is not null))
            {
                // Tried once: a missing plate model is said once, and the cameras count and record without plates.
                _platesTried = true;
                try
                {
                    _plates = PlateReader.Load(PlateModels.DefaultDirectory, threads: 1);
                }
                catch (Exception e) when (e is ModelException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
                {
                    Log.PlatesUnavailable(_log, e.Message);
                }
            }

            if (!_densityTried && next.Cameras.Any(c => c.Gate is not null))
            {
                // Loaded for any analysed camera, not only those with zones today: a zone added to a gate spec later
                // restarts only the analysis, with the models the camera was started with. Tried once, like plates:
                // without it the zones count their tracks.
                _densityTried = true;
                try
                {
                    _density = Crowd.DensityCounter.Load(threads: 1);
                }
                catch (Exception e) when (e is ModelException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
                {
                    Log.DensityUnavailable(_log, e.Message);
                }
            }

            Dictionary<string, CameraSupervisor> current;
            lock (_gate)
            {
                current = new(_cameras, StringComparer.Ordinal);
            }

            next = next with { Cameras = [.. next.Cameras.Select(Fresh)] };
            var wanted = next.Cameras.ToDictionary(c => c.Id, StringComparer.Ordinal);

            // A running camera whose gate spec alone changed keeps recording; only its analysis restarts.
            foreach (var c in current.Values)
            {
                if (wanted.TryGetValue(c.Camera.Id, out var w) && !Same(w, c.Camera) && GateOnly(w, c.Camera))
                {
                    c.UseGate(w);
                    Log.GateChanged(_log, c.Camera.Id, w.GateFingerprint);
                }
            }

            var stopping = current.Values
                .Where(c => !wanted.TryGetValue(c.Camera.Id, out var w) || !Same(w, c.Camera))
                .ToList();
            foreach (var c in stopping)
            {
                current.Remove(c.Camera.Id);
                Log.Stopping(_log, c.Camera.Id, wanted.ContainsKey(c.Camera.Id) ? "its configuration changed" : "it was removed from the configuration");
            }

            lock (_gate)
            {
                _cameras = new(current, StringComparer.Ordinal);
            }

            await Task.WhenAll(stopping.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);

            try
            {
                foreach (var camera in next.Cameras.Where(c => !current.ContainsKey(c.Id)))
                {
                    // One camera that cannot start (its folder refused, say) must not keep the others from starting,
                    // nor leave those already started unknown to the set, where the next reload would start a second
                    // recorder beside each of them.
                    try
                    {
                        Directory.CreateDirectory(next.CameraFolder(camera.Id));
                        var supervisor = new CameraSupervisor(camera, next, index, outbox, new AnalysisModels(_model, _plates, _density), _analysisSlots, time, logs.CreateLogger($"GateWatch.Agent.Camera.{camera.Id}"));
                        current[camera.Id] = supervisor;
                        supervisor.Start();
                        Log.Starting(_log, camera.Id, camera.Name, camera.Gate is null ? "recording only" : $"recording, analysing at {camera.AnalysisFps} frames/s");
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        Log.StartFailed(_log, camera.Id, e.Message);
                    }
                }
            }
            finally
            {
                lock (_gate)
                {
                    _cameras = current;
                    Config = next;
                }
            }
        }
        finally
        {
            _applying.Release();
        }
    }

    private static bool Same(CameraConfig a, CameraConfig b) => a with { Gate = null } == b with { Gate = null };

    /// <summary>Both analysed, and nothing but the spec differs: a change the camera takes without stopping.</summary>
    private static bool GateOnly(CameraConfig a, CameraConfig b) =>
        a.Gate is not null && b.Gate is not null && a with { Gate = null, GateFingerprint = "" } == b with { Gate = null, GateFingerprint = "" };

    /// <summary>
    /// The camera as its gate file says now. A configuration read before a gate edit (the watcher reads agent.json
    /// and the gate files, then waits for this lock while the edit is applied) must not put the old spec back:
    /// the file is the source of truth. A file that no longer reads leaves the configuration as it was read.
    /// </summary>
    private static CameraConfig Fresh(CameraConfig c)
    {
        if (c.GatePath is not { } path || c.Gate is null)
        {
            return c;
        }

        try
        {
            var bytes = File.ReadAllBytes(path);
            var fingerprint = GateFile.Fingerprint(bytes);
            return fingerprint == c.GateFingerprint
                ? c
                : c with { Gate = GateSpecLoader.Parse(GateFile.Text(bytes), path), GateFingerprint = fingerprint };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or GateSpecException)
        {
            return c;
        }
    }

    /// <summary>
    /// Replaces a camera's gate spec file with <paramref name="json"/> and applies it, under the same lock as a
    /// configuration reload so the two cannot interleave. Every running camera reading that file takes the new
    /// spec by restarting its analysis only. Throws <see cref="GateSpecException"/> for a spec the loader would
    /// refuse (the file is then untouched) and <see cref="GateConflictException"/> when the file is no longer
    /// the one the editor started from.
    /// </summary>
    public async Task<(string Previous, string Fingerprint, GateSpec Spec)> ReplaceGateAsync(string cameraId, byte[] json, string expectedFingerprint)
    {
        await _applying.WaitAsync().ConfigureAwait(false);
        try
        {
            var camera = Find(cameraId) ?? throw new InvalidOperationException($"no camera '{cameraId}'");
            var path = camera.Camera.GatePath ?? throw new InvalidOperationException($"camera {cameraId} has no gate spec");
            var spec = GateSpecLoader.Parse(GateFile.Text(json), Path.GetFileName(path));
            var previous = GateFile.Fingerprint(path);
            if (!string.Equals(previous, expectedFingerprint, StringComparison.OrdinalIgnoreCase))
            {
                throw new GateConflictException(previous);
            }

            GateFile.Replace(path, json);
            var fingerprint = GateFile.Fingerprint(json);
            foreach (var c in All.Where(c => c.Camera.GatePath == path && c.Camera.Gate is not null))
            {
                c.UseGate(c.Camera with { Gate = spec, GateFingerprint = fingerprint });
                Log.GateChanged(_log, c.Camera.Id, fingerprint);
            }

            lock (_gate)
            {
                Config = Config with
                {
                    Cameras = [.. Config.Cameras.Select(c => c.GatePath == path && c.Gate is not null ? c with { Gate = spec, GateFingerprint = fingerprint } : c)],
                };
            }

            return (previous, fingerprint, spec);
        }
        finally
        {
            _applying.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _applying.Dispose();
        _analysisSlots.Dispose();
        _plates?.Dispose();
        _density?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "camera {Camera} ({Name}): starting, {What}")]
        public static partial void Starting(ILogger log, string camera, string name, string what);

        [LoggerMessage(Level = LogLevel.Warning, Message = "stopped recorder ffmpeg {Pid} left running by an agent that was killed")]
        public static partial void OrphanStopped(ILogger log, int pid);

        [LoggerMessage(Level = LogLevel.Information, Message = "camera {Camera}: new gate spec {Fingerprint}; analysis restarts with it, recording goes on")]
        public static partial void GateChanged(ILogger log, string camera, string fingerprint);

        [LoggerMessage(Level = LogLevel.Error, Message = "camera {Camera} could not start, it is tried again at the next change of the configuration: {Why}")]
        public static partial void StartFailed(ILogger log, string camera, string why);

        [LoggerMessage(Level = LogLevel.Error, Message = "plate reading is off for every camera: {Why}")]
        public static partial void PlatesUnavailable(ILogger log, string why);

        [LoggerMessage(Level = LogLevel.Error, Message = "crowd density estimates are off for every camera (zones count tracked people): {Why}")]
        public static partial void DensityUnavailable(ILogger log, string why);

        [LoggerMessage(Level = LogLevel.Information, Message = "camera {Camera}: stopping, {Why}")]
        public static partial void Stopping(ILogger log, string camera, string why);
    }
}

/// <summary>The gate file changed since the editor read it; <see cref="Current"/> is its fingerprint now.</summary>
internal sealed class GateConflictException(string current)
    : Exception($"the gate spec was changed by someone else since it was read (its fingerprint is now {(current.Length == 0 ? "none: the file is missing" : current)}); reload it and edit again")
{
    public string Current { get; } = current;
}
