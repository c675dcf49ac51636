using System.Text.RegularExpressions;
using GateWatch.Agent.Cli;

namespace GateWatch.Agent.Tests.Cli;

public sealed partial class ProgressLinesTests
{
    [GeneratedRegex(@"^clip\.mp4: (\d+)% \((\d+)/(\d+) frames, \d+ s\)$")]
    private static partial Regex PercentLine();

    private static string[] Run(long? total, long frames)
    {
        using var output = new StringWriter();
        var progress = new ProgressLines(output, "clip.mp4", total);
        for (var done = 1L; done <= frames; done++)
        {
            progress.Done(done);
        }

        return output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void One_line_per_tenth_of_the_frames()
    {
        var lines = Run(total: 795, frames: 795);

        var matches = lines.Select(l => PercentLine().Match(l)).ToList();
        Assert.All(matches, m => Assert.True(m.Success, m.Value));
        Assert.Equal([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], matches.Select(m => int.Parse(m.Groups[1].Value)));
        Assert.Equal("795", matches[^1].Groups[2].Value);
        Assert.All(matches, m => Assert.Equal("795", m.Groups[3].Value));
    }

    [Fact]
    public void Fewer_frames_than_tenths_still_reach_a_hundred_once()
    {
        var lines = Run(total: 4, frames: 4);

        Assert.Equal(["25", "50", "75", "100"], lines.Select(l => PercentLine().Match(l).Groups[1].Value));
    }

    [Fact]
    public void A_clip_longer_than_its_estimate_never_goes_past_a_hundred()
    {
        var lines = Run(total: 100, frames: 130);

        Assert.Equal("100", PercentLine().Match(lines[^1]).Groups[1].Value);
        Assert.Single(lines, l => l.Contains("100%", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0L)]
    public void Without_a_frame_count_a_line_every_so_many_frames(long? total)
    {
        var lines = Run(total, frames: (2 * ProgressLines.UnknownTotalEvery) + 1);

        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"clip.mp4: {ProgressLines.UnknownTotalEvery} frames, ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"clip.mp4: {2 * ProgressLines.UnknownTotalEvery} frames, ", lines[1], StringComparison.Ordinal);
    }
}
