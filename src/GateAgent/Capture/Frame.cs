using System.Collections.Concurrent;
using OpenCvSharp;

namespace GateWatch.Agent.Capture;

/// <summary>
/// One decoded BGR24 frame. Index and capture time travel with the pixels through every stage, so
/// an event always names the frame it was seen on and when that frame was captured.
/// </summary>
internal sealed class Frame : IDisposable
{
    private readonly FramePool? _pool;
    private Mat? _mat;

    internal Frame(FramePool? pool, byte[] pixels, int width, int height)
    {
        _pool = pool;
        Pixels = pixels;
        Width = width;
        Height = height;
    }

    public long Index { get; internal set; }

    /// <summary>When the camera saw this frame: the stream's clock for files, wall clock on arrival for live cameras.</summary>
    public DateTimeOffset CaptureTime { get; internal set; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Pinned BGR24 pixels, row-major, no padding; may be longer than the frame.</summary>
    public byte[] Pixels { get; }

    public int ByteLength => Width * Height * 3;

    /// <summary>An OpenCV view over <see cref="Pixels"/>; no copy, valid until the frame is disposed.</summary>
    public Mat Mat => _mat ??= Mat.FromPixelData(Height, Width, MatType.CV_8UC3, Pixels);

    public static Frame Standalone(int width, int height) =>
        new(null, GC.AllocateUninitializedArray<byte>(width * height * 3, pinned: true), width, height);

    public void Dispose()
    {
        _mat?.Dispose();
        _mat = null;
        _pool?.Return(this);
    }
}

/// <summary>
/// Recycles pinned frame buffers: a 768x576 frame is 1.3 MB and a 1080p one 6 MB, and allocating
/// that on the large-object heap per frame would make the GC the bottleneck.
/// </summary>
internal sealed class FramePool(int width, int height)
{
    private readonly ConcurrentBag<byte[]> _free = [];

    public int Width { get; } = width;

    public int Height { get; } = height;

    public Frame Rent()
    {
        if (!_free.TryTake(out var buffer))
        {
            buffer = GC.AllocateUninitializedArray<byte>(Width * Height * 3, pinned: true);
        }

        return new Frame(this, buffer, Width, Height);
    }

    internal void Return(Frame frame) => _free.Add(frame.Pixels);
}
