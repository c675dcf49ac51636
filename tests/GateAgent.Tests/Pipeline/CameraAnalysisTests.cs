using GateWatch.Agent.Capture;
using GateWatch.Agent.Pipeline;

namespace GateWatch.Agent.Tests.Pipeline;

public sealed class CameraAnalysisTests
{
    [Theory]
    [InlineData(640, 480, 640, 480)]
    [InlineData(320, 240, 320, 240)]
    [InlineData(1280, 720, 640, 360)]
    [InlineData(1920, 1080, 640, 360)]
    [InlineData(1000, 563, 640, 360)] // 360.3 rounded to the nearest even height
    public void Frames_wider_than_640_are_analysed_at_640_with_an_even_height(int width, int height, int analysedWidth, int analysedHeight)
    {
        var stream = new VideoInfo(width, height, 25, null, null, "h264");

        var analysed = CameraAnalysis.AnalysisSize(stream);

        Assert.Equal((analysedWidth, analysedHeight), (analysed.Width, analysed.Height));
        Assert.Equal(stream with { Width = analysedWidth, Height = analysedHeight }, analysed);
    }

    [Fact]
    public void A_camera_set_to_1280_is_analysed_at_720p_for_the_tiles()
    {
        var stream = new VideoInfo(1920, 1080, 25, null, null, "h264");
        Assert.Equal((1280, 720), (CameraAnalysis.AnalysisSize(stream, 1280).Width, CameraAnalysis.AnalysisSize(stream, 1280).Height));
    }
}
