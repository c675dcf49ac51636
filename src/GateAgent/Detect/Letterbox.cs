using OpenCvSharp;

namespace GateWatch.Agent.Detect;

/// <summary>
/// Fits a picture into a model's input with its aspect ratio kept (people and motorbikes are not squashed),
/// and fills the model's CHW float input the way that model was trained. Remembers how to map model pixels
/// back to the picture.
/// </summary>
internal sealed class Letterbox : IDisposable
{
    /// <summary>Padding grey of the letterbox; both NanoDet and YOLOX were trained with 114, which reads as "nothing here".</summary>
    private const byte PadValue = 114;

    private readonly Mat _canvas;
    private readonly bool _centred;
    private readonly float[] _mean;
    private readonly float[] _invStd;
    private readonly InterpolationFlags _interpolation;

    /// <param name="mean">Per channel of the canvas (B, G, R) subtracted before scaling.</param>
    /// <param name="std">Per channel divisor.</param>
    /// <param name="centred">NanoDet's letterbox is centred; YOLOX pastes at the top-left corner.</param>
    public Letterbox(Size input, bool centred, float[] mean, float[] std, InterpolationFlags interpolation)
    {
        Input = input;
        _centred = centred;
        _mean = mean;
        _invStd = std.Select(s => 1f / s).ToArray();
        _interpolation = interpolation;
        _canvas = new Mat(input.Height, input.Width, MatType.CV_8UC3);
        Tensor = new float[3 * input.Width * input.Height];
    }

    public Size Input { get; }

    /// <summary>The model's input, NCHW with N = 1, channels in the canvas's BGR order.</summary>
    public float[] Tensor { get; }

    public float Scale { get; private set; } = 1;

    public int PadX { get; private set; }

    public int PadY { get; private set; }

    public void Fill(Mat bgr)
    {
        var scale = Math.Min((float)Input.Width / bgr.Width, (float)Input.Height / bgr.Height);
        var w = Math.Clamp((int)Math.Round(bgr.Width * scale), 1, Input.Width);
        var h = Math.Clamp((int)Math.Round(bgr.Height * scale), 1, Input.Height);
        PadX = _centred ? (Input.Width - w) / 2 : 0;
        PadY = _centred ? (Input.Height - h) / 2 : 0;
        Scale = scale;

        _canvas.SetTo(new Scalar(PadValue, PadValue, PadValue));
        using (var roi = new Mat(_canvas, new Rect(PadX, PadY, w, h)))
        {
            Cv2.Resize(bgr, roi, new Size(w, h), 0, 0, _interpolation);
        }

        var plane = Input.Width * Input.Height;
        float m0 = _mean[0], m1 = _mean[1], m2 = _mean[2], s0 = _invStd[0], s1 = _invStd[1], s2 = _invStd[2];
        unsafe
        {
            var src = (byte*)_canvas.Data;
            fixed (float* dst = Tensor)
            {
                for (var i = 0; i < plane; i++)
                {
                    dst[i] = (src[3 * i] - m0) * s0;
                    dst[plane + i] = (src[(3 * i) + 1] - m1) * s1;
                    dst[(2 * plane) + i] = (src[(3 * i) + 2] - m2) * s2;
                }
            }
        }
    }

    /// <summary>A box in model pixels back in the picture's pixels.</summary>
    public Box ToSource(float x1, float y1, float x2, float y2) =>
        new((x1 - PadX) / Scale, (y1 - PadY) / Scale, (x2 - PadX) / Scale, (y2 - PadY) / Scale);

    public void Dispose() => _canvas.Dispose();
}
