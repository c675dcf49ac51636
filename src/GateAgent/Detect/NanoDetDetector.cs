using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace GateWatch.Agent.Detect;

internal sealed record DetectorOptions
{
    /// <summary>Detections down to this score are kept for the tracker's second, low-score association pass.</summary>
    public float MinScore { get; init; } = 0.1f;

    /// <summary>Overlap above which two boxes of one kind are the same object. 0.6 keeps people walking side by side apart.</summary>
    public float NmsIoU { get; init; } = 0.6f;

    /// <summary>ONNX Runtime intra-op threads; 0 lets it pick (all cores).</summary>
    public int Threads { get; init; } = 1;
}

/// <summary>
/// NanoDet (COCO) through ONNX Runtime. The frame is letterboxed into the model's square input with its
/// aspect ratio kept, so people are not squashed, and boxes are mapped back to source pixels.
/// </summary>
internal sealed class NanoDetDetector : IDisposable
{
    public const int InputSize = 416;

    /// <summary>Bins per box side in NanoDet's general distribution head.</summary>
    private const int Bins = 11;

    private const int CocoClasses = 80;

    /// <summary>Padding grey of the letterbox; mid-grey reads as "nothing here" to a COCO detector.</summary>
    private const byte PadValue = 114;

    private static readonly int[] Strides = [8, 16, 32];

    private readonly InferenceSession _session;
    private readonly DetectorOptions _options;
    private readonly string _inputName;
    private readonly float[] _input = new float[3 * InputSize * InputSize];
    private readonly Mat _letterbox = new(InputSize, InputSize, MatType.CV_8UC3);
    private readonly List<Head> _heads;

    /// <summary>Letterbox scale and offsets of the last frame, to map model pixels back to the source.</summary>
    private (float Scale, int PadX, int PadY) _map;

    public NanoDetDetector(byte[] model, DetectorOptions options)
    {
        _options = options;
        using var so = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.Threads,
            InterOpNumThreads = 1,
        };
        _session = new InferenceSession(model, so);
        _inputName = _session.InputMetadata.Keys.Single();
        _heads = MapHeads(_session.OutputMetadata);
    }

    public static NanoDetDetector Load(string path, DetectorOptions options) => new(ModelFile.LoadVerified(path), options);

    public List<Detection> Detect(Mat bgr)
    {
        Preprocess(bgr);
        return Decode(Infer());
    }

    /// <summary>Inference alone on whatever the input buffer holds; the benchmark's model-rate reference.</summary>
    internal void InferOnly() => Infer().Dispose();

    internal void Preprocess(Mat bgr)
    {
        var scale = Math.Min((float)InputSize / bgr.Width, (float)InputSize / bgr.Height);
        var w = (int)Math.Round(bgr.Width * scale);
        var h = (int)Math.Round(bgr.Height * scale);
        var padX = (InputSize - w) / 2;
        var padY = (InputSize - h) / 2;
        _map = (scale, padX, padY);

        _letterbox.SetTo(new Scalar(PadValue, PadValue, PadValue));
        using (var roi = new Mat(_letterbox, new Rect(padX, padY, w, h)))
        {
            Cv2.Resize(bgr, roi, new Size(w, h), 0, 0, InterpolationFlags.Area);
        }

        // BGR HWC bytes -> RGB CHW floats in 0..1, as the model was trained.
        const int plane = InputSize * InputSize;
        unsafe
        {
            var src = (byte*)_letterbox.Data;
            fixed (float* dst = _input)
            {
                for (var i = 0; i < plane; i++)
                {
                    dst[i] = src[(3 * i) + 2] * (1f / 255);
                    dst[plane + i] = src[(3 * i) + 1] * (1f / 255);
                    dst[(2 * plane) + i] = src[3 * i] * (1f / 255);
                }
            }
        }
    }

    private IDisposableReadOnlyCollection<OrtValue> Infer()
    {
        using var input = OrtValue.CreateTensorValueFromMemory(_input, [1, 3, InputSize, InputSize]);
        using var runOptions = new RunOptions();
        return _session.Run(runOptions, [_inputName], [input], _session.OutputNames);
    }

    private List<Detection> Decode(IDisposableReadOnlyCollection<OrtValue> outputs)
    {
        using (outputs)
        {
            var candidates = new List<Detection>();
            Span<float> dist = stackalloc float[4];
            foreach (var head in _heads)
            {
                var scores = outputs[head.ScoresOutput].GetTensorDataAsSpan<float>();
                var boxes = outputs[head.BoxesOutput].GetTensorDataAsSpan<float>();
                var grid = InputSize / head.Stride;
                for (var cell = 0; cell < grid * grid; cell++)
                {
                    var row = head.CellOffset + cell;
                    var classScores = scores.Slice(row * CocoClasses, CocoClasses);
                    var best = -1;
                    var bestScore = _options.MinScore;
                    foreach (var coco in ObjectClasses.CocoIds)
                    {
                        if (classScores[coco] >= bestScore)
                        {
                            best = coco;
                            bestScore = classScores[coco];
                        }
                    }

                    if (best < 0)
                    {
                        continue;
                    }

                    var bins = boxes.Slice(row * 4 * Bins, 4 * Bins);
                    for (var side = 0; side < 4; side++)
                    {
                        dist[side] = Expectation(bins.Slice(side * Bins, Bins)) * head.Stride;
                    }

                    // The prior point is the cell's centre; NanoDet's head adds half a cell (checked against
                    // PETS ground truth: at the corner, half of the boxes miss their person).
                    var px = ((cell % grid) + 0.5f) * head.Stride;
                    var py = ((cell / grid) + 0.5f) * head.Stride;
                    var box = ToSource(px - dist[0], py - dist[1], px + dist[2], py + dist[3]);
                    if (box.Width > 1 && box.Height > 1)
                    {
                        candidates.Add(new Detection(box, ObjectClasses.FromCoco(best)!.Value, bestScore));
                    }
                }
            }

            return NonMaxSuppression(candidates, _options.NmsIoU);
        }
    }

    /// <summary>Softmax expectation over a side's distance bins (in strides).</summary>
    private static float Expectation(ReadOnlySpan<float> logits)
    {
        var max = float.NegativeInfinity;
        foreach (var v in logits)
        {
            max = Math.Max(max, v);
        }

        float sum = 0, weighted = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            var e = MathF.Exp(logits[i] - max);
            sum += e;
            weighted += e * i;
        }

        return weighted / sum;
    }

    private Box ToSource(float x1, float y1, float x2, float y2)
    {
        var (s, px, py) = _map;
        return new Box((x1 - px) / s, (y1 - py) / s, (x2 - px) / s, (y2 - py) / s);
    }

    /// <summary>Greedy NMS within a kind (vehicles are one kind: a van is car and truck at once).</summary>
    internal static List<Detection> NonMaxSuppression(List<Detection> candidates, float iouThreshold)
    {
        candidates.Sort((a, b) => b.Score.CompareTo(a.Score));
        var kept = new List<Detection>();
        foreach (var c in candidates)
        {
            var suppressed = false;
            foreach (var k in kept)
            {
                if (ObjectClasses.SameKind(k.Class, c.Class) && k.Box.IoU(c.Box) > iouThreshold)
                {
                    suppressed = true;
                    break;
                }
            }

            if (!suppressed)
            {
                kept.Add(c);
            }
        }

        return kept;
    }

    /// <summary>
    /// Finds the score/box output pair of each stride by shape: [1,N,80] scores and [1,N,44] boxes, either one
    /// pair per stride (N = 52², 26², 13²) or one concatenated pair in stride order.
    /// </summary>
    private static List<Head> MapHeads(IReadOnlyDictionary<string, NodeMetadata> outputs)
    {
        var names = outputs.Keys.ToList();
        int Cells(string n) => outputs[n].Dimensions[1];
        int Last(string n) => outputs[n].Dimensions[^1];
        var scores = names.Where(n => Last(n) == CocoClasses).ToList();
        var boxes = names.Where(n => Last(n) == 4 * Bins).ToList();
        var heads = new List<Head>();
        var total = Strides.Sum(s => (InputSize / s) * (InputSize / s));
        if (scores.Count == 1 && boxes.Count == 1 && Cells(scores[0]) == total && Cells(boxes[0]) == total)
        {
            var offset = 0;
            foreach (var stride in Strides)
            {
                heads.Add(new Head(stride, names.IndexOf(scores[0]), names.IndexOf(boxes[0]), offset));
                offset += (InputSize / stride) * (InputSize / stride);
            }

            return heads;
        }

        foreach (var stride in Strides)
        {
            var cells = (InputSize / stride) * (InputSize / stride);
            var s = scores.SingleOrDefault(n => Cells(n) == cells);
            var b = boxes.SingleOrDefault(n => Cells(n) == cells);
            if (s is null || b is null)
            {
                throw new ModelException($"the model's outputs ({string.Join(", ", names)}) are not NanoDet's: no stride-{stride} head of {cells} cells");
            }

            heads.Add(new Head(stride, names.IndexOf(s), names.IndexOf(b), 0));
        }

        return heads;
    }

    public void Dispose()
    {
        _session.Dispose();
        _letterbox.Dispose();
    }

    private sealed record Head(int Stride, int ScoresOutput, int BoxesOutput, int CellOffset);
}
