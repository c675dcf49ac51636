namespace GateWatch.Central.Tests.Support;

/// <summary>
/// A fact that is skipped, with the reason, when the footage it needs (<see cref="TestPaths.Video"/>) is not
/// on this machine: it is not part of the repository. The pattern of GateAgent.Tests' RequiresFileFact.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresVideoFactAttribute : FactAttribute
{
    public RequiresVideoFactAttribute()
    {
        var video = TestPaths.Resolve(TestPaths.Video);
        if (!File.Exists(video))
        {
            Skip = $"needs {video} (or a video named by GATEWATCH_VIDEO), which is not on this machine";
        }
    }
}

/// <summary>Where the repository and the shared footage are, found from the test binary's folder.</summary>
internal static class TestPaths
{
    /// <summary>The PETS 2009 S2L1 clip beside the repository, or the one GATEWATCH_VIDEO names.</summary>
    public static string Video =>
        Environment.GetEnvironmentVariable("GATEWATCH_VIDEO") is { Length: > 0 } v ? v : "../shared/data/pets2009-s2l1/vtest.mp4";

    private static readonly Lazy<string> Root = new(FindRepoRoot);

    public static string RepoRoot => Root.Value;

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
