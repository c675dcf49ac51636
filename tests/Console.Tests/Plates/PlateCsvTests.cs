using GateWatch.Central.Plates;

namespace GateWatch.Central.Tests.Plates;

public sealed class PlateCsvTests
{
    [Fact]
    public void Records_keep_the_line_they_start_on_across_quoted_line_breaks_and_blank_lines()
    {
        var records = PlateCsv.Parse("\uFEFFplate,reason\r\n51G-123.45,\"stolen, reported\"\r\n\r\n30V-3993,\"two\nlines\"\n59-X1 234.56,\"say \"\"hi\"\"\"\n", out var problem)!;
        Assert.Null(problem);
        Assert.Equal([1, 2, 4, 6], records.Select(r => r.Line));
        Assert.Equal(["plate", "reason"], records[0].Fields);
        Assert.Equal(["51G-123.45", "stolen, reported"], records[1].Fields);
        Assert.Equal(["30V-3993", "two\nlines"], records[2].Fields);
        Assert.Equal(["59-X1 234.56", "say \"hi\""], records[3].Fields);
    }

    [Fact]
    public void A_quote_never_closed_is_named_by_its_line()
    {
        Assert.Null(PlateCsv.Parse("plate,reason\n51G-123.45,ok\n30V-3993,\"open\n", out var problem));
        Assert.Equal("line 3: a quoted field is never closed", problem);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"x\")")]
    [InlineData("+1")]
    [InlineData("-2")]
    [InlineData("@SUM(A1)")]
    [InlineData("a, b")]
    [InlineData("plain")]
    public void What_is_written_with_the_formula_guard_reads_back_as_it_was(string value)
    {
        var line = PlateCsv.Line(["x", value]);
        Assert.DoesNotMatch("^x,[=+@-]", line);
        var back = PlateCsv.Parse(line, out _)!.Single().Fields;
        Assert.Equal(value, PlateCsv.Unguard(back[1]));
    }
}
