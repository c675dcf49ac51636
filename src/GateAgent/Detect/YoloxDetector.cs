using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace GateWatch.Agent.Detect;

/// <summary>
/// YOLOX (COCO, the 0.1.1rc0 weights) through ONNX Runtime: raw BGR 0..255 in, pasted at the top-left of a
/// 114-grey canvas as YOLOX's own preprocessing does; one [1, cells, 85] output of centre, log-size,
/// objectness and class scores per grid cell of strides 8, 16 and 32.
/// </summary>
internal sealed class YoloxDetector : IObjectDetector
{
    private const int Columns = 85;

    private static readonly int[] Strides = [8, 16, 32];

    private readonly InferenceSession _session;
    private readonly DetectorOptions _options;
    private readonly string _inputName;
    private readonly Letterbox _letterbox;

    public YoloxDetector(InferenceSession session, DetectorOptions options)
    {
        _session = session;
        _options = options;
        _inputName = session.InputMetadata.Keys.Single();
        var dims = session.InputMetadata[_inputName].Dimensions;
        InputSize = new Size(dims[3], dims[2]);
        var cells = Strides.Sum(s => (InputSize.Width / s) * (InputSize.Height / s));
        var output = session.OutputMetadata.Values.Single().Dimensions;
        if (output.Length != 3 || output[1] != cells || output[2] != Columns)
        {
            throw new ModelException(
                $"the model's output [{string.Join(", ", output)}] is not YOLOX's [1, {cells}, {Columns}] for a {InputSize.Width}x{InputSize.Height} input");
        }

        // YOLOX since 0.1.1rc0 takes raw pixels: mean 0, std 1.
        _letterbox = new Letterbox(InputSize, centred: false, [0, 0, 0], [1, 1, 1], InterpolationFlags.Linear);
    }

    public string Name => $"yolox-nano {InputSize.Width}x{InputSize.Height}";

    public Size InputSize { get; }

    public List<Detection> Detect(Mat bgr)
    {
        _letterbox.Fill(bgr);
        using var outputs = Infer();
        var rows = outputs[0].GetTensorDataAsSpan<float>();
        var candidates = new List<Detection>();
        var row = 0;
        foreach (var stride in Strides)
        {
            var cols = InputSize.Width / stride;
            var cells = cols * (InputSize.Height / stride);
            for (var cell = 0; cell < cells; cell++, row++)
            {
                var r = rows.Slice(row * Columns, Columns);
                var objectness = r[4];

                // A class score is objectness x class probability, so a low objectness rules the row out at once.
                if (objectness < _options.MinScore)
                {
                    continue;
                }

                var best = -1;
                var bestScore = _options.MinScore;
                foreach (var coco in ObjectClasses.CocoIds)
                {
                    var score = objectness * r[5 + coco];
                    if (score >= bestScore)
                    {
                        best = coco;
                        bestScore = score;
                    }
                }

                if (best < 0)
                {
                    continue;
                }

                var cx = (r[0] + (cell % cols)) * stride;
                var cy = (r[1] + (cell / cols)) * stride;
                var w = MathF.Exp(r[2]) * stride;
                var h = MathF.Exp(r[3]) * stride;
                var box = _letterbox.ToSource(cx - (w / 2), cy - (h / 2), cx + (w / 2), cy + (h / 2));
                if (box.Width > 1 && box.Height > 1)
                {
                    candidates.Add(new Detection(box, ObjectClasses.FromCoco(best)!.Value, bestScore));
                }
            }
        }

        return Nms.Suppress(candidates, _options.NmsIoU);
    }

    public void Preprocess(Mat bgr) => _letterbox.Fill(bgr);

    public void InferOnly() => Infer().Dispose();

    private IDisposableReadOnlyCollection<OrtValue> Infer()
    {
        using var input = OrtValue.CreateTensorValueFromMemory(_letterbox.Tensor, [1, 3, InputSize.Height, InputSize.Width]);
        using var runOptions = new RunOptions();
        return _session.Run(runOptions, [_inputName], [input], _session.OutputNames);
    }

    public void Dispose()
    {
        _session.Dispose();
        _letterbox.Dispose();
    }
}
