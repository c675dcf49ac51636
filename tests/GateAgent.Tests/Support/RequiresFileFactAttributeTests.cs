namespace GateWatch.Agent.Tests.Support;

public sealed class RequiresFileFactAttributeTests
{
    [Fact]
    public void Skips_with_the_missing_path_as_the_reason()
    {
        var fact = new RequiresFileFactAttribute("GateWatch.sln", "/no/such/footage.mp4");
        Assert.NotNull(fact.Skip);
        Assert.Contains("/no/such/footage.mp4", fact.Skip, StringComparison.Ordinal);
        Assert.DoesNotContain("GateWatch.sln", fact.Skip, StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_when_every_file_is_there()
    {
        Assert.Null(new RequiresFileFactAttribute("GateWatch.sln", "models/nanodet.onnx.sha256").Skip);
    }

    [Fact]
    public void Relative_paths_are_from_the_repository_root()
    {
        Assert.True(File.Exists(Path.Combine(TestPaths.RepoRoot, "GateWatch.sln")));
        Assert.Equal(Path.Combine(TestPaths.RepoRoot, "models", "x"), TestPaths.Resolve("models/x"));
        Assert.Equal(Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "..", "shared", "eval")), TestPaths.Resolve("../shared/eval"));
        Assert.Equal("/abs/path", TestPaths.Resolve("/abs/path"));
    }
}
