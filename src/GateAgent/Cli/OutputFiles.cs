namespace GateWatch.Agent.Cli;

/// <summary>
/// Output files written under temporary names beside their targets and renamed into place together
/// on success; on failure the temporaries are deleted and any earlier file of the same name survives.
/// </summary>
internal sealed class OutputFiles : IAsyncDisposable
{
    private readonly List<(string Temp, string Final)> _files = [];
    private readonly List<StreamWriter> _writers = [];
    private bool _committed;

    public StreamWriter Create(string finalPath)
    {
        var writer = new StreamWriter(Reserve(finalPath), append: false, new System.Text.UTF8Encoding(false));
        _writers.Add(writer);
        return writer;
    }

    /// <summary>A temporary path for a file written by someone else (ffmpeg).</summary>
    public string Reserve(string finalPath)
    {
        var full = Path.GetFullPath(finalPath);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
        {
            throw new UsageException($"{finalPath}: folder {dir} does not exist");
        }

        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.partial{Path.GetExtension(full)}");
        _files.Add((temp, full));
        return temp;
    }

    public async Task CommitAsync()
    {
        foreach (var w in _writers)
        {
            await w.DisposeAsync().ConfigureAwait(false);
        }

        _writers.Clear();
        foreach (var (temp, final) in _files)
        {
            File.Move(temp, final, overwrite: true);
        }

        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var w in _writers)
        {
            await w.DisposeAsync().ConfigureAwait(false);
        }

        if (!_committed)
        {
            foreach (var (temp, _) in _files)
            {
                File.Delete(temp);
            }
        }
    }
}
