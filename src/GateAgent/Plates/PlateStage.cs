using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Channels;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Outbox;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace GateWatch.Agent.Plates;

/// <summary>
/// A camera's plate reading, beside its analysis: a vehicle that crosses a gate line hands over its best views,
/// which are read here, voted on, and the crossing goes to the outbox with its plate. Reading takes a second or
/// so of CPU per vehicle, so it runs off the analysis loop; the crossing is never lost to it: when reading cannot
/// keep up, or fails, the crossing goes out with no plate.
/// </summary>
internal sealed partial class PlateStage : IAsyncDisposable
{
    /// <summary>
    /// Vehicles waiting for a read. Sixteen is a minute of a busy gate's arrivals at a few seconds' reading each; a
    /// longer wait would make the plate arrive after the guard needed it, so beyond that a crossing goes out unread.
    /// </summary>
    public const int Queue = 16;

    /// <summary>A read this sure (its least sure character) needs no second view.</summary>
    public const float SureRead = 0.9f;

    private readonly PlateReader _reader;
    private readonly LaneBarrier? _barrier;
    private readonly PlateRegion _region;
    private readonly string _cropFolder;
    private readonly SemaphoreSlim _slots;
    private readonly Action<CameraEvent> _publish;
    private readonly ILogger _log;
    private readonly Channel<Job> _jobs = Channel.CreateBounded<Job>(new BoundedChannelOptions(Queue) { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;

    /// <param name="slots">The analysis seats: a read takes one like a frame's analysis does, so plates and detection share the cores.</param>
    public PlateStage(PlateReader reader, PlateRegion region, string cropFolder, SemaphoreSlim slots, Action<CameraEvent> publish, ILogger log, LaneBarrier? barrier = null)
    {
        _barrier = barrier;
        _reader = reader;
        _region = region;
        _cropFolder = cropFolder;
        _slots = slots;
        _publish = publish;
        _log = log;
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>Crossings read so far, and those that went out unread because the queue was full.</summary>
    public int Read { get; private set; }

    public int Skipped { get; private set; }

    /// <summary>Takes a vehicle's crossing and its views (disposed here); publishes the crossing once its plate is read.</summary>
    public void Submit(Crossing crossing, List<Mat> views)
    {
        if (views.Count == 0 && _barrier is null)
        {
            _publish(CameraEvent.Crossing(crossing, new PlateData("", 0, null)));
            return;
        }

        if (!_jobs.Writer.TryWrite(new Job(crossing, views)))
        {
            Skipped++;
            Log.QueueFull(_log, crossing.TrackId);
            Dispose(views);
            _publish(CameraEvent.Crossing(crossing, new PlateData("", 0, null)));
        }
    }

    private async Task WorkAsync()
    {
        await foreach (var job in _jobs.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            PlateData plate;
            try
            {
                plate = await ReadAsync(job).ConfigureAwait(false);
                Read++;
            }
            catch (OperationCanceledException)
            {
                plate = new PlateData("", 0, null);
            }
            catch (Exception e) when (e is OpenCvSharpException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or InvalidOperationException)
            {
                // A read that fails costs the plate, never the crossing.
                Log.ReadFailed(_log, job.Crossing.TrackId, e.Message);
                plate = new PlateData("", 0, null);
            }
            finally
            {
                Dispose(job.Views);
            }

            var barrier = _barrier is null ? null : await _barrier.DecideAsync(job.Crossing, plate, _stop.Token).ConfigureAwait(false);
            _publish(CameraEvent.Crossing(job.Crossing, plate, barrier));
        }
    }

    private async Task<PlateData> ReadAsync(Job job)
    {
        // Best view first; a sure read there settles it, so most vehicles cost one read, and only doubtful ones three.
        var reads = new List<PlateRead?>();
        foreach (var view in job.Views)
        {
            await _slots.WaitAsync(_stop.Token).ConfigureAwait(false);
            try
            {
                reads.Add(_reader.Read(view, _region).FirstOrDefault());
            }
            finally
            {
                _slots.Release();
            }

            if (reads[^1] is { Valid: true } read && read.Confidence >= SureRead)
            {
                break;
            }
        }

        var decision = PlateVote.Decide(reads);
        if (decision.Text.Length == 0)
        {
            return new PlateData("", 0, null);
        }

        return new PlateData(decision.Text, Math.Round(decision.Confidence, 3), SaveCrop(job, decision));
    }

    /// <summary>The plate as the guard and the investigator see it: its box in the best view, with a margin. Null when the disk refuses it.</summary>
    private string? SaveCrop(Job job, PlateDecision decision)
    {
        var view = job.Views[decision.View];
        var b = decision.Box;
        var mx = b.Width / 5;
        var my = b.Height / 3;
        var box = new Rect(b.X - mx, b.Y - my, b.Width + (2 * mx), b.Height + (2 * my)) & new Rect(0, 0, view.Width, view.Height);
        var name = CropName(job.Crossing);
        try
        {
            Directory.CreateDirectory(_cropFolder);
            using var crop = new Mat(view, box.Width > 0 && box.Height > 0 ? box : new Rect(0, 0, view.Width, view.Height));
            Cv2.ImEncode(".jpg", crop, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
            var temp = Path.Combine(_cropFolder, $".{name}.partial");
            File.WriteAllBytes(temp, jpeg);
            File.Move(temp, Path.Combine(_cropFolder, name), overwrite: true);
            return name;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.CropNotSaved(_log, name, e.Message);
            return null;
        }
    }

    /// <summary>"p-20261202T031500123-12-1a2b3c4d.jpg": when, which track, and a random part so two agents' names never meet.</summary>
    public static string CropName(Crossing c) =>
        string.Create(CultureInfo.InvariantCulture, $"p-{c.Time.UtcDateTime:yyyyMMdd'T'HHmmssfff}-{c.TrackId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.jpg");

    private static void Dispose(List<Mat> views)
    {
        foreach (var v in views)
        {
            v.Dispose();
        }
    }

    /// <summary>Reads what is queued (their crossings must go out), then stops; a cancelled read publishes its crossing unread.</summary>
    public async ValueTask DisposeAsync()
    {
        _jobs.Writer.TryComplete();
        // Give the queue a few seconds to drain; after that the reads are cancelled and the rest go out unread.
        _stop.CancelAfter(TimeSpan.FromSeconds(5));
        await _worker.ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed record Job(Crossing Crossing, List<Mat> Views);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "plate reading is behind: track {TrackId}'s crossing goes out without a plate")]
        public static partial void QueueFull(ILogger log, int trackId);

        [LoggerMessage(Level = LogLevel.Error, Message = "plate read failed for track {TrackId}: {Why}")]
        public static partial void ReadFailed(ILogger log, int trackId, string why);

        [LoggerMessage(Level = LogLevel.Error, Message = "plate crop {File} not saved: {Why}; the plate goes out without it")]
        public static partial void CropNotSaved(ILogger log, string file, string why);
    }
}
