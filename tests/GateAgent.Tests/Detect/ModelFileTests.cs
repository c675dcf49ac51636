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
        Assert.Equal(ModelFile.DefaultName, parts[^1]);
        Assert.Equal(ModelFile.YoloxSha256, parts[0]);
    }

    [Fact]
    public void Shipped_model_loads_and_is_the_pinned_file()
    {
        var bytes = ModelFile.LoadVerified(TestPaths.Model);
        Assert.Equal(new FileInfo(TestPaths.Model).Length, bytes.Length);
        Assert.Equal(ModelFile.YoloxSha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
    }

    [Fact]
    public void Model_copied_beside_the_binary_is_the_shipped_one()
    {
        // The agent's default path; the build copies models/*.onnx there.
        Assert.Equal(File.ReadAllBytes(TestPaths.Model), ModelFile.LoadVerified(ModelFile.DefaultPath));
    }

    [Fact]
    public void Missing_model_is_refused_with_its_path()
    {
        using var dir = new TempDir();
        var path = dir.File(ModelFile.DefaultName);
        var e = Assert.Throws<ModelException>(() => ModelFile.LoadVerified(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupted_model_is_refused_with_path_and_both_hashes()
    {
        using var dir = new TempDir();
        var path = dir.File(ModelFile.DefaultName);
        var bytes = File.ReadAllBytes(TestPaths.Model);
        bytes[bytes.Length / 2] ^= 0x01; // one bit of one weight
        File.WriteAllBytes(path, bytes);
        var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

        var e = Assert.Throws<ModelException>(() => ModelFile.LoadVerified(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(actual, e.Message, StringComparison.Ordinal);
        Assert.Contains(ModelFile.YoloxSha256, e.Message, StringComparison.Ordinal);
        Assert.Throws<ModelException>(() => Detectors.Load(path, new DetectorOptions()));
    }

    [Fact]
    public void NanoDet_is_still_pinned_by_name()
    {
        var line = File.ReadAllText(TestPaths.NanoDetModel + ".sha256").Trim();
        Assert.StartsWith(ModelFile.NanoDetSha256, line, StringComparison.Ordinal);
        Assert.NotNull(ModelFile.LoadVerified(TestPaths.NanoDetModel));
    }

    [Fact]
    public void A_park_model_needs_its_sha256_beside_it()
    {
        using var dir = new TempDir();
        var path = dir.File("site-model.onnx");
        File.Copy(TestPaths.Model, path);
        var e = Assert.Throws<ModelException>(() => ModelFile.LoadVerified(path));
        Assert.Contains("site-model.onnx.sha256", e.Message, StringComparison.Ordinal);

        File.WriteAllText(path + ".sha256", $"{ModelFile.YoloxSha256}  site-model.onnx\n");
        Assert.Equal(new FileInfo(path).Length, ModelFile.LoadVerified(path).Length);

        File.WriteAllText(path + ".sha256", $"{ModelFile.NanoDetSha256}  site-model.onnx\n");
        Assert.Throws<ModelException>(() => ModelFile.LoadVerified(path));
    }

    [Fact]
    public void A_file_that_is_no_model_is_refused_with_its_name()
    {
        using var dir = new TempDir();
        var path = dir.File("junk.onnx");
        File.WriteAllText(path, "not a model");
        File.WriteAllText(path + ".sha256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))));
        var e = Assert.Throws<ModelException>(() => Detectors.Load(path, new DetectorOptions()));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }
}
