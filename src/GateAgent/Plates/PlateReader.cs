using OpenCvSharp;

namespace GateWatch.Agent.Plates;

/// <summary>Which plate grammar decides a read: Vietnam's, or none (foreign plates: any 4-9 letters and digits).</summary>
internal enum PlateRegion
{
    Vietnam,
    Any,
}

/// <summary>One plate found in a picture: its text (canonical under a grammar), how sure, where (picture pixels), and whether the grammar accepts it.</summary>
internal sealed record PlateRead(string Text, float Confidence, Rect Box, bool Valid);

/// <summary>
/// Reads plates in a picture (a whole frame, a vehicle's crop or a plate's): finds text lines, reads each,
/// assembles plates from a line, two stacked lines (series above, number below) or two halves of one line,
/// and lets the region's grammar choose. Best read first.
/// </summary>
internal sealed class PlateReader(TextDetector detector, TextRecognizer recognizer) : IDisposable
{
    /// <summary>PaddleOCR's det_limit_side_len: the detector sees at most this many pixels on the longer side.</summary>
    private const int MaxDetectSide = 960;

    /// <summary>A small crop is enlarged to this before detection: DB finds strokes a few pixels wide poorly.</summary>
    private const int MinDetectSide = 320;

    /// <summary>Fewer letters and digits than this is a sticker or a part of a plate; more is a slogan or a phone number.</summary>
    private const int MinAny = 4;

    private const int MaxAny = 9;

    public static PlateReader Load(string directory, int threads) => PlateModels.Load(directory, threads);

    public List<PlateRead> Read(Mat bgr, PlateRegion region)
    {
        var side = Math.Clamp(Math.Max(bgr.Width, bgr.Height), MinDetectSide, MaxDetectSide);
        var lines = new List<Line>();
        foreach (var box in detector.Detect(bgr, side))
        {
            var bounds = box.Bounds(bgr.Size());
            if (bounds.Width < 4 || bounds.Height < 4)
            {
                continue;
            }

            using var crop = LineCrop.Cut(bgr, box.Rect);
            var read = recognizer.Read(crop);
            if (read.Chars.Count > 0)
            {
                lines.Add(new Line(bounds, read));
            }
        }

        var reads = new List<PlateRead>();
        foreach (var (parts, box) in Candidates(lines))
        {
            if (Assess(parts, region) is { } read)
            {
                reads.Add(read with { Box = box });
            }
        }

        return [.. reads
            .GroupBy(r => r.Text, StringComparer.Ordinal)
            .Select(g => g.MaxBy(r => r.Confidence)!)
            .OrderByDescending(r => r.Valid)
            .ThenByDescending(r => r.Confidence)];
    }

    private static PlateRead? Assess(IReadOnlyList<TextLine> parts, PlateRegion region)
    {
        if (region == PlateRegion.Vietnam)
        {
            if (VietnamPlate.Parse([.. parts.Select(p => p.Chars)]) is { } plate)
            {
                return new PlateRead(plate.Text, plate.Confidence, default, Valid: true);
            }
        }

        var text = string.Concat(parts.Select(p => p.Text));
        if (text.Length is < MinAny or > MaxAny)
        {
            return null;
        }

        // Without a grammar a plate is still letters and digits together; a word alone (a dealer's name) is less likely one.
        var mixed = text.Any(char.IsAsciiDigit) && text.Any(char.IsAsciiLetter);
        var confidence = parts.Average(p => p.Confidence) * (mixed ? 1f : 0.5f);
        return new PlateRead(text, confidence, default, Valid: region == PlateRegion.Any && mixed);
    }

    /// <summary>
    /// Each line alone; pieces of one row joined left to right (a dash or a bolt can split a line in two); two rows
    /// stacked like a two-line plate, series above number.
    /// </summary>
    private static IEnumerable<(IReadOnlyList<TextLine> Parts, Rect Box)> Candidates(List<Line> lines)
    {
        var rows = new List<Line>(lines);
        var ordered = lines.OrderBy(l => l.Box.Left).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            // Grow a row rightwards from each piece; each longer row is a candidate of its own.
            var row = ordered[i];
            var pieces = 1;
            for (var j = i + 1; j < ordered.Count; j++)
            {
                if (SideBySide(row, ordered[j]))
                {
                    row = new Line(row.Box | ordered[j].Box, new TextLine([.. row.Read.Chars, .. ordered[j].Read.Chars],
                        ((row.Read.Confidence * pieces) + ordered[j].Read.Confidence) / (pieces + 1)));
                    pieces++;
                    rows.Add(row);
                }
            }
        }

        foreach (var r in rows)
        {
            yield return ([r.Read], r.Box);
        }

        foreach (var top in rows)
        {
            foreach (var bottom in rows)
            {
                if (Stacked(top, bottom))
                {
                    yield return ([top.Read, bottom.Read], top.Box | bottom.Box);
                }
            }
        }
    }

    private static bool SideBySide(Line left, Line right)
    {
        var h = Math.Max(left.Box.Height, right.Box.Height);
        var heights = (double)Math.Min(left.Box.Height, right.Box.Height) / h;
        var dy = Math.Abs(Centre(left.Box).Y - Centre(right.Box).Y);
        var gap = right.Box.Left - left.Box.Right;
        return heights >= 0.6 && dy < 0.3 * h && gap < 1.2 * h && right.Box.Left > left.Box.Left + (left.Box.Width / 2);
    }

    /// <summary>
    /// Bottom sits under top, the two about as wide and tall. Judged from the centres: the detector grows each line by
    /// a margin, so the boxes of a plate's two close lines overlap.
    /// </summary>
    private static bool Stacked(Line top, Line bottom)
    {
        var h = Math.Max(top.Box.Height, bottom.Box.Height);
        var heights = (double)Math.Min(top.Box.Height, bottom.Box.Height) / h;
        var dy = Centre(bottom.Box).Y - Centre(top.Box).Y;
        var overlapX = Math.Min(top.Box.Right, bottom.Box.Right) - Math.Max(top.Box.Left, bottom.Box.Left);
        return heights >= 0.4 && dy > 0.3 * h && dy < 1.6 * h && overlapX >= 0.4 * Math.Min(top.Box.Width, bottom.Box.Width);
    }

    private static Point2d Centre(Rect r) => new(r.Left + (r.Width / 2.0), r.Top + (r.Height / 2.0));

    public void Dispose()
    {
        detector.Dispose();
        recognizer.Dispose();
    }

    private sealed record Line(Rect Box, TextLine Read);
}

/// <summary>Cuts a detected line out of a picture, straightened, the way PaddleOCR's recogniser was trained to see lines.</summary>
internal static class LineCrop
{
    public static Mat Cut(Mat bgr, RotatedRect rect)
    {
        var p = Order(rect.Points());
        var width = (float)Math.Max(Distance(p[0], p[1]), Distance(p[2], p[3]));
        var height = (float)Math.Max(Distance(p[0], p[3]), Distance(p[1], p[2]));
        width = Math.Max(1, width);
        height = Math.Max(1, height);
        Point2f[] target = [new(0, 0), new(width, 0), new(width, height), new(0, height)];
        using var m = Cv2.GetPerspectiveTransform(p, target);
        var crop = new Mat();
        Cv2.WarpPerspective(bgr, crop, m, new Size((int)Math.Ceiling(width), (int)Math.Ceiling(height)),
            InterpolationFlags.Cubic, BorderTypes.Replicate);
        if (crop.Height >= 1.5 * crop.Width)
        {
            // A line standing on end (vertical text) is read turned a quarter, as PaddleOCR does.
            Cv2.Rotate(crop, crop, RotateFlags.Rotate90Counterclockwise);
        }

        return crop;
    }

    /// <summary>Top-left, top-right, bottom-right, bottom-left.</summary>
    private static Point2f[] Order(Point2f[] points)
    {
        var byX = points.OrderBy(q => q.X).ToArray();
        var left = byX[..2].OrderBy(q => q.Y).ToArray();
        var right = byX[2..].OrderBy(q => q.Y).ToArray();
        return [left[0], right[0], right[1], left[1]];
    }

    private static double Distance(Point2f a, Point2f b) => Math.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)));
}
