using GateWatch.Agent.Plates;
using OpenCvSharp;

namespace GateWatch.Agent.Tests.Plates;

public sealed class PlateVoteTests
{
    private static PlateRead Read(string text, float confidence, bool valid = true) => new(text, confidence, new Rect(1, 2, 30, 10), valid);

    [Fact]
    public void The_text_with_the_most_confidence_summed_wins_and_agreement_makes_it_surer()
    {
        var split = PlateVote.Decide([Read("51G-123.45", 0.6f), Read("51G-128.45", 0.9f), Read("51G-123.45", 0.5f)]);
        Assert.Equal("51G-123.45", split.Text);
        Assert.Equal(1.1f / 3, split.Confidence, 3);
        Assert.Equal(0, split.View);

        var agreed = PlateVote.Decide([Read("51G-123.45", 0.6f), Read("51G-123.45", 0.6f), Read("51G-123.45", 0.6f)]);
        Assert.True(agreed.Confidence > split.Confidence);
    }

    [Fact]
    public void Reads_that_fit_no_grammar_and_views_without_a_read_do_not_vote_but_count()
    {
        var d = PlateVote.Decide([null, Read("HELLO", 0.99f, valid: false), Read("30A-999.99", 0.9f)]);
        Assert.Equal("30A-999.99", d.Text);
        Assert.Equal(2, d.View);
        Assert.Equal(0.3f, d.Confidence, 3);
    }

    [Fact]
    public void Nothing_read_is_a_plate_of_empty_text() =>
        Assert.Equal(PlateDecision.None, PlateVote.Decide([null, Read("WORD", 0.8f, valid: false)]));
}
