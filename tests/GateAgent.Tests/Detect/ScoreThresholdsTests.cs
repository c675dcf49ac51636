using GateWatch.Agent.Detect;

namespace GateWatch.Agent.Tests.Detect;

public sealed class ScoreThresholdsTests
{
    [Fact]
    public void One_number_is_every_class()
    {
        var t = ScoreThresholds.Parse("0.05");
        Assert.All(Enum.GetValues<ObjectClass>(), c => Assert.Equal(0.05f, t[c]));
    }

    [Fact]
    public void Per_class_values_override_the_defaults()
    {
        var t = ScoreThresholds.Parse("person=0.45, motorcycle=0.25");
        Assert.Equal(0.45f, t[ObjectClass.Person]);
        Assert.Equal(0.25f, t[ObjectClass.Motorcycle]);
        Assert.Equal(ScoreThresholds.Default[ObjectClass.Car], t[ObjectClass.Car]);
        Assert.True(t.Passes(new Detection(default, ObjectClass.Motorcycle, 0.3f)));
        Assert.False(t.Passes(new Detection(default, ObjectClass.Person, 0.3f)));
    }

    [Theory]
    [InlineData("lorry=0.3", "lorry=0.3")]
    [InlineData("person=high", "high is not a number")]
    [InlineData("1.5", "between 0 and 1")]
    [InlineData("car", "CLASS=SCORE")]
    public void Bad_text_says_what_is_wrong(string text, string says)
    {
        var e = Assert.Throws<FormatException>(() => ScoreThresholds.Parse(text));
        Assert.Contains(says, e.Message, StringComparison.Ordinal);
    }
}
