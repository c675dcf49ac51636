using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace GateWatch.Agent.Plates;

/// <summary>A text line found in a picture: a rotated rectangle in the picture's pixels and the detector's mean probability inside it.</summary>
internal readonly record struct TextBox(RotatedRect Rect, float Score)
{
    /// <summary>The upright rectangle around the line, clipped to a picture of the given size.</summary>
    public Rect Bounds(Size picture)
    {
        var r = Rect.BoundingRect();
        var x1 = Math.Clamp(r.X, 0, picture.Width);
        var y1 = Math.Clamp(r.Y, 0, picture.Height);
        var x2 = Math.Clamp(r.Right, 0, picture.Width);
        var y2 = Math.Clamp(r.Bottom, 0, picture.Height);
        return new Rect(x1, y1, x2 - x1, y2 - y1);
    }
}

/// <summary>
/// PP-OCRv4's text detector (DB, "Differentiable Binarization"): a per-pixel text probability map, thresholded
/// into blobs whose minimum-area rectangles, grown back by the shrink the model was trained with, are the lines.
/// </summary>
internal sealed class TextDetector : IDisposable
{
    // ImageNet mean and std, applied to the B, G, R planes in that order: PaddleOCR reads pictures with OpenCV
    // and normalises the planes as they come (../shared/models/PLATES.md).
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    private readonly InferenceSession _session;
    private readonly string _input;

    public TextDetector(InferenceSession session)
    {
        _session = session;
        _input = session.InputMetadata.Keys.Single();
    }

    /// <summary>Pixels above this probability are text (PaddleOCR's det_db_thresh).</summary>
    public float PixelThreshold { get; init; } = 0.3f;

    /// <summary>A blob whose mean probability is below this is noise (PaddleOCR's det_db_box_thresh).</summary>
    public float BoxThreshold { get; init; } = 0.6f;

    /// <summary>
    /// How far a blob is grown back, as area x ratio / perimeter: the model was trained to mark a line's core
    /// shrunk by that much (PaddleOCR's unclip_ratio).
    /// </summary>
    public float UnclipRatio { get; init; } = 1.5f;

    /// <summary>
    /// Lines in <paramref name="bgr"/>, resized so that its longer side is <paramref name="longSide"/> (each side a
    /// multiple of 32, as the network's strides need). Boxes come back in the picture's pixels.
    /// </summary>
    public List<TextBox> Detect(Mat bgr, int longSide)
    {
        var scale = (double)longSide / Math.Max(bgr.Width, bgr.Height);
        var w = Math.Max(32, (int)Math.Round(bgr.Width * scale / 32) * 32);
        var h = Math.Max(32, (int)Math.Round(bgr.Height * scale / 32) * 32);
        using var resized = new Mat();
        Cv2.Resize(bgr, resized, new Size(w, h), 0, 0, InterpolationFlags.Linear);
        var tensor = new DenseTensor<float>([1, 3, h, w]);
        Fill(resized, tensor.Buffer.Span);

        using var outputs = _session.Run([NamedOnnxValue.CreateFromTensor(_input, tensor)]);
        var map = outputs[0].AsTensor<float>();
        var probability = new float[w * h];
        var i = 0;
        foreach (var p in map)
        {
            probability[i++] = p;
        }

        return Boxes(probability, w, h, (double)bgr.Width / w, (double)bgr.Height / h);
    }

    private static void Fill(Mat bgr, Span<float> dst)
    {
        var plane = bgr.Width * bgr.Height;
        unsafe
        {
            var src = (byte*)bgr.Data;
            for (var c = 0; c < 3; c++)
            {
                var scale = 1f / (255f * Std[c]);
                var offset = Mean[c] / Std[c];
                var d = dst.Slice(c * plane, plane);
                for (var i = 0; i < plane; i++)
                {
                    d[i] = (src[(3 * i) + c] * scale) - offset;
                }
            }
        }
    }

    private List<TextBox> Boxes(float[] probability, int w, int h, double sx, double sy)
    {
        using var bitmap = new Mat(h, w, MatType.CV_8UC1);
        unsafe
        {
            var b = (byte*)bitmap.Data;
            for (var i = 0; i < probability.Length; i++)
            {
                b[i] = probability[i] > PixelThreshold ? (byte)255 : (byte)0;
            }
        }

        Cv2.FindContours(bitmap, out var contours, out _, RetrievalModes.List, ContourApproximationModes.ApproxSimple);
        var boxes = new List<TextBox>();
        foreach (var contour in contours)
        {
            if (contour.Length < 3)
            {
                continue;
            }

            var rect = Cv2.MinAreaRect(contour);
            if (Math.Min(rect.Size.Width, rect.Size.Height) < 3)
            {
                continue;
            }

            var score = MeanInside(probability, w, h, contour);
            if (score < BoxThreshold)
            {
                continue;
            }

            // Growing a rectangle by distance d on every side is what the polygon offset of DB's unclip does to it,
            // less the rounded corners, which the minimum-area rectangle PaddleOCR takes afterwards drops anyway.
            var area = rect.Size.Width * rect.Size.Height;
            var perimeter = 2 * (rect.Size.Width + rect.Size.Height);
            var d = area * UnclipRatio / perimeter;
            var grown = new Size2f(rect.Size.Width + (2 * d), rect.Size.Height + (2 * d));
            if (Math.Min(grown.Width, grown.Height) < 5)
            {
                continue;
            }

            // Back to the picture: the resize may stretch the two axes differently, so scale the corners, not the size.
            var corners = new RotatedRect(rect.Center, grown, rect.Angle).Points()
                .Select(p => new Point2f((float)(p.X * sx), (float)(p.Y * sy)))
                .ToArray();
            boxes.Add(new TextBox(Cv2.MinAreaRect(corners), score));
        }

        return boxes;
    }

    /// <summary>The mean probability inside the contour (PaddleOCR's "slow" box score, exact for slanted lines).</summary>
    private static float MeanInside(float[] probability, int w, int h, Point[] contour)
    {
        var bounds = Cv2.BoundingRect(contour) & new Rect(0, 0, w, h);
        if (bounds.Width <= 0 || bounds.Height <= 0)
        {
            return 0;
        }

        using var mask = new Mat(bounds.Height, bounds.Width, MatType.CV_8UC1, Scalar.All(0));
        var shifted = contour.Select(p => new Point(p.X - bounds.X, p.Y - bounds.Y)).ToArray();
        Cv2.FillPoly(mask, [shifted], Scalar.All(255));
        double sum = 0;
        var n = 0;
        unsafe
        {
            var m = (byte*)mask.Data;
            for (var y = 0; y < bounds.Height; y++)
            {
                for (var x = 0; x < bounds.Width; x++)
                {
                    if (m[(y * bounds.Width) + x] != 0)
                    {
                        sum += probability[((bounds.Y + y) * w) + bounds.X + x];
                        n++;
                    }
                }
            }
        }

        return n == 0 ? 0 : (float)(sum / n);
    }

    public void Dispose() => _session.Dispose();
}
