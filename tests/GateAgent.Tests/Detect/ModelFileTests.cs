using GateWatch.Agent.Detect;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Detect;

public sealed class ModelFileTests
{
    [Fact]
    public void Pinned_hash_is_the_one_in_the_sha256_file()
    {
        var line = File.ReadAllText(TestPaths.ModelSha256File).Trim();
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("nanodet.onnx", parts[^1]);
        Assert.Equal(ModelFile.NanoDetSha256, parts[0]);
    }

    [Fact]
    public void Shipped_model_loads_and_is_the_pinned_file()
    {
        var bytes = ModelFile.LoadVerified(TestPaths.Model);
        Assert.Equal(new FileInfo(TestPaths.Model).Length, bytes.Length);
        Assert.Equal(ModelFile.NanoDetSha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
    }

    [Fact]
    public void Model_copied_beside_the_binary_is_the_shipped_one()
    {
        // The agent's default path; the build copies models/nanodet.onnx there.
        Assert.Equal(File.ReadAllBytes(TestPaths.Model), ModelFile.LoadVerified(ModelFile.DefaultPath));
    }

    [Fact]
    public void Missing_model_is_refused_with_its_path()
    {
        using var dir = new TempDir();
        var path = dir.File("nanodet.onnx");
        var e = Assert.Throws<ModelException>(() => ModelFile.LoadVerified(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupted_model_is_refused_with_path_and_both_hashes()
    {
        using var dir = new TempDir();
        var path = dir.File("nanodet.onnx");
        var bytes = File.ReadAllBytes(TestPaths.Model);
        bytes[bytes.Length / 2] ^= 0x01; // one bit of one weight
        File.WriteAllBytes(path, bytes);
        var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

        var e = Assert.Throws<ModelException>(() => ModelFile.LoadVerified(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(actual, e.Message, StringComparison.Ordinal);
        Assert.Contains(ModelFile.NanoDetSha256, e.Message, StringComparison.Ordinal);
        Assert.Throws<ModelException>(() => NanoDetDetector.Load(path, new DetectorOptions()));
    }
}
