using GateWatch.Agent.Detect;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Detect;

/// <summary>One real NanoDet session (the shipped, hash-checked model) shared by a test class.</summary>
public sealed class DetectorFixture : IDisposable
{
    private readonly Lazy<NanoDetDetector> _detector = new(() => NanoDetDetector.Load(TestPaths.Model, new DetectorOptions()));

    internal NanoDetDetector Detector => _detector.Value;

    public void Dispose()
    {
        if (_detector.IsValueCreated)
        {
            _detector.Value.Dispose();
        }
    }
}
