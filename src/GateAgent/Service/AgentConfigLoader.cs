using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Plates;

namespace GateWatch.Agent.Service;

/// <summary>A configuration that cannot be used; the message names the file, the JSON path and the problem.</summary>
internal sealed class AgentConfigException(string file, string jsonPath, string problem)
    : Exception($"{file}: {jsonPath}: {problem}");

/// <summary>
/// Reads agent.json strictly: unknown fields, duplicate camera ids, impossible limits and missing files are
/// refused at start with where they are, rather than discovered at 3 a.m. when a camera misbehaves.
/// </summary>
internal static partial class AgentConfigLoader
{
    /// <summary>A key shorter than this can be guessed over the network.</summary>
    private const int MinKeyLength = 16;

    /// <summary>
    /// Bitrate a quota is checked against when a camera does not say: 8 Mbit/s is the top of what 1080p
    /// IP cameras send, so a quota that passes holds at least one segment of any ordinary main stream.
    /// </summary>
    private const int DefaultMaxBitrateKbps = 8000;

    /// <summary>
    /// The longest duration a setting may give. TimeSpan ends near 29,000 years and dates at the year 9999, so a
    /// larger value would throw when it is made, or later when it is taken from now; a century is past any real setting.
    /// </summary>
    private const double MaxYears = 100;

    private const double DaysPerYear = 365.25;

    private const double SecondsPerYear = DaysPerYear * 86400;

    /// <summary>Camera ids become folder names and URL segments, so they are kept to a safe alphabet.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,39}$")]
    private static partial Regex CameraId();

    public static AgentConfig Load(string path)
    {
        var file = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentConfigException(file, "$", $"cannot read the file ({e.Message})");
        }

        return Parse(text, file);
    }

    public static AgentConfig Parse(string json, string file)
    {
        ConfigDto dto;
        try
        {
            dto = JsonSerializer.Deserialize<ConfigDto>(json, StrictJson.Options)
                ?? throw new AgentConfigException(file, "$", "the document is null");
        }
        catch (JsonException e)
        {
            var (at, problem) = StrictJson.Describe(e);
            throw new AgentConfigException(file, at, problem);
        }

        return Validate(dto, file);
    }

    private static AgentConfig Validate(ConfigDto dto, string file)
    {
        var dir = Path.GetDirectoryName(file)!;
        AgentConfigException Error(string at, string problem) => new(file, at, problem);

        var agentId = dto.AgentId is { } a && CameraId().IsMatch(a)
            ? a
            : throw Error("$.agentId", "is required: lower-case letters, digits, '-' and '_', at most 40");

        var listen = dto.Listen ?? "http://127.0.0.1:8710";
        if (!Uri.TryCreate(listen, UriKind.Absolute, out var listenUri) || (listenUri.Scheme != Uri.UriSchemeHttp && listenUri.Scheme != Uri.UriSchemeHttps))
        {
            throw Error("$.listen", $"'{listen}' is not an http:// or https:// address to listen on");
        }

        // The API carries the agent's key, footage and plates: off this box it goes only over TLS. Plain http is for a
        // client on the same machine (a local reverse proxy that terminates TLS itself).
        if (listenUri.Scheme == Uri.UriSchemeHttp && !listenUri.IsLoopback)
        {
            throw Error("$.listen", $"'{listen}' would serve the API in plain http to the network; use https://{listenUri.Authority} (the agent makes its own certificate when tls names none) or a loopback address");
        }

        string? certificateFile = null, certificateKeyFile = null;
        if (dto.Tls is { } tls)
        {
            if (listenUri.Scheme != Uri.UriSchemeHttps)
            {
                throw Error("$.tls", "names a certificate but listen is http://; make listen https:// or leave tls out");
            }

            certificateFile = ExistingFile(tls.CertificateFile, "$.tls.certificateFile", "the API's certificate (PEM)");
            certificateKeyFile = ExistingFile(tls.KeyFile, "$.tls.keyFile", "the certificate's private key (PEM)");
        }

        string key;
        if (dto.ApiKeyFile is { } keyFile)
        {
            var keyPath = FullPath(keyFile, "$.apiKeyFile");
            try
            {
                key = File.ReadAllText(keyPath).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Error("$.apiKeyFile", $"cannot read {keyPath} ({e.Message})");
            }
        }
        else
        {
            key = dto.ApiKey ?? throw Error("$.apiKey", "is required (or apiKeyFile): the key clients of the local API must present");
        }

        if (key.Length < MinKeyLength)
        {
            throw Error(dto.ApiKeyFile is null ? "$.apiKey" : "$.apiKeyFile", $"the key must be at least {MinKeyLength} characters");
        }

        var dataDir = FullPath(dto.DataDir ?? throw Error("$.dataDir", "is required: where recordings and databases live"), "$.dataDir");

        ConsoleLink? console = null;
        if (dto.Console is { } c)
        {
            if (!Uri.TryCreate(c.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw Error("$.console.url", $"'{HideUserInfo(c.Url ?? "")}' is not an http(s) URL");
            }

            if (c.Key is not { Length: >= MinKeyLength })
            {
                throw Error("$.console.key", $"is required, at least {MinKeyLength} characters");
            }

            console = new ConsoleLink(url, c.Key);
        }

        var r = dto.Retention ?? new RetentionDto();
        var retention = new RetentionSettings(
            r.MaxAgeDays is { } days ? Days(Positive(days, "$.retention.maxAgeDays"), "$.retention.maxAgeDays") : null,
            (long)(NonNegative(r.LowDiskFreeMB ?? 1024, "$.retention.lowDiskFreeMB") * 1024 * 1024),
            Seconds(Positive(r.SweepSeconds ?? 60, "$.retention.sweepSeconds"), "$.retention.sweepSeconds"))
        {
            PlateMaxAge = Days(Positive(r.PlateDays ?? RetentionSettings.DefaultPlateDays, "$.retention.plateDays"), "$.retention.plateDays"),
        };

        // An empty list is a box installed but not yet pointed at its cameras (the packaged agent.json): it serves its
        // API and enrols, and the cameras added later apply without a restart. A missing list is a typo.
        if (dto.Cameras is not { } cameraDtos)
        {
            throw Error("$.cameras", "is required: the cameras this agent records ([] for a box not yet set up)");
        }

        var cameras = new List<CameraConfig>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < cameraDtos.Count; i++)
        {
            cameras.Add(Camera(cameraDtos[i] ?? throw Error($"$.cameras[{i}]", "is null"), $"$.cameras[{i}]"));
        }

        return new AgentConfig(file, agentId, listenUri.AbsoluteUri.TrimEnd('/'), key, dataDir, console, retention, cameras)
        {
            TlsCertificateFile = certificateFile,
            TlsKeyFile = certificateKeyFile,
        };

        string ExistingFile(string? value, string at, string what)
        {
            var path = FullPath(value ?? throw Error(at, $"is required: {what}"), at);
            return File.Exists(path) ? path : throw Error(at, $"{path} does not exist ({what})");
        }

        CameraConfig Camera(CameraDto d, string at)
        {
            if (d.Id is not { } id || !CameraId().IsMatch(id))
            {
                throw Error($"{at}.id", "is required: lower-case letters, digits, '-' and '_', at most 40 (it names the camera's recordings folder)");
            }

            if (!ids.Add(id))
            {
                throw Error($"{at}.id", $"'{id}' is used by an earlier camera; camera ids must be unique");
            }

            var loop = d.Loop ?? false;
            var main = Source(d.Main ?? throw Error($"{at}.main", "is required: the stream to record (rtsp://... or a file)"), $"{at}.main", loop);
            var sub = d.Sub is { } s ? Source(s, $"{at}.sub", loop) : null;

            GateSpec? gate = null;
            var fingerprint = "";
            string? gatePath = null;
            if (d.Gate is { } g)
            {
                gatePath = FullPath(g, $"{at}.gate");
                try
                {
                    gate = GateSpecLoader.Load(gatePath);
                    fingerprint = GateFile.Fingerprint(gatePath);
                }
                catch (GateSpecException e)
                {
                    throw Error($"{at}.gate", $"the gate spec is not usable: {e.Message}");
                }
            }

            var fps = Positive(d.AnalysisFps ?? 5, $"{at}.analysisFps");
            var width = d.AnalysisWidth ?? CameraConfig.DefaultAnalysisWidth;
            if (width is < 320 or > 3840 || width % 2 != 0)
            {
                throw Error($"{at}.analysisWidth", $"must be an even number of pixels from 320 to 3840, got {width}");
            }

            var segment = Seconds(Positive(d.SegmentSeconds ?? 10, $"{at}.segmentSeconds"), $"{at}.segmentSeconds");
            long? quota = null;
            if (d.QuotaMB is { } mb)
            {
                quota = (long)(Positive(mb, $"{at}.quotaMB") * 1024 * 1024);
                var bitrate = Positive(d.MaxBitrateKbps ?? DefaultMaxBitrateKbps, $"{at}.maxBitrateKbps");
                var oneSegment = (long)(segment.TotalSeconds * bitrate * 1000 / 8);
                if (quota < oneSegment)
                {
                    throw Error($"{at}.quotaMB", Invariant(
                        $"{mb} MB holds less than one {segment.TotalSeconds} s segment at {bitrate} kbit/s ({oneSegment / 1024.0 / 1024:0.#} MB); raise quotaMB, or lower segmentSeconds or maxBitrateKbps"));
                }
            }

            var plates = PlateRegionOf(d.Plates, $"{at}.plates");
            return new CameraConfig(
                id,
                d.Name ?? id,
                main,
                sub,
                loop,
                gatePath,
                gate,
                fps,
                segment,
                quota,
                d.MaxAgeDays is { } days ? Days(Positive(days, $"{at}.maxAgeDays"), $"{at}.maxAgeDays") : null,
                Seconds(NonNegative(d.PreRollSeconds ?? 30, $"{at}.preRollSeconds"), $"{at}.preRollSeconds"),
                Seconds(NonNegative(d.PostRollSeconds ?? 30, $"{at}.postRollSeconds"), $"{at}.postRollSeconds"))
            {
                GateFingerprint = fingerprint,
                AnalysisWidth = width,
                Plates = plates,
                Barrier = d.Barrier is { } barrier ? BarrierOf(barrier, $"{at}.barrier", gate, plates) : null,
            };
        }

        PlateRegion? PlateRegionOf(string? value, string at) => value switch
        {
            null or "vn" => PlateRegion.Vietnam,
            "any" => PlateRegion.Any,
            "off" => null,
            _ => throw Error(at, $"must be vn (Vietnam's plates, the default), any (foreign plates) or off, got '{value}'"),
        };

        BarrierConfig BarrierOf(BarrierDto b, string at, GateSpec? gate, PlateRegion? plates)
        {
            if (gate is null || plates is null)
            {
                throw Error(at, "needs the camera's gate spec and plate reading (plates is not off): the barrier opens for plates read on a gate line");
            }

            if (b.Lines is not { Count: > 0 } lines)
            {
                throw Error($"{at}.lines", "lists no line: name the approach line(s) whose crossings may open the barrier");
            }

            foreach (var line in lines)
            {
                if (!gate.Lines.Any(l => l.Id == line))
                {
                    throw Error($"{at}.lines", $"'{line}' is not a line of the gate spec (it has {string.Join(", ", gate.Lines.Select(l => l.Id))})");
                }
            }

            Direction? direction = b.Direction switch
            {
                null or "both" => null,
                "in" => Direction.In,
                "out" => Direction.Out,
                _ => throw Error($"{at}.direction", $"must be in, out or both, got '{b.Direction}'"),
            };
            if (!Uri.TryCreate(b.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw Error($"{at}.url", $"'{HideUserInfo(b.Url ?? "")}' is not the relay controller's http(s) URL");
            }

            var method = (b.Method ?? "POST").ToUpperInvariant() switch
            {
                "POST" => HttpMethod.Post,
                "GET" => HttpMethod.Get,
                "PUT" => HttpMethod.Put,
                _ => throw Error($"{at}.method", $"must be POST, GET or PUT, got '{b.Method}'"),
            };
            var list = b.AllowList ?? throw Error($"{at}.allowList", "is required: \"console\" (the console's allowed vehicles and visitors) or a file of plates, one per line");
            var fromConsole = list == "console";
            if (fromConsole && dto.Console is null)
            {
                throw Error($"{at}.allowList", "\"console\" needs the agent's console link ($.console)");
            }

            var allow = fromConsole ? Path.Combine(dataDir, "barrier-allowed.txt") : FullPath(list, $"{at}.allowList");
            if (!fromConsole && !File.Exists(allow))
            {
                throw Error($"{at}.allowList", $"{allow}: no such file");
            }

            var edits = b.MaxEdits ?? 0;
            if (edits is < 0 or > 2)
            {
                throw Error($"{at}.maxEdits", $"must be 0, 1 or 2 (how many misread characters still match), got {edits}");
            }

            return new BarrierConfig(lines.ToHashSet(StringComparer.Ordinal), direction, url, method, allow, edits) { FromConsole = fromConsole };
        }

        string Source(string value, string at, bool loop)
        {
            if (value.Contains("://", StringComparison.Ordinal))
            {
                if (!Uri.TryCreate(value, UriKind.Absolute, out var u) || u.Scheme is not ("rtsp" or "rtsps" or "http" or "https"))
                {
                    throw Error(at, $"'{HideUserInfo(value)}' is not an rtsp://, rtsps:// or http(s):// URL");
                }

                if (loop)
                {
                    throw Error(at, "loop is for files; a live stream does not end");
                }

                return value;
            }

            var full = FullPath(value, at);
            return File.Exists(full) ? full : throw Error(at, $"no such file: {full}");
        }

        double Positive(double v, string at) =>
            v > 0 && double.IsFinite(v) ? v : throw Error(at, Invariant($"must be a positive number, got {v}"));

        double NonNegative(double v, string at) =>
            v >= 0 && double.IsFinite(v) ? v : throw Error(at, Invariant($"must be zero or more, got {v}"));

        TimeSpan Days(double v, string at) =>
            v <= MaxYears * DaysPerYear ? TimeSpan.FromDays(v) : throw Error(at, Invariant($"must be at most {MaxYears * DaysPerYear} ({MaxYears} years), got {v}"));

        TimeSpan Seconds(double v, string at) =>
            v <= MaxYears * SecondsPerYear ? TimeSpan.FromSeconds(v) : throw Error(at, Invariant($"must be at most {MaxYears * SecondsPerYear} ({MaxYears} years), got {v}"));

        // Path.GetFullPath throws ArgumentException for a NUL, which JSON can spell as \u0000.
        string FullPath(string path, string at) =>
            path.Contains('\0', StringComparison.Ordinal) ? throw Error(at, "holds a NUL character (\\u0000), which no path can") : Path.GetFullPath(path, dir);
    }

    private static string Invariant(FormattableString s) => FormattableString.Invariant(s);

    /// <summary>
    /// A refused URL as it may be shown in an error: everything between the scheme and the last '@' hidden.
    /// Redact.Url scans free text, so it must stop at a '/' to find where a URL's host begins; here the whole
    /// string is one URL, so even a password holding '/' stays hidden. Hiding too much of a URL that is
    /// refused anyway costs nothing.
    /// </summary>
    private static string HideUserInfo(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        var at = url.LastIndexOf('@');
        return start >= 0 && at > start ? string.Concat(url.AsSpan(0, start + 3), "***", url.AsSpan(at)) : url;
    }

    /// <summary>Shown by `GateAgent run --help`: a complete example with every field.</summary>
    internal const string Example = """
        {
          "agentId": "gate-north",
          "listen": "https://0.0.0.0:8710",
          "apiKeyFile": "agent.key",
          "dataDir": "/var/lib/gatewatch",
          "console": { "url": "https://console.example/", "key": "the key the console gave this agent" },
          "retention": { "maxAgeDays": 30, "lowDiskFreeMB": 1024, "sweepSeconds": 60, "plateDays": 90 },
          "cameras": [
            { "id": "north-1", "name": "North gate", "main": "rtsp://user:pass@10.0.0.11/main", "sub": "rtsp://user:pass@10.0.0.11/sub",
              "gate": "north-1.gate.json", "analysisFps": 5, "segmentSeconds": 10, "quotaMB": 20000, "preRollSeconds": 30, "postRollSeconds": 30,
              "plates": "vn",
              "barrier": { "lines": ["approach"], "direction": "in", "url": "http://10.0.0.20/relay/1/open", "method": "POST", "allowList": "allowed.txt", "maxEdits": 0 } }
          ]
        }
        """;

    private sealed class ConfigDto
    {
        [JsonPropertyName("agentId")] public string? AgentId { get; set; }
        [JsonPropertyName("listen")] public string? Listen { get; set; }
        [JsonPropertyName("apiKey")] public string? ApiKey { get; set; }
        [JsonPropertyName("apiKeyFile")] public string? ApiKeyFile { get; set; }
        [JsonPropertyName("dataDir")] public string? DataDir { get; set; }
        [JsonPropertyName("console")] public ConsoleDto? Console { get; set; }
        [JsonPropertyName("tls")] public TlsDto? Tls { get; set; }
        [JsonPropertyName("retention")] public RetentionDto? Retention { get; set; }
        [JsonPropertyName("cameras")] public List<CameraDto?>? Cameras { get; set; }
    }

    private sealed class ConsoleDto
    {
        [JsonPropertyName("url")] public string? Url { get; set; }
        [JsonPropertyName("key")] public string? Key { get; set; }
    }

    private sealed class TlsDto
    {
        [JsonPropertyName("certificateFile")] public string? CertificateFile { get; set; }
        [JsonPropertyName("keyFile")] public string? KeyFile { get; set; }
    }

    private sealed class RetentionDto
    {
        [JsonPropertyName("maxAgeDays")] public double? MaxAgeDays { get; set; }
        [JsonPropertyName("lowDiskFreeMB")] public double? LowDiskFreeMB { get; set; }
        [JsonPropertyName("sweepSeconds")] public double? SweepSeconds { get; set; }
        [JsonPropertyName("plateDays")] public double? PlateDays { get; set; }
    }

    private sealed class CameraDto
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
        [JsonPropertyName("name")] public string? Name { get; set; }
        [JsonPropertyName("main")] public string? Main { get; set; }
        [JsonPropertyName("sub")] public string? Sub { get; set; }
        [JsonPropertyName("loop")] public bool? Loop { get; set; }
        [JsonPropertyName("gate")] public string? Gate { get; set; }
        [JsonPropertyName("analysisFps")] public double? AnalysisFps { get; set; }
        [JsonPropertyName("analysisWidth")] public int? AnalysisWidth { get; set; }
        [JsonPropertyName("segmentSeconds")] public double? SegmentSeconds { get; set; }
        [JsonPropertyName("quotaMB")] public double? QuotaMB { get; set; }
        [JsonPropertyName("maxBitrateKbps")] public double? MaxBitrateKbps { get; set; }
        [JsonPropertyName("maxAgeDays")] public double? MaxAgeDays { get; set; }
        [JsonPropertyName("preRollSeconds")] public double? PreRollSeconds { get; set; }
        [JsonPropertyName("postRollSeconds")] public double? PostRollSeconds { get; set; }
        [JsonPropertyName("plates")] public string? Plates { get; set; }
        [JsonPropertyName("barrier")] public BarrierDto? Barrier { get; set; }
    }

    private sealed class BarrierDto
    {
        [JsonPropertyName("lines")] public List<string>? Lines { get; set; }
        [JsonPropertyName("direction")] public string? Direction { get; set; }
        [JsonPropertyName("url")] public string? Url { get; set; }
        [JsonPropertyName("method")] public string? Method { get; set; }
        [JsonPropertyName("allowList")] public string? AllowList { get; set; }
        [JsonPropertyName("maxEdits")] public int? MaxEdits { get; set; }
    }
}
