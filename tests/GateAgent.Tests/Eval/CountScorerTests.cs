using GateWatch.Agent.Eval;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Eval;

public sealed class CountScorerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string name, string text)
    {
        var path = _dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Errors_are_scored_overall_and_per_band_of_true_count()
    {
        var truth = CountScorer.LoadTruth(Write("counts.csv", "image,count,width,height\na.jpg,10,1024,768\nb.jpg,50,1024,768\nc.jpg,200,1024,768\nd.jpg,5,1,1\n"));
        var counts = CountScorer.LoadCounts(Write("c.jsonl",
            "{\"image\":\"a.jpg\",\"count\":12}\n{\"image\":\"b.jpg\",\"count\":40}\n{\"image\":\"c.jpg\",\"count\":230}\n"));

        var scores = CountScorer.Score(truth, counts).ToDictionary(s => s.Band);

        Assert.Equal(3, scores["all"].Pictures);
        Assert.Equal((2 + 10 + 30) / 3.0, scores["all"].Mae, 6);
        Assert.Equal(Math.Sqrt(((2 * 2) + (10 * 10) + (30 * 30)) / 3.0), scores["all"].Rmse, 6);
        Assert.Equal(((2 / 10.0) + (10 / 50.0) + (30 / 200.0)) / 3, scores["all"].MeanRelativeError, 6);
        Assert.Equal(2, scores["0-20"].Mae, 6);
        Assert.Equal(10, scores["20-100"].Mae, 6);
        Assert.Equal(30, scores["100+"].Mae, 6);
        Assert.Equal(230, scores["100+"].MeanEstimate, 6);
    }

    [Theory]
    [InlineData("name,people\na.jpg,3\n", ":1: the header")]
    [InlineData("image,count\na.jpg,3\nb.jpg,many\n", ":3: count 'many' is not a number of people")]
    [InlineData("image,count\na.jpg,3\na.jpg,4\n", ":3: a.jpg is listed twice")]
    [InlineData("image,count,width\na.jpg\n", ":2: 1 columns")]
    [InlineData("image,count\na.jpg,-2\n", ":2: count '-2'")]
    public void A_truth_file_that_does_not_parse_is_refused_naming_its_line(string text, string expected)
    {
        var path = Write("counts.csv", text);
        var e = Assert.Throws<FormatException>(() => CountScorer.LoadTruth(path));
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"image\":\"a.jpg\",\"count\":1}\nnot json\n", ":2:")]
    [InlineData("{\"image\":\"a.jpg\"}\n", ":1:")]
    [InlineData("{\"image\":\"a.jpg\",\"count\":1}\n{\"image\":\"a.jpg\",\"count\":2}\n", ":2: a.jpg has two lines")]
    [InlineData("{\"image\":\"v.mp4\",\"frame\":3,\"count\":1}\n", ":1: a video's line")]
    public void A_counts_file_that_does_not_parse_is_refused_naming_its_line(string text, string expected)
    {
        var path = Write("c.jsonl", text);
        var e = Assert.Throws<FormatException>(() => CountScorer.LoadCounts(path));
        Assert.Contains(path + expected, e.Message, StringComparison.Ordinal);
    }
}
