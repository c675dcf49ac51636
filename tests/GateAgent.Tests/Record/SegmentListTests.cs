using GateWatch.Agent.Record;

namespace GateWatch.Agent.Tests.Record;

public sealed class SegmentListTests
{
    [Theory]
    [InlineData("20261122T235504Z-000000.mp4,0.000000,2.900000", "20261122T235504Z-000000.mp4", 0.0, 2.9)]
    [InlineData("20261122T235504Z-000003.mp4,6.900000,7.800000", "20261122T235504Z-000003.mp4", 6.9, 7.8)]
    [InlineData("\"gate, north-000001.mp4\",2.5,4.5", "gate, north-000001.mp4", 2.5, 4.5)]
    public void Reads_what_ffmpegs_segment_muxer_prints(string line, string name, double start, double end)
    {
        Assert.Equal(new SegmentListEntry(name, start, end), SegmentList.ParseLine(line));
    }

    [Theory]
    [InlineData("")]
    [InlineData("no commas here")]
    [InlineData("a.mp4,1.0")]
    [InlineData("a.mp4,x,2.0")]
    [InlineData("a.mp4,3.0,2.0")]
    [InlineData("a.mp4,NaN,NaN")]
    // Found by fuzzing (bench/fuzz, ffmpeg-output): these parsed, and the recorder's TimeSpan.FromSeconds threw OverflowException.
    [InlineData("a.mp4,-Infinity,Infinity")]
    [InlineData("a.mp4,0,1e300")]
    [InlineData("a.mp4,-1e300,0")]
    public void Anything_else_is_not_a_segment(string line)
    {
        Assert.Null(SegmentList.ParseLine(line));
    }

    [Fact]
    public void A_segment_near_a_century_of_stream_time_still_parses()
    {
        Assert.Equal(new SegmentListEntry("a.mp4", 3e9, 3.1e9), SegmentList.ParseLine("a.mp4,3e9,3.1e9"));
    }
}
