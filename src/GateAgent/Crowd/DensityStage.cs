using GateWatch.Agent.Capture;
using GateWatch.Agent.Gate;
using OpenCvSharp;

namespace GateWatch.Agent.Crowd;

/// <summary>
/// A camera's crowd density, kept off the per-frame path: at most every <see cref="GateSpec.DensitySeconds"/> of
/// capture time a copy of the newest frame is estimated on the stage's own thread, and <see cref="Latest"/> is what
/// the gate rules read. While an estimate runs, newer frames are not queued: the next one starts from the frame
/// current when it is due. A failing estimate is logged and leaves no reading, so zones fall back to their tracked
/// counts; recording and counting never wait on it.
/// </summary>
/// <remarks>
/// The thread runs at the lowest CPU priority (nice 19) and takes no analysis slot: the estimate uses the time the
/// detectors leave. Measured with the capacity benchmark (bench/RESULTS.md): taking a slot like a detector, the
/// estimates' 2-8 % of a core per camera tipped 6 cameras, which held without them, into dropping frames. On a
/// saturated box the estimates come late instead, and a reading three periods old is not used (zones count tracks).
/// </remarks>
internal sealed partial class DensityStage : IAsyncDisposable
{
    /// <summary>Linux's lowest priority: the thread runs when no detector, decoder or recorder wants the core.</summary>
    private const int Nice = 19;

    private readonly DensityCounter _counter;
    private readonly GateSpec _spec;
    private readonly ILogger _log;
    private readonly string _camera;
    private readonly DensitySchedule _schedule;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Thread _thread;
    private (Mat Picture, long Frame, DateTimeOffset Time)? _job;
    private int _busy;
    private DensityReading? _latest;
    private string? _lastProblem;
    private int _failures;

    public DensityStage(DensityCounter counter, GateSpec spec, ILogger log, string camera)
    {
        _counter = counter;
        _spec = spec;
        _log = log;
        _camera = camera;
        _schedule = new DensitySchedule(spec.DensitySeconds);
        _thread = new Thread(Work) { IsBackground = true, Name = $"density {camera}" };
        _thread.Start();
    }

    /// <summary>The newest estimate, or null before the first and after a failure.</summary>
    public DensityReading? Latest => Volatile.Read(ref _latest);

    /// <summary>Estimates that failed (a model error, a frame it could not take).</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Called with each analysed frame; hands a copy of it to the thread when an estimate is due and none is running.</summary>
    public void Offer(Frame frame)
    {
        if (_stop.IsCancellationRequested || Volatile.Read(ref _busy) != 0 || !_schedule.Take(frame.CaptureTime))
        {
            return;
        }

        // The frame is disposed once analysed; the estimate needs its own copy (a millisecond against 30-150 for the model).
        Volatile.Write(ref _busy, 1);
        _job = (frame.Mat.Clone(), frame.Index, frame.CaptureTime);
        _wake.Release();
    }

    /// <summary>The estimate of one frame, on the caller's thread: the file analysis runs it inline, so a run is repeatable.</summary>
    public static DensityReading Estimate(DensityCounter counter, GateSpec spec, Mat bgr, long frame, DateTimeOffset time) =>
        DensityReading.Of(counter.Estimate(bgr), spec, frame, time);

    private void Work()
    {
        // Best effort: where the call is refused the thread keeps the process's priority, and the estimates still run.
        _ = SetPriority(0, 0, Nice);
        while (true)
        {
            try
            {
                _wake.Wait(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var (picture, frame, time) = _job!.Value;
            _job = null;
            try
            {
                Volatile.Write(ref _latest, Estimate(_counter, _spec, picture, frame, time));
                _lastProblem = null;
            }
            catch (Exception e)
            {
                Failed(e);
            }
            finally
            {
                picture.Dispose();
                Volatile.Write(ref _busy, 0);
            }
        }
    }

    private void Failed(Exception e)
    {
        Volatile.Write(ref _latest, null);
        Interlocked.Increment(ref _failures);
        // The same failure every two seconds would fill the journal: said once, and again when it changes.
        if (e.Message != _lastProblem)
        {
            _lastProblem = e.Message;
            EstimateFailed(_log, _camera, e.Message);
        }
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "camera {Camera}: crowd density estimate failed; its zones count tracked people until it works again: {Problem}")]
    private static partial void EstimateFailed(ILogger log, string camera, string problem);

    /// <summary>setpriority(PRIO_PROCESS, 0, nice): on Linux "0" is the calling thread, so only this thread is lowered.</summary>
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        // An estimate under way finishes first (a tenth of a second; the model cannot be interrupted).
        await Task.Run(() => _thread.Join(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
        _job?.Picture.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }
}

/// <summary>When the next density estimate is due: every <c>seconds</c> of capture time, from the first frame.</summary>
internal sealed class DensitySchedule(double seconds)
{
    private DateTimeOffset? _last;

    /// <summary>True, and the period restarts, when an estimate is due at <paramref name="time"/>.</summary>
    public bool Take(DateTimeOffset time)
    {
        // A clock that went back (a looped file, a camera's clock reset) restarts the period instead of waiting it out.
        if (_last is { } last && time >= last && (time - last).TotalSeconds < seconds)
        {
            return false;
        }

        _last = time;
        return true;
    }
}
