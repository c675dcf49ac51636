using GateWatch.Agent.Detect;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace GateWatch.Agent.Crowd;

/// <summary>
/// Counts a crowd that boxes cannot: the shipped density model (models/crowd_density.onnx, models/README.md) is the
/// detector's own frozen backbone up to its stride-8 features with a regression head trained on head points, so its
/// map sums to the number of people however hidden their bodies are. It sees the picture at its own size (the
/// network is fully convolutional), padded to the coarsest stride.
/// </summary>
internal sealed class DensityCounter : IDisposable
{
    public const string DefaultName = "crowd_density.onnx";

    /// <summary>SHA-256 of models/crowd_density.onnx as models/train_density.py makes it (also in its .sha256 file).</summary>
    public const string Sha256 = "039fa60524fd6bbd8bbd8c9e0e0e75848756e41a6a09782d0f9b3812cd7507a8";

    /// <summary>The backbone's coarsest stride: the picture is padded to a multiple of it.</summary>
    private const int Alignment = 32;

    /// <summary>The density map's stride in the picture the model sees.</summary>
    private const int Stride = 8;

    /// <summary>
    /// The longest side the model is shown. The head was trained on 1024x768 and 640x360 pictures, where heads are
    /// 8-40 px; a 1080p or 4K gate camera is shrunk to this so its heads stay near that size, and so that one
    /// estimate costs about what a 1024x768 one does.
    /// </summary>
    public const int MaxSide = 1280;

    /// <summary>
    /// Cells estimated below this many people are taken as empty. The head answers a small positive floor on plain
    /// surfaces (a grey picture: 0.004 per cell, 20 "people" over 640x480) which a sum over a whole frame turns into
    /// a crowd; a real head's blur puts more than this in each of its 3x3 cells. Chosen on the training splits only
    /// (every other picture, thresholds 0 to 0.03): 0.005 gave the lowest error on both (ShanghaiTech B train MAE
    /// 11.9 to 10.7, Beijing BRT train 2.5 to 1.9).
    /// </summary>
    public const float MinCell = 0.005f;

    private readonly InferenceSession _session;
    private readonly string _input;

    private DensityCounter(InferenceSession session)
    {
        _session = session;
        _input = session.InputMetadata.Keys.Single();
    }

    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "models", DefaultName);

    /// <summary>Loads the model after checking its SHA-256 (the shipped one's, or a park's own beside its <c>.sha256</c>).</summary>
    public static DensityCounter Load(string? path = null, int threads = 1)
    {
        path ??= DefaultPath;
        const string What = "crowd density model";
        var bytes = Path.GetFileName(path) == DefaultName
            ? ModelFile.LoadVerified(path, Sha256, What, "it ships in models/; models/train_density.py remakes it")
            : File.Exists(path)
                ? ModelFile.LoadVerified(path, ModelFile.SidecarSha256(path), What, "remake it with models/train_density.py")
                : throw new ModelException($"{path}: {What} not found");

        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            return new DensityCounter(new InferenceSession(bytes, options));
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelException($"{path}: not a model ONNX Runtime can load ({e.Message})");
        }
    }

    /// <summary>
    /// A picture smaller than the street photos the head learned dense crowds from (<see cref="TrainedSide"/>), whose
    /// first estimate reaches this many people, is looked at again enlarged to that size (at most
    /// <see cref="MaxEnlarge"/> times), and the second estimate is the answer. The agent analyses frames 640 wide, where
    /// a dense crowd's heads are 4-6 px, below what the stride-8 head resolves: it undercounts them, and enlarged to the
    /// scale it was trained at, it counts them. A sparse scene is left at its own size: there enlarging overcounts
    /// (large heads split; Beijing BRT train at 2x: MAE 2.0 -> 3.2). Measured on ShanghaiTech B train shrunk to 640x480
    /// (never a test picture): MAE 23.5 -> 13.4, RMSE 42.3 -> 23.1 (the 100+ band 41.6 -> 22.2). The threshold was
    /// chosen on the training splits (0-200 by 10): 40-60 did about equally well there, 50 left Beijing BRT train as
    /// it was (9 of its 720 frames reach it). Enlarging pictures that are already at the trained size (1024x768 by
    /// 1.25) was tried and not kept: on the training split it seemed to help (RMSE 17.2 -> 16.0), on held-out pictures
    /// it mostly overcounted the 20-100 band.
    /// </summary>
    public const double DenseRecheck = 50;

    /// <summary>The longest side of the street photos the head learned dense crowds from (ShanghaiTech B, 1024x768).</summary>
    public const int TrainedSide = 1024;

    /// <summary>The most a picture is enlarged for the second look: 2x was measured (a 640-wide frame to 1280), more was not.</summary>
    public const double MaxEnlarge = 2.0;

    /// <summary>The density of a BGR picture, in that picture's pixels.</summary>
    public DensityMap Estimate(Mat bgr)
    {
        if (bgr.Empty() || bgr.Channels() != 3)
        {
            throw new ArgumentException("a 3-channel BGR picture is needed", nameof(bgr));
        }

        var longest = Math.Max(bgr.Width, bgr.Height);
        var scale = Math.Min(1.0, (double)MaxSide / longest);
        var map = EstimateAt(bgr, scale);
        var closer = Math.Min(MaxEnlarge, (double)TrainedSide / longest);
        return closer > scale * 1.05 && map.Total() >= DenseRecheck ? EstimateAt(bgr, closer) : map;
    }

    /// <summary>The density of the picture shown to the model at <paramref name="scale"/> times its size.</summary>
    private DensityMap EstimateAt(Mat bgr, double scale)
    {
        var w = Math.Max(1, (int)Math.Round(bgr.Width * scale));
        var h = Math.Max(1, (int)Math.Round(bgr.Height * scale));
        using var resized = scale != 1.0
            ? bgr.Resize(new Size(w, h), 0, 0, scale < 1.0 ? InterpolationFlags.Area : InterpolationFlags.Cubic)
            : null;
        var shown = resized ?? bgr;
        var paddedW = (w + Alignment - 1) / Alignment * Alignment;
        var paddedH = (h + Alignment - 1) / Alignment * Alignment;
        var tensor = new DenseTensor<float>([1, 3, paddedH, paddedW]);
        Fill(shown, tensor.Buffer.Span, paddedW, paddedH);

        using var outputs = _session.Run([NamedOnnxValue.CreateFromTensor(_input, tensor)]);
        var map = outputs[0].AsTensor<float>();
        var dims = map.Dimensions;
        var rows = dims[2];
        var columns = dims[3];
        if (rows != paddedH / Stride || columns != paddedW / Stride)
        {
            throw new ModelException($"the density model answered a {columns}x{rows} map for a {paddedW}x{paddedH} picture; expected stride {Stride}");
        }

        var cells = new float[rows * columns];
        var i = 0;
        foreach (var v in map)
        {
            // A NaN from a damaged model must not poison a zone's sum.
            cells[i++] = float.IsFinite(v) && v >= MinCell ? v : 0;
        }

        return new DensityMap(cells, columns, rows, Stride / scale, bgr.Width, bgr.Height);
    }

    /// <summary>Raw BGR 0..255 planes (the YOLOX backbone's input), padded with the grey YOLOX's letterbox uses.</summary>
    private static unsafe void Fill(Mat bgr, Span<float> dst, int paddedW, int paddedH)
    {
        const float Pad = 114f;
        dst.Fill(Pad);
        var plane = paddedW * paddedH;
        var height = bgr.Height;
        var width = bgr.Width;
        for (var y = 0; y < height; y++)
        {
            var row = (byte*)bgr.Ptr(y);
            var o = y * paddedW;
            for (var x = 0; x < width; x++)
            {
                dst[o + x] = row[(3 * x) + 0];
                dst[plane + o + x] = row[(3 * x) + 1];
                dst[(2 * plane) + o + x] = row[(3 * x) + 2];
            }
        }
    }

    public void Dispose() => _session.Dispose();
}
