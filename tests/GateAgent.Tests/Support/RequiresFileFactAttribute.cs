namespace GateWatch.Agent.Tests.Support;

/// <summary>
/// A fact that is skipped, with the reason, when a file it needs is not on this machine (footage and
/// sample images that are not part of the repository). Relative paths are from the repository root.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresFileFactAttribute : FactAttribute
{
    public RequiresFileFactAttribute(params string[] paths)
    {
        Paths = paths;
        var missing = paths.Select(TestPaths.Resolve).Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            Skip = $"needs {string.Join(", ", missing)}, which is not on this machine";
        }
    }

    public IReadOnlyList<string> Paths { get; }
}
