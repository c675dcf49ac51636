using GateWatch.Agent.Gate;
using GateWatch.Agent.Pipeline;

namespace GateWatch.Agent.Tests.Gate;

public sealed class DetectRegionTests
{
    private const string File = "cams/gate-b.json";

    private static string Spec(string region) => $$"""
        {
          "frameSize": [1280, 720],
          "lines": [ { "id": "gate", "a": [100, 500], "b": [1100, 500], "insidePoint": [600, 650] } ],
          "detectRegion": {{region}}
        }
        """;

    private static GateSpecException Rejects(string region)
    {
        var e = Assert.Throws<GateSpecException>(() => GateSpecLoader.Parse(Spec(region), File));
        Assert.StartsWith(File + ": ", e.Message, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void A_region_round_the_lanes_is_read_scaled_and_tested_by_foot_point()
    {
        var spec = GateSpecLoader.Parse(Spec("[[200, 300], [1100, 300], [1280, 720], [0, 720]]"), File);
        Assert.Equal(4, spec.DetectRegion!.Count);

        var half = spec.ScaledTo(640, 360);
        Assert.Equal(new Point2(100, 150), half.DetectRegion![0]);

        var region = GatePipeline.RegionOf(half)!;
        Assert.Equal(new OpenCvSharp.Rect(0, 150, 640, 210), region.Bounds);
        Assert.True(region.Contains(new Agent.Detect.Box(300, 200, 340, 300)));
        Assert.False(region.Contains(new Agent.Detect.Box(10, 50, 40, 140))); // on the footpath above the lanes
    }

    [Fact]
    public void No_region_is_the_whole_frame()
    {
        var spec = GateSpecLoader.Parse("""{ "lines": [ { "id": "l", "a": [0, 5], "b": [9, 5], "insidePoint": [4, 9] } ] }""", File);
        Assert.Null(spec.DetectRegion);
        Assert.Null(GatePipeline.RegionOf(spec));
    }

    [Fact]
    public void A_region_outside_the_frame_names_the_point()
    {
        var e = Rejects("[[200, 300], [1500, 300], [1280, 720]]");
        Assert.Equal("$.detectRegion[1]", e.JsonPath);
        Assert.Contains("outside the 1280x720 frame", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[[0, 0], [100, 100]]", "$.detectRegion", "at least 3 points")]
    [InlineData("[[0, 0], [100, 100], [200, 200]]", "$.detectRegion", "degenerate")]
    [InlineData("[[0, 0], [100, 100], [100, 0], [0, 100]]", "$.detectRegion", "crosses itself")]
    [InlineData("[[0, 0], [100, 0], [50]]", "$.detectRegion[2]", "a point [x, y]")]
    public void A_degenerate_region_is_refused_with_its_path(string region, string path, string says)
    {
        var e = Rejects(region);
        Assert.Equal(path, e.JsonPath);
        Assert.Contains(says, e.Message, StringComparison.Ordinal);
    }
}
