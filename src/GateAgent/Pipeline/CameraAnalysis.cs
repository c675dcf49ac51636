using System.Threading.Channels;
using GateWatch.Agent.Annotate;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Crowd;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Events;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Live;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Plates;
using GateWatch.Agent.Service;
using Cv2 = OpenCvSharp.Cv2;
using ImageEncodingParam = OpenCvSharp.ImageEncodingParam;
using ImwriteFlags = OpenCvSharp.ImwriteFlags;

namespace GateWatch.Agent.Pipeline;

/// <summary>
/// A camera's analysis: each <see cref="RunAsync"/> is one run of the gate pipeline on the analysis stream,
/// from the probe to the end of the stream (or a cancellation). What the live view shows (the newest frame's
/// analysis, the spec as analysed, crowded zones) outlives a run, so a restart does not blank the overlay.
/// </summary>
internal sealed class CameraAnalysis(
    CameraStatus status, LiveFrames frames, PendingEvents events, AnalysisModels models, SemaphoreSlim analysisSlots, TimeProvider time, ILogger log)
{
    /// <summary>
    /// Frames waiting for analysis. Two: the live picture matters more than every frame, so when analysis
    /// falls behind the oldest frame is dropped (and counted) instead of a backlog growing without end.
    /// </summary>
    private const int FrameQueue = 2;

    private FrameAnalysis? _latest;
    private GateSpec? _spec;
    private IReadOnlySet<string> _crowded = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Where this camera's plate crops go (the agent serves them from there).</summary>
    public required string PlateCrops { get; init; }

    /// <summary>The newest analysis (tracks, zone counts) for the live metadata stream; null before the first frame.</summary>
    public FrameAnalysis? Latest => Volatile.Read(ref _latest);

    /// <summary>The gate as analysed: lines and zones scaled to the analysed frame, the coordinates of <see cref="Latest"/>'s boxes.</summary>
    public GateSpec? Spec => Volatile.Read(ref _spec);

    /// <summary>Zones in a crowd episode now (raised and not yet cleared), for the live overlay.</summary>
    public IReadOnlySet<string> CrowdedZones => Volatile.Read(ref _crowded);

    /// <summary>Analyses <paramref name="camera"/>'s stream until it ends (returns) or fails (throws).</summary>
    public async Task RunAsync(CameraConfig camera, CancellationToken ct)
    {
        var source = camera.AnalysisSource;
        var probed = await VideoProbe.ProbeAsync(source, ct).ConfigureAwait(false);
        var info = AnalysisSize(probed, camera.AnalysisWidth);
        var spec = camera.Gate!.ScaledTo(info.Width, info.Height);
        Volatile.Write(ref _spec, spec);
        using var detector = CreateDetector(info);
        using var pipeline = new GatePipeline(spec, camera.AnalysisFps, detector, new PipelineOptions());
        var annotator = new Annotator(spec);
        var channel = Channel.CreateBounded<Frame>(
            new BoundedChannelOptions(FrameQueue) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.DropOldest },
            dropped =>
            {
                dropped.Dispose();
                status.Dropped();
            });

        // Plates: the best views of each vehicle are kept as it moves, and read when it crosses.
        using var views = new PlateViews();
        await using var plates = camera.Plates is { } region && models.Plates is { } plateReader
            ? new PlateStage(plateReader, region, PlateCrops, analysisSlots, events.Add, log,
                camera.Barrier is { } b ? new LaneBarrier(b, LaneBarrier.Http, log) : null)
            : null;

        // Crowd density only where there are zones to count, on its own low-priority thread (never in this loop's frame time).
        await using var density = spec.Zones.Count > 0 && models.Density is { } counter
            ? new DensityStage(counter, spec, log, camera.Id)
            : null;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reader = new FfmpegFrameReader(time);
        var decode = Task.Run(
            () => reader.RunAsync(source, info, channel.Writer, time.GetUtcNow(), stop.Token, new FfmpegFrameReader.LiveOptions(camera.Loop, camera.AnalysisFps)),
            stop.Token);
        status.Analysing(true);
        try
        {
            await foreach (var frame in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                using (frame)
                {
                    var a = await ProcessAsync(pipeline, frame, density?.Latest, ct).ConfigureAwait(false);
                    density?.Offer(frame);
                    status.Analysed(a, time.GetUtcNow());
                    Volatile.Write(ref _latest, a);
                    annotator.Observe(a);
                    if (plates is not null)
                    {
                        views.Observe(frame.Mat, a.Tracks);
                    }

                    foreach (var e in a.Events)
                    {
                        Publish(e, camera, plates, views);
                    }

                    if (frames.Wanted())
                    {
                        annotator.Draw(frame.Mat, a);
                        Cv2.ImEncode(".jpg", frame.Mat, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 80));
                        frames.Publish(jpeg, frame.CaptureTime);
                    }
                }
            }

            await decode.ConfigureAwait(false);
        }
        finally
        {
            status.Analysing(false);
            await stop.CancelAsync().ConfigureAwait(false);
            while (channel.Reader.TryRead(out var left))
            {
                left.Dispose();
            }

            // Crowd episodes still open when the stream goes are closed, so the console does not wait on them forever.
            foreach (var e in pipeline.Finish())
            {
                Publish(e, camera, plates, views);
            }

            try
            {
                await decode.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Already reported by the loop above, or cancelled by the stop.
            }
        }
    }

    /// <summary>
    /// The size frames are analysed at: at most <paramref name="maxWidth"/> wide (<see cref="CameraConfig.AnalysisWidth"/>),
    /// scaled by ffmpeg.
    /// </summary>
    internal static VideoInfo AnalysisSize(VideoInfo stream, int maxWidth = CameraConfig.DefaultAnalysisWidth)
    {
        if (stream.Width <= maxWidth)
        {
            return stream;
        }

        // Even dimensions: ffmpeg's scaler and raw BGR frames both want them.
        var height = (int)Math.Round(stream.Height * (double)maxWidth / stream.Width / 2) * 2;
        return stream with { Width = maxWidth, Height = height };
    }

    /// <summary>The one place the detector is made: a different one is swapped in here alone.</summary>
    private IObjectDetector CreateDetector(VideoInfo info)
    {
        var detector = Detectors.Create(models.Detector!, new DetectorOptions());
        // ONNX Runtime's first run is slow (allocation, kernel choice): done now, it would hold up the first live
        // frames long enough for the queue to drop a dozen of them.
        try
        {
            using var blank = new OpenCvSharp.Mat(info.Height, info.Width, OpenCvSharp.MatType.CV_8UC3, OpenCvSharp.Scalar.All(114));
            detector.Detect(blank);
            return detector;
        }
        catch
        {
            detector.Dispose();
            throw;
        }
    }

    private async Task<FrameAnalysis> ProcessAsync(GatePipeline pipeline, Frame frame, DensityReading? density, CancellationToken ct)
    {
        // Cameras take turns on the cores: eight single-threaded detectors on two cores thrash each
        // other's caches (measured: 35 -> 210 ms per frame), while two at a time keep their speed.
        await analysisSlots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return pipeline.Process(frame, density);
        }
        finally
        {
            analysisSlots.Release();
        }
    }

    /// <summary>Writes an event to the outbox first; everything else (protection, delivery) follows from there.</summary>
    /// <remarks>A vehicle's crossing, on a camera that reads plates, goes to the outbox once its plate is read.</remarks>
    private void Publish(GateEvent e, CameraConfig camera, PlateStage? plates, PlateViews views)
    {
        if (e is CrowdEvent { Change: CrowdChange.Raised or CrowdChange.Cleared } crowd)
        {
            Crowded(crowd.Episode.Zone, crowd.Change == CrowdChange.Raised);
        }

        if (plates is not null && e is CrossingEvent { Crossing: var c } && PlateViews.IsVehicle(c.Class))
        {
            plates.Submit(c, views.Take(c.TrackId));
            return;
        }

        if (CameraEvent.From(e) is { } stored)
        {
            events.Add(stored);
        }

        if (Protection.For(e, camera.PreRoll, camera.PostRoll) is { } protection)
        {
            events.Protect(protection);
        }
    }

    /// <summary>A copy on each change: the live metadata stream reads the set without a lock.</summary>
    private void Crowded(string zone, bool on)
    {
        var next = new HashSet<string>(Volatile.Read(ref _crowded), StringComparer.Ordinal);
        if (on ? next.Add(zone) : next.Remove(zone))
        {
            Volatile.Write(ref _crowded, next);
        }
    }
}
