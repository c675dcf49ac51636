using GateWatch.Agent.Capture;
using GateWatch.Agent.Ffmpeg;
using GateWatch.Agent.Service;

namespace GateWatch.Agent.Live;

/// <summary>A still of a camera that is recorded but not analysed: one frame of its stream, decoded on request.</summary>
internal static class Snapshots
{
    /// <summary>
    /// ffmpegs grabbing stills at once, agent-wide. Each is a connection to a camera and a decoder on the cores the
    /// analysis needs; a client polling snapshots in a loop must not start one per request without end.
    /// </summary>
    public const int MaxAtOnce = 2;

    /// <summary>How long a request waits for a free grab before it is told to come back: a grab takes a second when the camera answers.</summary>
    public static readonly TimeSpan SeatWait = TimeSpan.FromSeconds(2);

    private static readonly SemaphoreSlim Seats = new(MaxAtOnce, MaxAtOnce);

    /// <summary>Grabs running now.</summary>
    public static int Busy => MaxAtOnce - Seats.CurrentCount;

    public static async Task<byte[]> GrabAsync(CameraConfig camera, CancellationToken ct)
    {
        if (!await Seats.WaitAsync(SeatWait, ct).ConfigureAwait(false))
        {
            throw new SnapshotBusyException($"{MaxAtOnce} snapshots are being taken already; try again in a few seconds");
        }

        try
        {
            return await GrabNowAsync(camera, ct).ConfigureAwait(false);
        }
        finally
        {
            Seats.Release();
        }
    }

    private static async Task<byte[]> GrabNowAsync(CameraConfig camera, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        await using var ffmpeg = FfmpegProcess.Start($"snapshot of camera {camera.Id}",
        [
            .. SourceInput.Options(camera.AnalysisSource, loop: false),
            "-i", camera.AnalysisSource, "-map", "0:v:0", "-frames:v", "1", "-f", "image2", "-c:v", "mjpeg", "-q:v", "4", "pipe:1",
        ]);
        using var jpeg = new MemoryStream();
        try
        {
            await ffmpeg.StandardOutput.CopyToAsync(jpeg, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new VideoSourceException($"camera {camera.Id}: no picture within 15 s: {Redact.Url(ffmpeg.Stderr.Text())}");
        }

        return jpeg.Length > 0
            ? jpeg.ToArray()
            : throw new VideoSourceException($"camera {camera.Id}: no picture: {Redact.Url(ffmpeg.Stderr.Text())}");
    }
}

/// <summary>Every snapshot seat is taken: the client should come back shortly (503).</summary>
internal sealed class SnapshotBusyException(string message) : Exception(message);
