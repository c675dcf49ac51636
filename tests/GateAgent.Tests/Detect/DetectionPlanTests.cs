using GateWatch.Agent.Detect;
using OpenCvSharp;

namespace GateWatch.Agent.Tests.Detect;

public sealed class DetectionPlanTests
{
    private static readonly Size Model = new(640, 384);

    [Fact]
    public void A_4_3_PETS_frame_is_one_view()
    {
        var views = DetectionPlan.Views(new Size(768, 576), new Rect(0, 0, 768, 576), Model, new TilingOptions());
        Assert.Equal([new View(new Rect(0, 0, 768, 576), true)], views);
    }

    [Fact]
    public void A_720p_frame_is_the_whole_view_and_four_overlapping_tiles_that_cover_it()
    {
        var frame = new Size(1280, 720);
        var views = DetectionPlan.Views(frame, new Rect(0, 0, 1280, 720), Model, new TilingOptions());

        Assert.Equal(5, views.Count);
        Assert.True(views[0].Whole);
        var tiles = views.Skip(1).Select(v => v.Area).ToList();
        Assert.All(tiles, t => Assert.Equal(new Size(853, 512), t.Size));
        Assert.Contains(new Rect(0, 0, 853, 512), tiles);
        Assert.Contains(new Rect(427, 208, 853, 512), tiles);

        // Every pixel is in some tile, and neighbours overlap by at least a quarter of a tile.
        for (var y = 0; y < 720; y += 7)
        {
            for (var x = 0; x < 1280; x += 7)
            {
                Assert.Contains(tiles, t => t.Contains(new Point(x, y)));
            }
        }

        Assert.True(853 - 427 >= 853 / 4);
    }

    [Fact]
    public void Tiles_follow_the_detection_region_not_the_frame()
    {
        var region = new Rect(200, 300, 900, 400);
        var views = DetectionPlan.Views(new Size(1920, 1080), region, Model, new TilingOptions { Mode = TilingMode.On });
        Assert.Equal(region, views[0].Area);
        Assert.All(views.Skip(1), v => Assert.True(region.Contains(v.Area), $"{v.Area} outside {region}"));
    }

    [Fact]
    public void Tiling_off_is_one_view_whatever_the_size()
    {
        Assert.Single(DetectionPlan.Views(new Size(3840, 2160), new Rect(0, 0, 3840, 2160), Model, new TilingOptions { Mode = TilingMode.Off }));
    }

    [Fact]
    public void A_region_reaching_past_the_frame_is_clipped_to_it()
    {
        var views = DetectionPlan.Views(new Size(640, 480), new Rect(-50, 400, 800, 300), Model, new TilingOptions());
        Assert.Equal(new Rect(0, 400, 640, 80), views[0].Area);
    }

    [Theory]
    [InlineData(0, 1280, 853, new[] { 0, 427 })]
    [InlineData(0, 720, 512, new[] { 0, 208 })]
    [InlineData(100, 400, 500, new[] { 100 })]
    [InlineData(0, 1920, 853, new[] { 0, 534, 1067 })]
    public void Tile_starts_spread_evenly(int start, int length, int tile, int[] expected) =>
        Assert.Equal(expected, DetectionPlan.Starts(start, length, tile, 0.25f));
}
