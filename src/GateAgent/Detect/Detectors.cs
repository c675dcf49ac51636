using Microsoft.ML.OnnxRuntime;

namespace GateWatch.Agent.Detect;

/// <summary>Opens a detector model of either family the agent knows, told apart by its outputs.</summary>
internal static class Detectors
{
    public static IObjectDetector Load(string path, DetectorOptions options) => Create(ModelFile.LoadVerified(path), options, path);

    public static IObjectDetector Create(byte[] model, DetectorOptions options, string what = "the model")
    {
        using var so = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.Threads,
            InterOpNumThreads = 1,
        };
        InferenceSession session;
        try
        {
            session = new InferenceSession(model, so);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelException($"{what}: not a model ONNX Runtime can open: {e.Message}");
        }

        try
        {
            var outputs = session.OutputMetadata;
            if (outputs.Count == 1 && outputs.Values.Single().Dimensions is [_, _, 85])
            {
                return new YoloxDetector(session, options);
            }

            if (NanoDetDetector.Fits(outputs))
            {
                return new NanoDetDetector(session, options);
            }

            throw new ModelException(
                $"{what}: outputs {string.Join(", ", outputs.Select(o => $"{o.Key} [{string.Join(", ", o.Value.Dimensions)}]"))} are neither YOLOX's nor NanoDet's");
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }
}
