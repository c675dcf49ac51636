namespace GateWatch.Agent.Tests.Support;

/// <summary>Where the repository, its model and the shared footage are, found from the test binary's folder.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    /// <summary>The folder holding GateWatch.sln.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The shared footage and evaluation folder beside the repository (may be absent).</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>The shipped default detector (YOLOX-Nano 640x384).</summary>
    public static string Model => Path.Combine(RepoRoot, "models", "yolox_nano_640x384.onnx");

    public static string ModelSha256File => Model + ".sha256";

    /// <summary>The earlier detector, still shipped for comparison runs.</summary>
    public static string NanoDetModel => Path.Combine(RepoRoot, "models", "nanodet.onnx");

    /// <summary>A relative path is taken from the repository root; an absolute one is kept.</summary>
    public static string Resolve(string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(RepoRoot, path));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GateWatch.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no GateWatch.sln above {AppContext.BaseDirectory}");
    }
}
