using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Live;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Record;
using GateWatch.Agent.Retention;
using GateWatch.Agent.Service;
using GateWatch.Agent.Track;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;

namespace GateWatch.Agent.Api;

/// <summary>The agent's local HTTP API: health, recordings, clips, snapshots, events and live video.</summary>
internal static partial class AgentApi
{
    /// <summary>
    /// The longest clip one request may cut: an hour of 1080p is about 4 GB. Longer evidence is several
    /// clips; one request must not be able to fill the disk or hold the exporter for long.
    /// </summary>
    private static readonly TimeSpan MaxClip = TimeSpan.FromHours(1);

    /// <summary>Events per page of the events feed; a consumer that is behind pages through them.</summary>
    private const int MaxEventsPage = 1000;

    /// <summary>
    /// Live fMP4 viewers per camera. Each opens its own connection to the camera, and cameras refuse more
    /// than a handful; the console proxies one stream to all its browsers, so 4 is plenty.
    /// </summary>
    private const int MaxLiveViewers = 4;

    /// <summary>Exports run one at a time: each is disk-bound, and the recorders share that disk.</summary>
    private static readonly SemaphoreSlim Exporting = new(1, 1);

    [GeneratedRegex(@"^\d{8}T\d{6}Z-\d{6}\.mp4$")]
    private static partial Regex SegmentName();

    [GeneratedRegex("^[0-9a-f]{32}\\.mp4$")]
    private static partial Regex ClipName();

    /// <summary>What <see cref="Plates.PlateStage.CropName"/> makes, and nothing else (no path can be smuggled in).</summary>
    [GeneratedRegex("^p-[0-9]{8}T[0-9]{9}-[0-9]{1,9}-[0-9a-f]{8}\\.jpg$")]
    private static partial Regex PlateCropName();

    public static WebApplication MapAgentApi(this WebApplication app)
    {
        // Liveness only, for process supervisors: says nothing about cameras, so it needs no key.
        app.MapGet("/healthz", () => Results.Text("ok"));

        var api = app.MapGroup("/api").AddEndpointFilter<AgentKeyFilter>();
        api.MapGet("/health", Health);
        api.MapGet("/metrics", Metrics);
        api.MapGet("/events", Events);
        api.MapGet("/cameras/{id}/segments", Segments);
        api.MapGet("/cameras/{id}/segments/{file}", SegmentFile);
        api.MapPost("/cameras/{id}/clips", ExportClip);
        api.MapGet("/clips/{file}", ClipFile);
        api.MapGet("/cameras/{id}/snapshot.jpg", Snapshot);
        api.MapGet("/plates/{id}/{file}", PlateCrop);
        api.MapGet("/cameras/{id}/live.mp4", LiveMp4Stream);
        api.MapGet("/cameras/{id}/live.mjpeg", LiveMjpeg);
        api.MapGet("/cameras/{id}/live/meta", LiveMeta);
        api.MapGateApi();
        return app;
    }

    private static IResult Error(int status, string detail) => Results.Problem(statusCode: status, detail: detail);

    private static IResult UnknownCamera(CameraSet cameras, string id) =>
        Error(404, $"no camera '{id}' on this agent; it has: {string.Join(", ", cameras.All.Select(c => c.Camera.Id))}");

    private static IResult Health(CameraSet cameras, SegmentIndex index, EventOutbox outbox, RetentionService retention, IServiceProvider services, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var config = cameras.Config;
        var delivery = services.GetService<EventDelivery>();
        var drive = new DriveInfo(config.DataDir);
        return Results.Json(new
        {
            agent = config.AgentId,
            time = now,
            disk = new
            {
                path = config.DataDir,
                freeBytes = drive.AvailableFreeSpace,
                totalBytes = drive.TotalSize,
                lowDiskFreeBytes = config.Retention.LowDiskFreeBytes,
                lowDisk = retention.Last?.LowDisk ?? false,
                problems = retention.Last?.Problems ?? [],
            },
            outbox = new
            {
                lastSeq = outbox.LastSeq(),
                pending = outbox.PendingCount(),
                console = config.Console is null ? null : "configured",
                delivered = delivery?.Delivered,
                lastSuccess = delivery?.LastSuccess,
                lastError = delivery?.LastError,
            },
            cameras = cameras.All.Select(c => c.Status.Snapshot() with
            {
                StoredBytes = index.TotalBytes(c.Camera.Id),
                Gate = c.Camera is { GatePath: { } gate, Gate: not null } ? Path.GetFileName(gate) : null,
                SegmentSeconds = c.Camera.SegmentLength.TotalSeconds,
            }),
        });
    }

    /// <summary>The same figures in Prometheus' text format, for whoever runs a monitoring stack.</summary>
    private static IResult Metrics(CameraSet cameras, EventOutbox outbox)
    {
        var sb = new StringBuilder();
        void Line(string name, string camera, double value) =>
            sb.Append(CultureInfo.InvariantCulture, $"gatewatch_{name}{{camera=\"{camera}\"}} {value}\n");
        foreach (var c in cameras.All)
        {
            var h = c.Status.Snapshot();
            Line("camera_online", h.Id, h.State == "online" ? 1 : 0);
            Line("analysed_fps", h.Id, h.AnalysedFps);
            Line("analysed_frames_total", h.Id, h.AnalysedFrames);
            Line("dropped_frames_total", h.Id, h.DroppedFrames);
            Line("reconnects_total", h.Id, h.Reconnects);
            Line("analysis_lag_ms", h.Id, h.AnalysisLagMs);
            Line("recording_lag_seconds", h.Id, h.RecordingLagSeconds ?? -1);
        }

        sb.Append(CultureInfo.InvariantCulture, $"gatewatch_outbox_pending {outbox.PendingCount()}\n");
        return Results.Text(sb.ToString(), "text/plain; version=0.0.4");
    }

    // after and limit are parsed here rather than bound as numbers: a binding failure ("after=abc") is answered
    // by the framework with an empty 400, and before the key filter runs, so a caller without the key learnt
    // that the route parses its input and nobody learnt what was wrong.
    private static IResult Events(EventOutbox outbox, string? after, string? limit, string? camera)
    {
        if (!TryCount(after, 0, out var afterSeq) || afterSeq < 0)
        {
            return Error(400, "after: must be a sequence number of 0 or more (0 reads from the start)");
        }

        if (!TryCount(limit, 100, out var count) || count is < 1 or > MaxEventsPage)
        {
            return Error(400, $"limit: must be between 1 and {MaxEventsPage}");
        }

        var events = outbox.ReadAfter(afterSeq, (int)count, camera);
        return Results.Json(new { events, next = events.Count > 0 ? events[^1].Seq : afterSeq });
    }

    private static bool TryCount(string? text, long fallback, out long value)
    {
        value = fallback;
        return string.IsNullOrEmpty(text) || long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static IResult Segments(string id, string? from, string? to, CameraSet cameras, SegmentIndex index, TimeProvider time)
    {
        if (cameras.Find(id) is null && index.List(id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue).Count == 0)
        {
            return UnknownCamera(cameras, id);
        }

        var now = time.GetUtcNow();
        if (!TryTime(from, "from", now.AddDays(-1), out var f, out var bad) || !TryTime(to, "to", now.AddMinutes(1), out var t, out bad))
        {
            return bad!;
        }

        if (t <= f)
        {
            return Error(400, $"the range {f:O} to {t:O} is empty or reversed");
        }

        return Results.Json(index.List(id, f, t).Select(s => new
        {
            file = Path.GetFileName(s.Path),
            start = s.Start,
            end = s.End,
            bytes = s.Bytes,
            complete = s.Complete,
            @protected = index.IsProtected(s),
        }));
    }

    private static IResult SegmentFile(string id, string file, CameraSet cameras, SegmentIndex index)
    {
        // As for the segment list: an id that is neither configured nor recorded is answered with the cameras
        // there are, not with "no segment", which read as if the footage had been lost.
        if (cameras.Find(id) is null && index.List(id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue).Count == 0)
        {
            return UnknownCamera(cameras, id);
        }

        var folder = Path.GetFullPath(cameras.Config.CameraFolder(id));
        var path = Path.GetFullPath(Path.Combine(folder, file));
        if (!SegmentName().IsMatch(file) || !path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return Error(400, $"'{file}' is not a segment file name; only files inside the camera's recordings folder are served");
        }

        return index.Contains(path) && File.Exists(path)
            ? Results.File(path, "video/mp4", enableRangeProcessing: true)
            : Error(404, $"camera {id} has no segment {file}");
    }

    private sealed record ClipRequest(string? From, string? To);

    private const string ClipBodyForm = "{\"from\": \"...Z\", \"to\": \"...Z\"}";

    /// <summary>
    /// The body is read here rather than bound by the framework: a malformed one was answered with an empty 400
    /// (nothing said what was wrong), a JSON body sent as curl's default form type with an empty 415, and
    /// both before the key filter, so a caller without the key was told about the body instead of the key.
    /// </summary>
    private static async Task<(ClipRequest? Body, IResult? Error)> ReadClipRequestAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            if (request.ContentLength == 0 || request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
            {
                return (null, null);
            }

            return (await JsonSerializer.DeserializeAsync<ClipRequest>(request.Body, JsonSerializerOptions.Web, ct).ConfigureAwait(false), null);
        }
        catch (JsonException e)
        {
            return (null, Error(400, $"the body is not JSON of the form {ClipBodyForm} (the problem is at {e.Path ?? "$"}, line {(e.LineNumber ?? 0) + 1})"));
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's limit on request bodies (64 KB) or a body cut short.
            return (null, Error(e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"the body is too large; send {ClipBodyForm}"
                : $"the body could not be read ({e.Message})"));
        }
    }

    private static async Task<IResult> ExportClip(string id, HttpRequest request, CameraSet cameras, SegmentIndex index, CancellationToken ct)
    {
        if (cameras.Find(id) is null && index.List(id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue).Count == 0)
        {
            return UnknownCamera(cameras, id);
        }

        var (body, unreadable) = await ReadClipRequestAsync(request, ct).ConfigureAwait(false);
        if (unreadable is not null)
        {
            return unreadable;
        }

        if (body is null)
        {
            return Error(400, $"send {ClipBodyForm} with UTC times");
        }

        if (!TryTime(body.From, "from", null, out var from, out var bad) || !TryTime(body.To, "to", null, out var to, out bad))
        {
            return bad!;
        }

        if (to - from > MaxClip)
        {
            return Error(400, $"the range is {(to - from).TotalMinutes:0} minutes; one clip may be at most {MaxClip.TotalMinutes:0}: ask for several");
        }

        var dir = cameras.Config.ExportsDir;
        Directory.CreateDirectory(dir);
        var name = Guid.NewGuid().ToString("N") + ".mp4";
        await Exporting.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var clip = await ClipExporter.ExportAsync(index, id, from, to, Path.Combine(dir, name), ct).ConfigureAwait(false);
            return Results.Json(new
            {
                camera = id,
                from,
                to,
                file = name,
                download = $"/api/clips/{name}",
                sha256 = clip.Sha256,
                bytes = clip.Bytes,
                durationSeconds = Math.Round(clip.Duration.TotalSeconds, 3),
                gaps = clip.Gaps.Select(g => new { from = g.From, to = g.To }),
                unreadable = clip.Unreadable.Select(Path.GetFileName),
            });
        }
        catch (ClipException e)
        {
            return Error(e.Message.Contains("no footage", StringComparison.Ordinal) ? 404 : 400, e.Message);
        }
        catch (IOException e)
        {
            return Error(507, $"the clip could not be written ({e.Message}); free disk space on the agent");
        }
        catch (InvalidOperationException e)
        {
            return Error(500, e.Message);
        }
        finally
        {
            Exporting.Release();
        }
    }

    private static IResult ClipFile(string file, CameraSet cameras)
    {
        var path = Path.Combine(cameras.Config.ExportsDir, file);
        return !ClipName().IsMatch(file) ? Error(400, $"'{file}' is not a clip name")
            : File.Exists(path) ? Results.File(path, "video/mp4", fileDownloadName: file, enableRangeProcessing: true)
            : Error(404, $"no clip {file}; clips are kept for a day after export");
    }

    /// <summary>A vehicle's plate crop, as its crossing event names it; kept for the plate retention (retention.plateDays).</summary>
    private static IResult PlateCrop(string id, string file, CameraSet cameras)
    {
        if (cameras.Find(id) is null)
        {
            return UnknownCamera(cameras, id);
        }

        if (!PlateCropName().IsMatch(file))
        {
            return Error(400, $"'{file}' is not a plate crop name");
        }

        var path = Path.Combine(cameras.Config.PlatesDir, id, file);
        return File.Exists(path) ? Results.File(path, "image/jpeg")
            : Error(404, $"no plate crop {file} for camera {id}; crops are kept {cameras.Config.Retention.PlateMaxAge.TotalDays:0} days");
    }

    private static async Task<IResult> Snapshot(string id, CameraSet cameras, CancellationToken ct)
    {
        if (cameras.Find(id) is not { } camera)
        {
            return UnknownCamera(cameras, id);
        }

        if (camera.Frames.Latest is { } jpeg)
        {
            return Results.File(jpeg, "image/jpeg");
        }

        if (camera.Camera.Gate is not null)
        {
            // Analysis is starting: the first picture follows within a frame or two.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                return Results.File(await camera.Frames.NextAsync(null, wait.Token).ConfigureAwait(false), "image/jpeg");
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return Error(503, $"camera {id} has no picture yet ({camera.Status.State}: {camera.Status.LastError ?? "starting"})");
            }
        }

        try
        {
            return Results.File(await Snapshots.GrabAsync(camera.Camera, ct).ConfigureAwait(false), "image/jpeg");
        }
        catch (VideoSourceException e)
        {
            return Error(502, e.Message);
        }
        catch (SnapshotBusyException e)
        {
            return Error(503, e.Message);
        }
    }

    private static async Task LiveMp4Stream(string id, HttpContext http, CameraSet cameras)
    {
        if (cameras.Find(id) is not { } camera)
        {
            await UnknownCamera(cameras, id).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        using var viewer = camera.LiveViewers.TryEnter(MaxLiveViewers);
        if (viewer is null)
        {
            await Error(503, $"camera {id} already has {MaxLiveViewers} live viewers; each is a connection to the camera").ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        try
        {
            var codec = await camera.MainCodecAsync(http.RequestAborted).ConfigureAwait(false);
            await LiveMp4.CopyAsync(id, camera.Camera.Main, camera.Camera.Loop, () =>
            {
                http.Response.ContentType = "video/mp4";
                http.Response.Headers.CacheControl = "no-store";
                if (codec is not null)
                {
                    http.Response.Headers["X-Codec"] = codec;
                }

                return http.Response.Body;
            }, http.RequestAborted).ConfigureAwait(false);
        }
        catch (VideoSourceException e) when (!http.Response.HasStarted)
        {
            await Error(502, e.Message).ExecuteAsync(http).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The viewer closed the page.
        }
    }

    private static async Task LiveMjpeg(string id, HttpContext http, CameraSet cameras)
    {
        if (cameras.Find(id) is not { } camera)
        {
            await UnknownCamera(cameras, id).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        if (camera.Camera.Gate is null)
        {
            await Error(404, $"camera {id} is not analysed, so it has no annotated stream; use live.mp4").ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        const string boundary = "gatewatchframe";
        http.Response.ContentType = $"multipart/x-mixed-replace; boundary={boundary}";
        http.Response.Headers.CacheControl = "no-store";
        using var watching = camera.Frames.Watch();
        var ct = http.RequestAborted;
        byte[]? seen = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var jpeg = await camera.Frames.NextAsync(seen, ct).ConfigureAwait(false);
                seen = jpeg;
                var head = Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Length}\r\n\r\n");
                await http.Response.Body.WriteAsync(head, ct).ConfigureAwait(false);
                await http.Response.Body.WriteAsync(jpeg, ct).ConfigureAwait(false);
                await http.Response.Body.WriteAsync("\r\n"u8.ToArray(), ct).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The viewer left.
        }
    }

    /// <summary>
    /// Server-sent events with what the pipeline sees on each analysed frame (boxes, zone counts, line
    /// counts), so a browser draws the overlay itself on top of the stream-copied video.
    /// </summary>
    /// <summary>Live metadata says something at least this often, so a quiet stream is not taken for a hung one.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(10);

    private static async Task LiveMeta(string id, HttpContext http, CameraSet cameras, TimeProvider time)
    {
        if (cameras.Find(id) is not { } camera)
        {
            await UnknownCamera(cameras, id).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        // Without analysis there is never a frame to describe: the stream would stay open and silent forever.
        if (camera.Camera.Gate is null)
        {
            await Error(404, $"camera {id} is not analysed, so it has no live metadata").ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-store";
        var live = SourceInput.IsLive(camera.Camera.Sub ?? camera.Camera.Main, camera.Camera.Loop);
        var ct = http.RequestAborted;
        object? sent = null;
        GateSpec? sentSpec = null;
        var wrote = time.GetUtcNow();
        try
        {
            // Polling the newest analysis at 10 Hz: analysis runs at a few frames a second, so no frame is missed
            // for long, and a viewer never slows the pipeline down.
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100), time);
            do
            {
                if (camera.Latest is { } a && !ReferenceEquals(a, sent))
                {
                    sent = a;
                    var h = camera.Status.Snapshot();
                    // Boxes are in the analysed frame's pixels, which may be smaller than the gate file's frame.
                    var spec = camera.LiveSpec ?? camera.Camera.Gate!;
                    // The gate's geometry goes with the first message and again only when it changes.
                    var gate = ReferenceEquals(spec, sentSpec) ? null : new
                    {
                        lines = spec.Lines.Select(l => new { id = l.Id, a = P(l.A), b = P(l.B), inside = P(l.InsidePoint) }),
                        zones = spec.Zones.Select(z => new { id = z.Id, polygon = z.Polygon.Select(P), crowdMin = z.CrowdMin }),
                    };
                    sentSpec = spec;
                    var json = JsonSerializer.Serialize(new
                    {
                        time = a.Time,
                        // How long ago the frame was captured, by this agent's own clock (a live camera's frames carry
                        // the clock's time): the wall draws the boxes under the picture of that moment, and shows none
                        // when the analysis is further behind than the video, rather than boxes where people were.
                        lag = live ? Math.Round(Math.Max(0, (time.GetUtcNow() - a.Time).TotalSeconds), 3) : (double?)null,
                        frameSize = spec.FrameSize is { } fs ? new[] { fs.Width, fs.Height } : null,
                        gate,
                        crowded = camera.CrowdedZones,
                        tracks = a.Tracks.Where(t => t.State != TrackState.Tentative).Select(t => new
                        {
                            id = t.Id,
                            @class = t.Class.Name(),
                            box = new[] { Math.Round(t.Box.X1), Math.Round(t.Box.Y1), Math.Round(t.Box.X2), Math.Round(t.Box.Y2) },
                            seen = t.SeenNow,
                        }),
                        zones = a.ZoneCounts,
                        // Zones counted by the density estimate now (the rest by their tracks), each zone's estimate,
                        // and the coarse density grid of the frame the estimate was made from, for the heat overlay.
                        dense = a.DenseZones,
                        estimates = a.Density?.Zones.ToDictionary(z => z.Key, z => Math.Round(z.Value, 1)),
                        density = a.Density is { Grid: var g } d
                            ? new { time = d.Time, columns = g.Columns, rows = g.Rows, cells = g.Cells.Select(v => Math.Round(v, 2)) }
                            : null,
                        lines = h.LineCounts,
                    });
                    await http.Response.WriteAsync($"data: {json}\n\n", ct).ConfigureAwait(false);
                    await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                    wrote = time.GetUtcNow();
                }
                else if (time.GetUtcNow() - wrote >= KeepAlive)
                {
                    // A comment line, which EventSource ignores: while the camera is offline nothing else is said, and
                    // the console gives up on a stream that is silent for 30 s.
                    await http.Response.WriteAsync(":\n\n", ct).ConfigureAwait(false);
                    await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                    wrote = time.GetUtcNow();
                }
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // The viewer left.
        }
    }

    private static double[] P(Point2 p) => [Math.Round(p.X, 1), Math.Round(p.Y, 1)];

    /// <summary>Parses an ISO 8601 time; a missing one takes <paramref name="fallback"/> or is an error when there is none.</summary>
    private static bool TryTime(string? text, string name, DateTimeOffset? fallback, out DateTimeOffset value, out IResult? error)
    {
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            value = fallback ?? default;
            error = fallback is null ? Error(400, $"{name}: is required, an ISO 8601 UTC time such as 2026-11-23T10:00:00Z") : null;
            return fallback is not null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return true;
        }

        error = Error(400, $"{name}: '{text}' is not an ISO 8601 time such as 2026-11-23T10:00:00Z");
        return false;
    }
}
