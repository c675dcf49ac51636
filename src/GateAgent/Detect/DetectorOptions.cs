namespace GateWatch.Agent.Detect;

internal sealed record DetectorOptions
{
    /// <summary>Detections down to this score are kept for the tracker's second, low-score association pass.</summary>
    public float MinScore { get; init; } = 0.1f;

    /// <summary>Overlap above which two boxes of one kind are the same object. 0.6 keeps people walking side by side apart.</summary>
    public float NmsIoU { get; init; } = 0.6f;

    /// <summary>ONNX Runtime intra-op threads; 0 lets it pick (all cores).</summary>
    public int Threads { get; init; } = 1;
}
