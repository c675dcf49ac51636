using GateWatch.Agent.Detect;
using OpenCvSharp;

namespace GateWatch.Agent.Track;

/// <summary>
/// What an object looks like, coarsely: an HSV colour histogram of the inner part of its box, upper and
/// lower halves apart (shirt and trousers, roof and body). Coarse on purpose: it must stay the same for
/// one person across frames, lighting and pose, and only needs to tell apart the few objects that
/// overlap at one moment, which motion alone confuses when they pass each other.
/// </summary>
internal sealed class Appearance
{
    /// <summary>Hue bins: coarse, since a shirt's hue drifts with light and compression.</summary>
    private const int HueBins = 8;

    /// <summary>Pale and vivid colours of one hue apart.</summary>
    private const int SatBins = 2;

    /// <summary>Greys, black and white have no hue to speak of; they are binned by brightness instead.</summary>
    private const int GreyBins = 4;

    /// <summary>Below this saturation or value (of 255) a pixel's hue is noise.</summary>
    private const int MinChroma = 40;

    private const int BinsPerHalf = (HueBins * SatBins) + GreyBins;

    /// <summary>
    /// The box is sampled down to this many pixels first: the histogram is then about as cheap for a
    /// bus as for a child, and a near and a far view of one person weigh the same.
    /// </summary>
    private const int SampleWidth = 12;
    private const int SampleHeight = 24;

    /// <summary>Boxes are loose: their sides are mostly background, their top a head or sky.</summary>
    private const float SideMargin = 0.2f;
    private const float TopMargin = 0.12f;
    private const float BottomMargin = 0.05f;

    /// <summary>Smaller inner parts than this (in source pixels) say nothing about colour.</summary>
    private const int MinPixels = 4;

    private readonly float[] _bins;

    private Appearance(float[] bins)
    {
        _bins = bins;
    }

    /// <summary>The box's histogram on a BGR frame; null when there is no frame or the box is too small or off it.</summary>
    public static Appearance? Measure(Mat? frame, Box box)
    {
        if (frame is null || frame.Empty() || frame.Type() != MatType.CV_8UC3)
        {
            return null;
        }

        var x1 = (int)Math.Max(0, box.X1 + (SideMargin * box.Width));
        var x2 = (int)Math.Min(frame.Width, box.X2 - (SideMargin * box.Width));
        var y1 = (int)Math.Max(0, box.Y1 + (TopMargin * box.Height));
        var y2 = (int)Math.Min(frame.Height, box.Y2 - (BottomMargin * box.Height));
        if (x2 - x1 < MinPixels || y2 - y1 < MinPixels)
        {
            return null;
        }

        using var roi = new Mat(frame, new Rect(x1, y1, x2 - x1, y2 - y1));
        using var small = new Mat();
        Cv2.Resize(roi, small, new Size(SampleWidth, SampleHeight), interpolation: InterpolationFlags.Area);
        Cv2.CvtColor(small, small, ColorConversionCodes.BGR2HSV);
        small.GetArray(out Vec3b[] pixels);

        var bins = new float[2 * BinsPerHalf];
        for (var i = 0; i < pixels.Length; i++)
        {
            var half = i / SampleWidth < SampleHeight / 2 ? 0 : BinsPerHalf;
            bins[half + Bin(pixels[i])]++;
        }

        var perHalf = pixels.Length / 2f;
        for (var i = 0; i < bins.Length; i++)
        {
            bins[i] /= perHalf;
        }

        return new Appearance(bins);
    }

    /// <summary>
    /// 0 for the same colours, 1 for nothing in common: the Hellinger distance of each half, averaged,
    /// so a pair of people in the same shirts but different trousers still differ by about half.
    /// </summary>
    public double DistanceTo(Appearance other)
    {
        double total = 0;
        for (var half = 0; half < 2; half++)
        {
            double bc = 0;
            for (var i = half * BinsPerHalf; i < (half + 1) * BinsPerHalf; i++)
            {
                bc += Math.Sqrt(_bins[i] * other._bins[i]);
            }

            total += Math.Sqrt(Math.Max(0, 1 - bc));
        }

        return total / 2;
    }

    /// <summary>Moves this (a track's running look) towards a new view by <paramref name="weight"/>; both stay normalised.</summary>
    public void Blend(Appearance view, double weight)
    {
        for (var i = 0; i < _bins.Length; i++)
        {
            _bins[i] = (float)(((1 - weight) * _bins[i]) + (weight * view._bins[i]));
        }
    }

    public Appearance Copy() => new((float[])_bins.Clone());

    private static int Bin(Vec3b hsv)
    {
        if (hsv.Item1 < MinChroma || hsv.Item2 < MinChroma)
        {
            return (HueBins * SatBins) + (hsv.Item2 * GreyBins / 256);
        }

        // OpenCV's 8-bit hue runs 0..179 round the circle; shifted half a bin so red, which straddles
        // 0, falls in one bin instead of being split between the first and the last.
        var hue = ((hsv.Item0 + (90 / HueBins)) % 180) * HueBins / 180;
        var sat = hsv.Item1 * SatBins / 256;
        return (hue * SatBins) + sat;
    }
}
