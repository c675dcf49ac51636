using GateWatch.Agent.Detect;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Detect;

/// <summary>One real session of the shipped, hash-checked default detector, shared by a test class.</summary>
public sealed class DetectorFixture : IDisposable
{
    private readonly Lazy<IObjectDetector> _detector = new(() => Detectors.Load(TestPaths.Model, new DetectorOptions()));

    internal IObjectDetector Detector => _detector.Value;

    public void Dispose()
    {
        if (_detector.IsValueCreated)
        {
            _detector.Value.Dispose();
        }
    }
}
