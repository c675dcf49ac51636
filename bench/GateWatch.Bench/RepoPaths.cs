namespace GateWatch.Bench;

/// <summary>Where the repository and the team's shared data sit, wherever the benchmark binary was built.</summary>
internal static class RepoPaths
{
    /// <summary>The folder holding GateWatch.sln, found by walking up from the binary.</summary>
    public static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GateWatch.sln")))
            {
                return dir.FullName;
            }
        }

        throw new BenchException($"no GateWatch.sln above {AppContext.BaseDirectory}: run the benchmark from a checkout of the repository");
    }

    /// <summary>The team's shared folder, next to the repository.</summary>
    public static string Shared(string root) => Path.GetFullPath(Path.Combine(root, "..", "shared"));

    /// <summary>A path as a reader of the results would type it: relative to the repository when it is near it.</summary>
    public static string Display(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path);
        return relative.StartsWith("../../", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
