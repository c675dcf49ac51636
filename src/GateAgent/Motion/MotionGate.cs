using OpenCvSharp;

namespace GateWatch.Agent.Motion;

internal sealed record MotionOptions
{
    /// <summary>Frames are compared at this width: a walking person still spans tens of pixels, and the diff costs ~0.2 ms.</summary>
    public int Width { get; init; } = 192;

    /// <summary>Grey-level change that counts as motion; above H.264 noise after the blur.</summary>
    public int PixelThreshold { get; init; } = 18;

    /// <summary>Changed share of the frame that wakes the detector: ~40 pixels at 192x144, well under one distant person.</summary>
    public double MinChangedFraction { get; init; } = 0.0015;

    /// <summary>Even in a still scene the detector runs this often, so a person standing still is re-confirmed.</summary>
    public double MaxSkipSeconds { get; init; } = 2.0;

    /// <summary>A track faster than this (pixels per frame) keeps the detector running whatever the diff says.</summary>
    public double MovingTrackSpeed { get; init; } = 0.5;
}

/// <summary>
/// Decides whether a frame needs the detector. The frame is compared with the last frame the detector
/// saw, not the previous frame, so slow motion accumulates until it is noticed instead of hiding in
/// small frame-to-frame steps.
/// </summary>
internal sealed class MotionGate(MotionOptions options) : IDisposable
{
    private readonly Mat _small = new();
    private readonly Mat _gray = new();
    private readonly Mat _diff = new();
    private Mat? _reference;
    private List<Rect>? _areas = [];
    private double _areaScale = 1;
    private DateTimeOffset _referenceTime;

    /// <summary>Share of the frame that changed since the reference, from the last call.</summary>
    public double ChangedFraction { get; private set; }

    /// <summary>Where the frame changed since the reference, in the frame's pixels; the whole frame on the first call.</summary>
    /// <remarks>
    /// Found on first use after a call, not in it: only a frame tiled by the detect stage needs them, and most
    /// cameras are analysed as one view. Valid until the next call, which reuses the difference image.
    /// </remarks>
    public IReadOnlyList<Rect> ChangedAreas => _areas ??= Areas(_diff, _areaScale);

    public bool NeedsDetection(Mat bgr, DateTimeOffset time, bool anyTrackMoving)
    {
        var height = Math.Max(1, (int)Math.Round((double)bgr.Height * options.Width / bgr.Width));
        Cv2.Resize(bgr, _small, new Size(options.Width, height), 0, 0, InterpolationFlags.Area);
        Cv2.CvtColor(_small, _gray, ColorConversionCodes.BGR2GRAY);
        Cv2.GaussianBlur(_gray, _gray, new Size(5, 5), 0);

        if (_reference is null || _reference.Size() != _gray.Size())
        {
            ChangedFraction = 1;
            _areas = [new Rect(0, 0, bgr.Width, bgr.Height)];
            Accept(time);
            return true;
        }

        Cv2.Absdiff(_gray, _reference, _diff);
        Cv2.Threshold(_diff, _diff, options.PixelThreshold, 255, ThresholdTypes.Binary);
        ChangedFraction = (double)Cv2.CountNonZero(_diff) / (_diff.Rows * _diff.Cols);
        _areaScale = (double)bgr.Width / _diff.Cols;
        _areas = ChangedFraction > 0 ? null : [];

        var detect = anyTrackMoving
            || ChangedFraction >= options.MinChangedFraction
            || (time - _referenceTime).TotalSeconds >= options.MaxSkipSeconds;
        if (detect)
        {
            Accept(time);
        }

        return detect;
    }

    /// <summary>Bounding boxes of the changed blobs, grown by a small-image pixel each way so a blob's edge is not cut.</summary>
    private static List<Rect> Areas(Mat mask, double scale)
    {
        Cv2.FindContours(mask, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var areas = new List<Rect>(contours.Length);
        foreach (var c in contours)
        {
            var r = Cv2.BoundingRect(c);
            areas.Add(new Rect(
                (int)Math.Floor((r.X - 1) * scale), (int)Math.Floor((r.Y - 1) * scale),
                (int)Math.Ceiling((r.Width + 2) * scale), (int)Math.Ceiling((r.Height + 2) * scale)));
        }

        return areas;
    }

    private void Accept(DateTimeOffset time)
    {
        _reference ??= new Mat();
        _gray.CopyTo(_reference);
        _referenceTime = time;
    }

    public void Dispose()
    {
        _small.Dispose();
        _gray.Dispose();
        _diff.Dispose();
        _reference?.Dispose();
    }
}
