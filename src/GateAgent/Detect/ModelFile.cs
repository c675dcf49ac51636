using System.Security.Cryptography;

namespace GateWatch.Agent.Detect;

/// <summary>A model file that is missing or not the one the project ships.</summary>
internal sealed class ModelException(string message) : Exception(message);

/// <summary>The detector the agent ships with, and the check that it is byte-for-byte that file.</summary>
internal static class ModelFile
{
    /// <summary>SHA-256 of models/nanodet.onnx as produced by models/get-model.sh (also in models/nanodet.onnx.sha256).</summary>
    public const string NanoDetSha256 = "c9bdc379dcf29733397d56afe3cb75dd0f9b90da96eb4457dfb06157e114d33a";

    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "models", "nanodet.onnx");

    /// <summary>Refuses a missing or altered model: a detector with corrupt weights fails silently, counting nobody.</summary>
    public static byte[] LoadVerified(string path, string expectedSha256 = NanoDetSha256)
    {
        if (!File.Exists(path))
        {
            throw new ModelException($"{path}: detector model not found; run models/get-model.sh or pass --model");
        }

        var bytes = File.ReadAllBytes(path);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelException(
                $"{path}: detector model is corrupt or not the shipped one: SHA-256 {actual}, expected {expectedSha256}; run models/get-model.sh");
        }

        return bytes;
    }
}
