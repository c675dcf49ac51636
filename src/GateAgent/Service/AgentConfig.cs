using GateWatch.Agent.Ffmpeg;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Plates;

namespace GateWatch.Agent.Service;

/// <summary>The agent's configuration as validated at start: every path absolute, every limit checked.</summary>
internal sealed record AgentConfig(
    string File,
    string AgentId,
    string Listen,
    string ApiKey,
    string DataDir,
    ConsoleLink? Console,
    RetentionSettings Retention,
    IReadOnlyList<CameraConfig> Cameras)
{
    /// <summary>Whether the API is served over TLS (listen is https://).</summary>
    public bool ServesTls => Listen.StartsWith("https:", StringComparison.Ordinal);

    /// <summary>The API's certificate and key (PEM) when the config names them; else the agent serves https with one it made.</summary>
    public string? TlsCertificateFile { get; init; }

    public string? TlsKeyFile { get; init; }

    public string RecordingsDir => Path.Combine(DataDir, "recordings");

    public string ExportsDir => Path.Combine(DataDir, "exports");

    public string IndexPath => Path.Combine(DataDir, "segments.db");

    /// <summary>The barriers' allow list as last fetched from the console (barrier "allowList": "console").</summary>
    public string ConsoleAllowListPath => Path.Combine(DataDir, "barrier-allowed.txt");

    /// <summary>Plate crops, a folder per camera: what the crossing events' plate.crop names.</summary>
    public string PlatesDir => Path.Combine(DataDir, "plates");

    public string OutboxPath => Path.Combine(DataDir, "events.db");

    public string CameraFolder(string camera) => Path.Combine(RecordingsDir, camera);

    // The generated ToString would print the API key, and through the cameras their passwords, into any log that formats this record.
    public override string ToString() =>
        $"AgentConfig {{ File = {File}, AgentId = {AgentId}, Listen = {Redact.Url(Listen)}, DataDir = {DataDir}, Console = {Console}, Cameras = [{string.Join(", ", Cameras.Select(c => c.Id))}] }}";
}

internal sealed record RetentionSettings(TimeSpan? MaxAge, long LowDiskFreeBytes, TimeSpan SweepEvery)
{
    /// <summary>Plates are personal data (Vietnam's Decree 13/2023): crops are kept 90 days unless the config says otherwise.</summary>
    public const double DefaultPlateDays = 90;

    public TimeSpan PlateMaxAge { get; init; } = TimeSpan.FromDays(DefaultPlateDays);
}

/// <summary>
/// One camera. <see cref="Main"/> is recorded; <see cref="Sub"/>, when given, is what the pipeline analyses
/// (a camera's substream is cheaper to decode). A file with <see cref="Loop"/> plays forever in real time.
/// </summary>
internal sealed record CameraConfig(
    string Id,
    string Name,
    string Main,
    string? Sub,
    bool Loop,
    string? GatePath,
    GateSpec? Gate,
    double AnalysisFps,
    TimeSpan SegmentLength,
    long? QuotaBytes,
    TimeSpan? MaxAge,
    TimeSpan PreRoll,
    TimeSpan PostRoll)
{
    public string AnalysisSource => Sub ?? Main;

    /// <summary>SHA-256 of the gate spec file, so a reload notices an edited spec and restarts the camera.</summary>
    public string GateFingerprint { get; init; } = "";

    /// <summary>
    /// Analysed frames are scaled by ffmpeg to at most this wide. 640 by default: the detector's 640x384 input
    /// sees such a frame whole at full scale, and eight 720p cameras fit two cores. 1280 lets the detect stage
    /// tile a 720p picture near native resolution for far, small road users, at about twice the analysis cost
    /// (bench/RESULTS.md): for a gate where that matters, with the cores for it.
    /// </summary>
    public int AnalysisWidth { get; init; } = DefaultAnalysisWidth;

    public const int DefaultAnalysisWidth = 640;

    /// <summary>
    /// The plate grammar vehicles' plates are read with, or null for a camera that reads none. Plates need pixels:
    /// on a camera aimed at the lane, with analysisWidth high enough that a plate is some 20 px tall.
    /// </summary>
    public PlateRegion? Plates { get; init; } = PlateRegion.Vietnam;

    /// <summary>The lane's barrier, opened for allowed plates; null for a camera without one.</summary>
    public BarrierConfig? Barrier { get; init; }

    // The generated ToString would print the camera's user and password (in Main and Sub) into any log that formats it.
    public override string ToString() =>
        $"CameraConfig {{ Id = {Id}, Name = {Name}, Main = {Redact.Url(Main)}, Sub = {(Sub is null ? "" : Redact.Url(Sub))}, Gate = {GatePath}, AnalysisFps = {AnalysisFps}, AnalysisWidth = {AnalysisWidth}, Plates = {Plates?.ToString() ?? "off"}, Barrier = {Barrier} }}";
}
