using System.Globalization;
using GateWatch.Agent.Ffmpeg;
using OpenCvSharp;

namespace GateWatch.Agent.Annotate;

/// <summary>Encodes BGR frames to H.264 MP4 through an ffmpeg child reading raw video on stdin.</summary>
internal sealed class Mp4Writer : IAsyncDisposable
{
    private readonly FfmpegProcess _ffmpeg;
    private readonly int _bytes;
    private bool _finished;

    public Mp4Writer(string path, int width, int height, double fps)
    {
        _bytes = width * height * 3;
        _ffmpeg = FfmpegProcess.Start($"annotated video {Path.GetFileName(path)}",
        [
            "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{width}x{height}",
            "-r", fps.ToString(CultureInfo.InvariantCulture), "-i", "pipe:0",
            // veryfast + crf 23: a review copy, small and quick to make; the evidence is the original recording.
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
            "-movflags", "+faststart", "-f", "mp4", path,
        ]);
    }

    public unsafe void Write(Mat bgr) => _ffmpeg.StandardInput.Write(new ReadOnlySpan<byte>((void*)bgr.Data, _bytes));

    /// <summary>Closes the input so ffmpeg writes the index; throws with ffmpeg's message if encoding failed.</summary>
    public async Task FinishAsync(CancellationToken ct)
    {
        _finished = true;
        _ffmpeg.StandardInput.Close();
        await _ffmpeg.WaitForSuccessAsync(ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            _ffmpeg.StandardInput.Close();
        }

        await _ffmpeg.DisposeAsync().ConfigureAwait(false);
    }
}
