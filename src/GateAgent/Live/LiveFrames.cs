namespace GateWatch.Agent.Live;

/// <summary>
/// The newest annotated JPEG of a camera, handed to any number of MJPEG viewers and snapshot requests.
/// Viewers wait for the next picture rather than polling; a slow viewer simply skips pictures.
/// </summary>
internal sealed class LiveFrames(TimeProvider time)
{
    /// <summary>With nobody watching, one picture a second keeps the snapshot fresh at a fraction of the cost.</summary>
    private static readonly TimeSpan IdleRefresh = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly Viewers _viewers = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public byte[]? Latest { get; private set; }

    public DateTimeOffset? LatestAt { get; private set; }

    /// <summary>Whether the analysis should spend time drawing and encoding this frame.</summary>
    public bool Wanted() => _viewers.Count > 0 || LatestAt is not { } at || time.GetUtcNow() - at >= IdleRefresh;

    public void Publish(byte[] jpeg, DateTimeOffset capturedAt)
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            Latest = jpeg;
            LatestAt = capturedAt;
            done = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.TrySetResult();
    }

    /// <summary>The next picture after the one the viewer has, as it is published.</summary>
    public async Task<byte[]> NextAsync(byte[]? seen, CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (Latest is { } latest && !ReferenceEquals(latest, seen))
                {
                    return latest;
                }

                wait = _next.Task;
            }

            await wait.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    public IDisposable Watch() => _viewers.Enter();
}
