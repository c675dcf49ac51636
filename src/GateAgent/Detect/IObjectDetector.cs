using OpenCvSharp;

namespace GateWatch.Agent.Detect;

/// <summary>One COCO detector session: a picture (or a part of one) in, boxes of the six gate classes out.</summary>
internal interface IObjectDetector : IDisposable
{
    /// <summary>What the model is, for logs, the benchmark and the detect command's summary ("yolox-nano 640x384").</summary>
    string Name { get; }

    /// <summary>The model's input in pixels; a picture of another shape is letterboxed into it.</summary>
    Size InputSize { get; }

    /// <summary>Detections in <paramref name="bgr"/>'s own pixels, all classes, down to the options' minimum score.</summary>
    List<Detection> Detect(Mat bgr);

    /// <summary>Letterboxes and fills the model's input alone; the benchmark times it apart from inference.</summary>
    void Preprocess(Mat bgr);

    /// <summary>Inference alone on whatever the input buffer holds; the benchmark's model-rate reference.</summary>
    void InferOnly();
}
