using System.Diagnostics;
using System.Globalization;

namespace GateWatch.Agent.Cli;

/// <summary>
/// Progress as plain lines, for output that is not a terminal (a pipe, a log, CI): a bar redrawn in place
/// is unreadable there, and nothing at all leaves a minute-long analysis looking hung. One line per tenth of
/// the frames when their number is known, else one every <see cref="UnknownTotalEvery"/> frames.
/// </summary>
internal sealed class ProgressLines(TextWriter output, string label, long? totalFrames)
{
    public const int UnknownTotalEvery = 500;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _tenths;

    /// <summary>Called after each frame with the number of frames done so far.</summary>
    public void Done(long frames)
    {
        if (totalFrames is { } total && total > 0)
        {
            // The count is the container's estimate: a clip may run past it, which must not print 110 %.
            var tenths = (int)Math.Min(10, frames * 10 / total);
            if (tenths > _tenths)
            {
                _tenths = tenths;
                Write($"{label}: {Math.Min(100, frames * 100 / total)}% ({frames}/{total} frames, {Elapsed})");
            }
        }
        else if (frames % UnknownTotalEvery == 0)
        {
            Write($"{label}: {frames} frames, {Elapsed}");
        }
    }

    private string Elapsed => string.Create(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds:0} s");

    private void Write(string line) => output.WriteLine(line);
}
