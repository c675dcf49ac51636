using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace GateWatch.Agent.Detect;

/// <summary>
/// NanoDet-g (COCO) through ONNX Runtime: a 416x416 input, centred letterbox, and per stride a pair of outputs
/// (sigmoid class scores, 4 x 11 distance bins per box side).
/// </summary>
internal sealed class NanoDetDetector : IObjectDetector
{
    public const int Side = 416;

    /// <summary>Bins per box side in NanoDet's general distribution head.</summary>
    private const int Bins = 11;

    private const int CocoClasses = 80;

    private static readonly int[] Strides = [8, 16, 32];

    private readonly InferenceSession _session;
    private readonly DetectorOptions _options;
    private readonly string _inputName;
    private readonly List<Head> _heads;

    // The weights were trained on OpenCV BGR pictures normalised with these numbers (nanodet-g.yml); the RGB 0..1
    // input a JavaScript wrapper feeds loses almost every motorbike (../shared/models/NANODET.md).
    private readonly Letterbox _letterbox = new(
        new Size(Side, Side), centred: true, [103.53f, 116.28f, 123.675f], [57.375f, 57.12f, 58.395f], InterpolationFlags.Area);

    public NanoDetDetector(InferenceSession session, DetectorOptions options)
    {
        _options = options;
        _session = session;
        _inputName = _session.InputMetadata.Keys.Single();
        _heads = MapHeads(_session.OutputMetadata);
    }

    public string Name => $"nanodet-g {Side}x{Side}";

    public Size InputSize => new(Side, Side);

    public List<Detection> Detect(Mat bgr)
    {
        _letterbox.Fill(bgr);
        return Decode(Infer());
    }

    public void Preprocess(Mat bgr) => _letterbox.Fill(bgr);

    public void InferOnly() => Infer().Dispose();

    private IDisposableReadOnlyCollection<OrtValue> Infer()
    {
        using var input = OrtValue.CreateTensorValueFromMemory(_letterbox.Tensor, [1, 3, Side, Side]);
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
                var grid = Side / head.Stride;
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
                    var box = _letterbox.ToSource(px - dist[0], py - dist[1], px + dist[2], py + dist[3]);
                    if (box.Width > 1 && box.Height > 1)
                    {
                        candidates.Add(new Detection(box, ObjectClasses.FromCoco(best)!.Value, bestScore));
                    }
                }
            }

            return Nms.Suppress(candidates, _options.NmsIoU);
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

    /// <summary>True when the outputs look like NanoDet's: score outputs of 80 classes and box outputs of 44 bins.</summary>
    public static bool Fits(IReadOnlyDictionary<string, NodeMetadata> outputs) =>
        outputs.Values.Any(o => o.Dimensions[^1] == CocoClasses) && outputs.Values.Any(o => o.Dimensions[^1] == 4 * Bins);

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
        var total = Strides.Sum(s => (Side / s) * (Side / s));
        if (scores.Count == 1 && boxes.Count == 1 && Cells(scores[0]) == total && Cells(boxes[0]) == total)
        {
            var offset = 0;
            foreach (var stride in Strides)
            {
                heads.Add(new Head(stride, names.IndexOf(scores[0]), names.IndexOf(boxes[0]), offset));
                offset += (Side / stride) * (Side / stride);
            }

            return heads;
        }

        foreach (var stride in Strides)
        {
            var cells = (Side / stride) * (Side / stride);
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
