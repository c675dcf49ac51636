using GateWatch.Agent.Plates;

namespace GateWatch.Agent.Pipeline;

/// <summary>
/// What every camera's analysis shares, loaded once for the agent: the detector's verified bytes (each camera opens
/// its own session on them) and the plate reader (one for all: ONNX Runtime runs a session from several threads).
/// The plate reader is null when no camera reads plates, or its models could not be loaded (said in the log); the
/// density counter (one for all, like the plate reader) is null when its model could not be loaded (said in the log).
/// </summary>
internal sealed record AnalysisModels(byte[]? Detector, PlateReader? Plates, Crowd.DensityCounter? Density = null);
