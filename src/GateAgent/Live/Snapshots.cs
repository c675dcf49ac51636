using GateWatch.Agent.Capture;
using GateWatch.Agent.Ffmpeg;
using GateWatch.Agent.Service;

namespace GateWatch.Agent.Live;

/// <summary>A still of a camera that is recorded but not analysed: one frame of its stream, decoded on request.</summary>
internal static class Snapshots
{
    public static async Task<byte[]> GrabAsync(CameraConfig camera, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        await using var ffmpeg = FfmpegProcess.Start($"snapshot of camera {camera.Id}",
        [
            .. SourceInput.Options(camera.AnalysisSource, loop: false),
            "-i", camera.AnalysisSource, "-map", "0:v:0", "-frames:v", "1", "-f", "image2", "-c:v", "mjpeg", "-q:v", "4", "pipe:1",
        ]);
        using var jpeg = new MemoryStream();
        await ffmpeg.StandardOutput.CopyToAsync(jpeg, timeout.Token).ConfigureAwait(false);
        return jpeg.Length > 0
            ? jpeg.ToArray()
            : throw new VideoSourceException($"camera {camera.Id}: no picture: {Redact.Url(ffmpeg.Stderr.Text())}");
    }
}
