using GateWatch.Agent.Capture;
using GateWatch.Agent.Pipeline;

namespace GateWatch.Agent.Tests.Pipeline;

public sealed class CameraAnalysisTests
{
    [Theory]
    [InlineData(640, 480, 640, 480)]
    [InlineData(320, 240, 320, 240)]
    [InlineData(1280, 720, 1280, 720)]
    [InlineData(1920, 1080, 1280, 720)]
    [InlineData(2000, 1127, 1280, 722)] // 721.3 rounded to the nearest even height
    public void Frames_wider_than_1280_are_analysed_at_1280_with_an_even_height(int width, int height, int analysedWidth, int analysedHeight)
    {
        var stream = new VideoInfo(width, height, 25, null, null, "h264");

        var analysed = CameraAnalysis.AnalysisSize(stream);

        Assert.Equal((analysedWidth, analysedHeight), (analysed.Width, analysed.Height));
        Assert.Equal(stream with { Width = analysedWidth, Height = analysedHeight }, analysed);
    }
}
