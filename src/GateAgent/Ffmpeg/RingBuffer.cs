namespace GateWatch.Agent.Ffmpeg;

/// <summary>The last N lines of a process's stderr, so a failure can show what ffmpeg said.</summary>
internal sealed class LineRing(int capacity)
{
    private readonly Queue<string> _lines = new(capacity);
    private readonly Lock _gate = new();

    public void Add(string line)
    {
        lock (_gate)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line);
        }
    }

    public string Text()
    {
        lock (_gate)
        {
            return string.Join('\n', _lines);
        }
    }
}
