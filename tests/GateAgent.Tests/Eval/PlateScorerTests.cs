using GateWatch.Agent.Eval;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Eval;

public sealed class PlateScorerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string name, string text)
    {
        var path = _dir.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void The_top_read_is_scored_exact_folded_and_canonical()
    {
        var truth = PlateScorer.LoadTruth(Write("truth.tsv", "image\tplate\tlines\na.jpg\t59-X1 234.56\t2\nb.jpg\t51F-207.54\t1\nc.jpg\t30A-0751\t1\nd.jpg\t29-MD1 207.71\t2\n"));
        var reads = PlateScorer.LoadReads(Write("reads.jsonl", """
            {"image":"a.jpg","plates":[{"text":"59-X1 234.56"}]}
            {"image":"b.jpg","plates":[{"text":"51F 207.54"}]}
            {"image":"c.jpg","plates":[{"text":"30A-O75I"},{"text":"30A-0751"}]}

            """));

        var all = PlateScorer.Score(truth, reads)[0];

        Assert.Equal(new PlateScore("all", 4, Exact: 2, Folded: 3, Canonical: 1, Anywhere: 3, Unread: 1), all);
    }

    [Fact]
    public void OpenAlpr_label_files_are_truth_too()
    {
        Write("labels/eu1.txt", "eu1.jpg\t396\t340\t203\t46\tM5XSX\n");
        Write("labels/eu2.txt", "eu2.jpg\t1\t2\t3\t4\tGWAGEN\n");
        var truth = PlateScorer.LoadTruth(_dir.File("labels"));
        Assert.Equal(["M5XSX", "GWAGEN"], truth.Select(t => t.Plate));
    }

    [Theory]
    [InlineData("image\tplate\na.jpg\t--\n", "truth.tsv:2")]
    [InlineData("picture\tplate\na.jpg\tAB12\n", "truth.tsv:1")]
    [InlineData("image\tplate\tlines\na.jpg\tAB12\t3\n", "truth.tsv:2")]
    [InlineData("image\tplate\na.jpg\tAB12\na.jpg\tCD34\n", "truth.tsv:3")]
    public void Bad_truth_rows_are_named_with_file_and_line(string text, string where)
    {
        var e = Assert.Throws<FormatException>(() => PlateScorer.LoadTruth(Write("truth.tsv", text)));
        Assert.Contains(where, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_reads_line_is_named_with_its_line()
    {
        var path = Write("reads.jsonl", "{\"image\":\"a.jpg\",\"plates\":[]}\n{\"image\":\"b.jpg\"}\n");
        var e = Assert.Throws<FormatException>(() => PlateScorer.LoadReads(path));
        Assert.Contains("reads.jsonl:2", e.Message, StringComparison.Ordinal);
    }
}
