using System.Security.Cryptography;

namespace GateWatch.Agent.Detect;

/// <summary>A model file that is missing or not the one the project ships.</summary>
internal sealed class ModelException(string message) : Exception(message);

/// <summary>The detectors the agent ships with, and the check that a model is byte-for-byte the file it claims to be.</summary>
internal static class ModelFile
{
    /// <summary>The default detector: YOLOX-Nano with a 16:9-friendly input (models/README.md says why).</summary>
    public const string DefaultName = "yolox_nano_640x384.onnx";

    /// <summary>SHA-256 of models/yolox_nano_640x384.onnx as made by models/get-yolox.sh (also in its .sha256 file).</summary>
    public const string YoloxSha256 = "c4de1f2610bb8c9bdf4af36f237d701f9370a621b4037503b5979a8eb7d07ab0";

    /// <summary>SHA-256 of models/nanodet.onnx as produced by models/get-model.sh (also in models/nanodet.onnx.sha256).</summary>
    public const string NanoDetSha256 = "c9bdc379dcf29733397d56afe3cb75dd0f9b90da96eb4457dfb06157e114d33a";

    /// <summary>Shipped models by file name: a file of one of these names must be that file.</summary>
    public static readonly IReadOnlyDictionary<string, string> Shipped = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [DefaultName] = YoloxSha256,
        ["nanodet.onnx"] = NanoDetSha256,
    };

    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "models", DefaultName);

    /// <summary>
    /// Refuses a missing or altered model: a detector with corrupt weights fails silently, counting nobody. A shipped
    /// model is checked against the hash built into the agent; any other model (a park's own) against the
    /// <c>FILE.sha256</c> beside it, which whoever made the model writes.
    /// </summary>
    public static byte[] LoadVerified(string path)
    {
        if (Shipped.TryGetValue(Path.GetFileName(path), out var pinned))
        {
            return LoadVerified(path, pinned);
        }

        if (!File.Exists(path))
        {
            throw new ModelException($"{path}: detector model not found; run models/get-yolox.sh or pass --model");
        }

        return LoadVerified(path, SidecarSha256(path));
    }

    /// <summary>The SHA-256 a model that is not a shipped one must have: the first word of its <c>FILE.sha256</c>.</summary>
    public static string SidecarSha256(string path)
    {
        var sidecar = path + ".sha256";
        if (!File.Exists(sidecar))
        {
            throw new ModelException($"{path}: not a shipped model, and {sidecar} (its SHA-256, as sha256sum writes it) is missing");
        }

        return File.ReadAllText(sidecar).Split(' ', 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
    }

    /// <param name="what">What the file is, for the error ("detector model").</param>
    /// <param name="remedy">What remakes it, for the error.</param>
    public static byte[] LoadVerified(string path, string expectedSha256, string what = "detector model", string remedy = "run models/get-yolox.sh")
    {
        if (!File.Exists(path))
        {
            throw new ModelException($"{path}: {what} not found; {remedy}");
        }

        var bytes = File.ReadAllBytes(path);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelException(
                $"{path}: {what} is corrupt or not the shipped one: SHA-256 {actual}, expected {expectedSha256}; {remedy}");
        }

        return bytes;
    }
}
