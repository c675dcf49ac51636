using GateWatch.Agent.Capture;
using GateWatch.Agent.Gate;
using OpenCvSharp;

namespace GateWatch.Agent.Crowd;

/// <summary>
/// A camera's crowd density, kept off the per-frame path: at most every <see cref="GateSpec.DensitySeconds"/> of
/// capture time a copy of the newest frame is estimated in the background (taking its turn on the cores like the
/// detector), and <see cref="Latest"/> is what the gate rules read. While an estimate runs, newer frames are not
/// queued: the next one starts from the frame current when it is due. A failing estimate is logged and leaves no
/// reading, so zones fall back to their tracked counts; recording and counting never wait on it.
/// </summary>
internal sealed partial class DensityStage(DensityCounter counter, GateSpec spec, SemaphoreSlim slots, ILogger log, string camera) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly DensitySchedule _schedule = new(spec.DensitySeconds);
    private Task _running = Task.CompletedTask;
    private DensityReading? _latest;
    private string? _lastProblem;
    private int _failures;

    /// <summary>The newest estimate, or null before the first and after a failure.</summary>
    public DensityReading? Latest => Volatile.Read(ref _latest);

    /// <summary>Estimates that failed (a model error, a frame it could not take): the camera status shows them.</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Called with each analysed frame; starts an estimate of it when one is due and none is running.</summary>
    public void Offer(Frame frame)
    {
        if (!_running.IsCompleted || _stop.IsCancellationRequested || !_schedule.Take(frame.CaptureTime))
        {
            return;
        }

        // The frame is disposed once analysed; the estimate needs its own copy (a millisecond against ~100 for the model).
        var copy = frame.Mat.Clone();
        var (index, time) = (frame.Index, frame.CaptureTime);
        _running = Task.Run(async () =>
        {
            try
            {
                await slots.WaitAsync(_stop.Token).ConfigureAwait(false);
                try
                {
                    Volatile.Write(ref _latest, Estimate(counter, spec, copy, index, time));
                    _lastProblem = null;
                }
                finally
                {
                    slots.Release();
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                Failed(e);
            }
            finally
            {
                copy.Dispose();
            }
        });
    }

    /// <summary>The estimate of one frame, on the caller's thread: the file analysis runs it inline, so a run is repeatable.</summary>
    public static DensityReading Estimate(DensityCounter counter, GateSpec spec, Mat bgr, long frame, DateTimeOffset time) =>
        DensityReading.Of(counter.Estimate(bgr), spec, frame, time);

    private void Failed(Exception e)
    {
        Volatile.Write(ref _latest, null);
        Interlocked.Increment(ref _failures);
        // The same failure every two seconds would fill the journal: said once, and again when it changes.
        if (e.Message != _lastProblem)
        {
            _lastProblem = e.Message;
            EstimateFailed(log, camera, e.Message);
        }
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "camera {Camera}: crowd density estimate failed; its zones count tracked people until it works again: {Problem}")]
    private static partial void EstimateFailed(ILogger log, string camera, string problem);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _stop.Dispose();
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
