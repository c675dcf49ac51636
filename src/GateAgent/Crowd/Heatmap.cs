using System.Globalization;
using OpenCvSharp;

namespace GateWatch.Agent.Crowd;

/// <summary>A picture with its density laid over it: where the counter put the people, and how many.</summary>
internal static class Heatmap
{
    /// <summary>
    /// People per cell drawn at full colour. Fixed rather than each picture's own maximum, so that two pictures'
    /// colours compare: about one person per 8x8 cell is a packed crowd at the head sizes the model was trained on.
    /// </summary>
    private const float FullScale = 0.5f;

    public static void Write(Mat picture, DensityMap map, double count, CountZone? zone, string path)
    {
        using var cells = new Mat(map.Rows, map.Columns, MatType.CV_8UC1);
        for (var r = 0; r < map.Rows; r++)
        {
            for (var c = 0; c < map.Columns; c++)
            {
                cells.Set(r, c, (byte)Math.Clamp(map[c, r] / FullScale * 255f, 0f, 255f));
            }
        }

        // The map covers the padded picture (never smaller than it): scale it by its cell size, then cut it to the picture.
        var fullW = Math.Max(picture.Width, (int)Math.Round(map.Columns * map.Cell));
        var fullH = Math.Max(picture.Height, (int)Math.Round(map.Rows * map.Cell));
        using var grown = cells.Resize(new Size(fullW, fullH), 0, 0, InterpolationFlags.Linear);
        using var cut = new Mat(grown, new Rect(0, 0, picture.Width, picture.Height));
        using var colour = new Mat();
        Cv2.ApplyColorMap(cut, colour, ColormapTypes.Jet);
        using var blended = new Mat();
        Cv2.AddWeighted(picture, 0.55, colour, 0.45, 0, blended);
        if (zone is not null)
        {
            var points = zone.Polygon.Select(p => new Point((int)Math.Round(p.X), (int)Math.Round(p.Y))).ToArray();
            Cv2.Polylines(blended, [points], isClosed: true, Scalar.White, 2);
        }

        var label = string.Create(CultureInfo.InvariantCulture, $"{count:F0} people");
        Cv2.PutText(blended, label, new Point(12, 36), HersheyFonts.HersheySimplex, 1.0, Scalar.Black, 4);
        Cv2.PutText(blended, label, new Point(12, 36), HersheyFonts.HersheySimplex, 1.0, Scalar.White, 2);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (!Cv2.ImWrite(path, blended))
        {
            throw new IOException($"{path}: could not write the heat map");
        }
    }
}
