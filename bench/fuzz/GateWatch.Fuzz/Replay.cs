namespace GateWatch.Fuzz;

/// <summary>Runs saved inputs through a target without afl, naming each input that ends in an undocumented exception.</summary>
internal static class Replay
{
    public static int Run(string name, FuzzTarget target, IEnumerable<string> paths)
    {
        var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p, "*", SearchOption.AllDirectories) : [p])
            .Order(StringComparer.Ordinal).ToList();
        var failed = 0;
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
#pragma warning disable CA1031 // A replay reports every exception the target let through; that is its whole point.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failed++;
                Console.WriteLine($"{name}: {file}: {e.GetType().FullName}: {e.Message}");
                Console.WriteLine(e.StackTrace);
            }
        }

        Console.WriteLine($"{name}: {files.Count} inputs replayed, {failed} crashed");
        return failed == 0 ? 0 : 1;
    }
}
