using GateWatch.Agent.Gate;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Gate;

/// <summary>
/// The repository's sample gate is the team's evaluation gate without the video: the demo and the tests
/// count on the lines the accuracy figures were measured with. A test or a run that saves the sample in
/// place (as the agent does when a line is moved) shows up here as drift.
/// </summary>
public sealed class SampleSpecTests
{
    private const string Sample = "samples/pets-gate.json";
    private const string Shared = "../shared/eval/pets-gate.json";

    [RequiresFileFact(Sample, Shared)]
    public void Sample_has_the_shared_specs_lines_zones_and_frame()
    {
        var sample = GateSpecLoader.Load(TestPaths.Resolve(Sample));
        var shared = GateSpecLoader.Load(TestPaths.Resolve(Shared));

        Assert.Equal(Describe(shared), Describe(sample));
        Assert.Equal((shared.Fps, shared.FrameSize), (sample.Fps, sample.FrameSize));
    }

    // One line of text per line and zone: a failure names the line or zone that moved and by how much.
    private static List<string> Describe(GateSpec spec) =>
    [
        .. spec.Lines.Select(l => $"line {l.Id}: a {l.A} b {l.B} inside {l.InsidePoint}"),
        .. spec.Zones.Select(z => $"zone {z.Id}: [{string.Join(", ", z.Polygon)}] crowd {z.CrowdMin} for {z.CrowdSeconds} s"),
    ];
}
