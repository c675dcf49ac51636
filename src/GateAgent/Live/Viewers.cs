namespace GateWatch.Agent.Live;

/// <summary>How many are watching a stream, with a seat released when the viewer's request ends.</summary>
internal sealed class Viewers
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public IDisposable Enter()
    {
        Interlocked.Increment(ref _count);
        return new Seat(this);
    }

    /// <summary>A seat if fewer than <paramref name="max"/> are taken, else null.</summary>
    public IDisposable? TryEnter(int max)
    {
        while (true)
        {
            var n = Volatile.Read(ref _count);
            if (n >= max)
            {
                return null;
            }

            if (Interlocked.CompareExchange(ref _count, n + 1, n) == n)
            {
                return new Seat(this);
            }
        }
    }

    private sealed class Seat(Viewers owner) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                Interlocked.Decrement(ref owner._count);
            }
        }
    }
}
