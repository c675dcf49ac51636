using System.Globalization;
using System.Net.Http.Json;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using GateWatch.Agent.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests.Support;

/// <summary>
/// Everything a person at the console meets, for real: the PETS clip served by a real RTSP server with a
/// password, the edge agent and the console run as the programs they are (dotnet GateAgent.dll run,
/// dotnet GateConsole.dll serve), set up with the console's own commands (one user per role, the agent
/// registered), and Debian's Chromium driven by Playwright. Started once for all browser tests.
/// </summary>
public sealed class GateSite : IAsyncLifetime
{
    public const string Password = "correct horse battery staple";
    public const string AgentId = "gate-north";
    public const string CameraId = "north-1";

    /// <summary>The lane camera a plate test adds for its run (<see cref="AddLaneCameraAsync"/>).</summary>
    public const string LaneCameraId = "lane-1";
    /// <summary>The camera whose picture carries the time it left the camera (<see cref="AddStampedCameraAsync"/>).</summary>
    public const string StampedCameraId = "stamp-1";
    private const string CameraPassword = "cam-pw-5521";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly string _dir = Directory.CreateTempSubdirectory("gatewatch-browser-").FullName;
    private RtspTestServer? _camera;
    private ChildProcess? _console;
    private ChildProcess? _agent;
    private IPlaywright? _playwright;
    private string _agentKey = "";
    private string _consoleKey = "";
    private int _agentPort;
    private string _configPath = "";
    private string _consoleData = "";
    private readonly List<IDisposable> _spares = [];
    private string _clip = "";
    private string _agentFingerprint = "";
    private HttpClient? _agentHttp;

    public Uri ConsoleUrl { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Screenshots and the programs' logs, kept after the run (CI keeps artifacts/).</summary>
    public static string Artifacts { get; } = Directory.CreateDirectory(Path.Combine(TestPaths.RepoRoot, "artifacts", "browser")).FullName;

    public async Task InitializeAsync()
    {
        var video = Environment.GetEnvironmentVariable("GATEWATCH_VIDEO") is { Length: > 0 } v ? v : Path.Combine(TestPaths.Shared, "data", "pets2009-s2l1", "vtest.mp4");
        if (!File.Exists(video))
        {
            throw new FileNotFoundException($"the PETS clip is needed: {video} (scripts/setup.sh finds it or fetches Debian's opencv-doc copy and sets GATEWATCH_VIDEO)");
        }

        // A camera's kind of stream: H.264 without B-frames, a keyframe a second. Each frame carries its number
        // in the clip, so a test tells which PETS frame the wall shows.
        var clip = _clip = Path.Combine(_dir, "pets.h264");
        FfmpegCli.Run("-i", video, "-vf", PictureCode.FrameNumberFilter(), "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "10",
            "-pix_fmt", "yuv420p", "-f", "h264", clip);
        _camera = RtspTestServer.Start(clip, "camera", CameraPassword);

        var consoleData = _consoleData = Path.Combine(_dir, "console");
        var passwordFile = Path.Combine(_dir, "password.txt");
        await File.WriteAllTextAsync(passwordFile, Password);
        // Users "…1" read the pages in English (the tests that assert wording do so in English); users "…2" keep the
        // console's default, Vietnamese.
        Console("create-admin", "--name", "admin1", "--password-file", passwordFile, "--data", consoleData, "--language", "en");
        Console("create-admin", "--name", "admin2", "--password-file", passwordFile, "--data", consoleData);
        foreach (var role in new[] { "guard", "reviewer", "investigator" })
        {
            Console("create-user", "--name", role + "1", "--role", role, "--password-file", passwordFile, "--data", consoleData, "--language", "en");
            Console("create-user", "--name", role + "2", "--role", role, "--password-file", passwordFile, "--data", consoleData);
        }

        var consolePort = RtspTestServer.FreePort();
        _agentPort = RtspTestServer.FreePort();
        _agentKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var agentDir = Directory.CreateDirectory(Path.Combine(_dir, "agent")).FullName;
        await File.WriteAllTextAsync(Path.Combine(agentDir, "agent.key"), _agentKey);
        // The admin test moves a line and the agent saves the spec (and a .previous beside it): a copy, so
        // the run leaves the repository's sample as committed.
        var gate = Path.Combine(agentDir, "pets-gate.json");
        File.Copy(TestPaths.Resolve("samples/pets-gate.json"), gate);
        // As an integrator sets a gate box up: the agent serves its API over TLS with a certificate of its own, whose
        // fingerprint (printed by the agent from its config, before it ever runs) the console pins at registration.
        var cameras = new[]
        {
            new
            {
                id = CameraId, name = "North gate", main = _camera.UrlWith("camera", CameraPassword), gate,
                analysisFps = 5, segmentSeconds = 4, preRollSeconds = 5, postRollSeconds = 5,
            },
        };
        var configPath = _configPath = Path.Combine(agentDir, "agent.json");
        var listen = $"https://127.0.0.1:{_agentPort}";
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(new { agentId = AgentId, listen, apiKeyFile = "agent.key", dataDir = "data", cameras }));
        _agentFingerprint = ChildProcess.Run("dotnet", Program("src/GateAgent", "GateAgent.dll"), "tls-fingerprint", "--config", configPath).Trim();
        var consoleKey = _consoleKey = Console("register-agent", "--id", AgentId, "--name", "North gate", "--url", listen + "/",
            "--fingerprint", _agentFingerprint, "--api-key-file", Path.Combine(agentDir, "agent.key"), "--data", consoleData).Trim();
        var config = new
        {
            agentId = AgentId,
            listen,
            apiKeyFile = "agent.key",
            dataDir = "data",
            console = new { url = $"http://127.0.0.1:{consolePort}/", key = consoleKey },
            cameras,
        };
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(config));

        ConsoleUrl = new Uri($"http://127.0.0.1:{consolePort}/");
        _console = ChildProcess.Start(Path.Combine(Artifacts, "console.log"), "dotnet", Program("src/Console", "GateConsole.dll"),
            "serve", "--data", consoleData, "--listen", $"http://127.0.0.1:{consolePort}");
        _agent = ChildProcess.Start(Path.Combine(Artifacts, "agent.log"), "dotnet", Program("src/GateAgent", "GateAgent.dll"), "run", "--config", configPath);
        await WaitAsync(() => UpAsync(new Uri(ConsoleUrl, "healthz")), TimeSpan.FromSeconds(60), "the console to answer", _console);
        await WaitAsync(() => CameraOnlineAsync(CameraId), TimeSpan.FromSeconds(60), "the agent's camera to be online", _agent);

        _playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            // This machine's network is closed: without these Chromium keeps trying Google's services.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
        });
    }

    /// <summary>The park's zone: the console's default, which the site keeps.</summary>
    public const string ParkZone = "Asia/Ho_Chi_Minh";

    /// <summary>
    /// The zone the browser runs in: neither the park's nor UTC, so a page that shows the browser's time instead of
    /// the park's is caught.
    /// </summary>
    public const string BrowserZone = "Europe/Berlin";

    /// <summary>A UTC time as the park's clock shows it: what a person at the park types and reads.</summary>
    public static DateTime ParkTime(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(utc, TimeZoneInfo.FindSystemTimeZoneById(ParkZone));

    /// <summary>A fresh browser context (its own cookies) signed in through the login page as <paramref name="user"/>.</summary>
    /// <param name="phone">A 390x844 touch screen (a guard's phone) instead of a desktop's 1400x900.</param>
    public async Task<IPage> SignInAsync(string user, bool phone = false)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = ConsoleUrl.ToString(), AcceptDownloads = true, TimezoneId = BrowserZone,
            ViewportSize = phone ? new() { Width = 390, Height = 844 } : new() { Width = 1400, Height = 900 },
            IsMobile = phone, HasTouch = phone,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login.html");
        await page.FillAsync("#name", user);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("#signin");
        await page.WaitForURLAsync(u => !u.Contains("/login.html", StringComparison.Ordinal));
        return page;
    }

    public static async Task ShotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, name + ".png"), FullPage = true });

    /// <summary>The agent's own view of its camera, asked with its key (what the console relays).</summary>
    public Task<JsonElement> AgentHealthAsync() => AgentGetAsync("api/health");

    /// <summary>A GET on the agent's API with its key.</summary>
    public async Task<JsonElement> AgentGetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{_agentPort}/{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _agentKey);
        using var response = await AgentHttp.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>())!;
    }

    /// <summary>
    /// Delivers events to the console the way the agent does: POST /api/agents/events with the key the agent's
    /// registration gave, in the agent's outbox format. For events the clip itself cannot make (a plate read).
    /// </summary>
    public async Task<JsonElement> DeliverAsync(params object[] events)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ConsoleUrl, "api/agents/events"))
        {
            Content = JsonContent.Create(new { agent = AgentId, events }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _consoleKey);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Waits until the agent holds at least <paramref name="span"/> of finished footage up to a few seconds ago.</summary>
    public async Task WaitForFootageAsync(TimeSpan span)
    {
        var until = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{_agentPort}/api/cameras/{CameraId}/segments");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _agentKey);
            using var response = await AgentHttp.SendAsync(request);
            if (response.IsSuccessStatusCode)
            {
                var segments = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
                if (segments.Count > 0 && segments[^1].GetProperty("end").GetDateTimeOffset() - segments[0].GetProperty("start").GetDateTimeOffset() >= span + TimeSpan.FromSeconds(10))
                {
                    return;
                }
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"the agent recorded less than {span.TotalSeconds:0} s in 90 s; it said:\n{AgentLog}");
            }

            await Task.Delay(1000);
        }
    }

    /// <summary>
    /// Adds a lane camera to the running agent by editing its config file, as an integrator would: a clip made from
    /// a real photo of a car (the frame panning so the car drives across a line), served by its own RTSP server,
    /// plates read with the foreign grammar. Returns when the agent reports the camera online; dispose to take it
    /// out of the config again.
    /// </summary>
    public async Task<IAsyncDisposable> AddLaneCameraAsync(string photo)
    {
        var clip = Path.Combine(_dir, "lane.h264");
        FfmpegCli.Run("-loop", "1", "-i", photo, "-vf",
            "pad=2048:576:512:0:color=gray,crop=1024:576:x='min(1024\\,t*256)':y=0,format=yuv420p", "-r", "10", "-t", "4",
            "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "10", "-f", "h264", clip);
        var gate = Path.Combine(_dir, "agent", "lane-gate.json");
        await File.WriteAllTextAsync(gate, """
            { "fps": 10, "frameSize": [1024, 576],
              "lines": [ { "id": "lane", "a": [512, 0], "b": [512, 576], "insidePoint": [200, 288] } ], "zones": [] }
            """);
        var server = RtspTestServer.Start(clip);
        var before = await File.ReadAllTextAsync(_configPath);
        var config = JsonNode.Parse(before)!.AsObject();
        config["cameras"]!.AsArray().Add(new JsonObject
        {
            ["id"] = LaneCameraId, ["name"] = "Lane 1", ["main"] = server.Url, ["gate"] = gate, ["analysisFps"] = 5,
            ["analysisWidth"] = 1024, ["segmentSeconds"] = 4, ["plates"] = "any",
        });
        await File.WriteAllTextAsync(_configPath, config.ToJsonString());
        await WaitAsync(() => CameraOnlineAsync(LaneCameraId), TimeSpan.FromSeconds(60), "the lane camera to be online", _agent!);
        return new Lane(this, server, before);
    }

    private sealed class Lane(GateSite site, RtspTestServer server, string config) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await File.WriteAllTextAsync(site._configPath, config);
            server.Dispose();
        }
    }

    /// <summary>
    /// Registers a second gate box, answering only its health, with the running console (by its own command, as an
    /// admin would). It stays registered for the rest of the run, so it is kept answering until the site ends:
    /// left dead, it would raise alerts on the other tests' walls.
    /// </summary>
    public HealthOnlyAgent AddHealthOnlyAgent(string id, string camera)
    {
        var agent = new HealthOnlyAgent(camera);
        agent.Start();
        _spares.Add(agent);
        var keyFile = Path.Combine(_dir, id + ".key");
        File.WriteAllText(keyFile, "spare-agent-key-0123456789");
        Console("register-agent", "--id", id, "--name", "South gate", "--url", agent.Url.ToString(), "--api-key-file", keyFile, "--data", _consoleData);
        return agent;
    }

    /// <summary>
    /// Adds a camera without analysis whose server burns the wall-clock time into each frame
    /// (rtsp_server.py --stamp), for glass-to-glass latency. Returns when the agent reports it online;
    /// dispose to take it out of the config again.
    /// </summary>
    public async Task<IAsyncDisposable> AddStampedCameraAsync()
    {
        var server = RtspTestServer.Start(_clip, stamp: true);
        var before = await File.ReadAllTextAsync(_configPath);
        var config = JsonNode.Parse(before)!.AsObject();
        config["cameras"]!.AsArray().Add(new JsonObject
        {
            ["id"] = StampedCameraId, ["name"] = "Stamped", ["main"] = server.Url, ["segmentSeconds"] = 4,
        });
        await File.WriteAllTextAsync(_configPath, config.ToJsonString());
        await WaitAsync(() => CameraOnlineAsync(StampedCameraId), TimeSpan.FromSeconds(60), "the stamped camera to be online", _agent!);
        return new Lane(this, server, before);
    }

    /// <summary>A client of the agent's API that trusts what the console trusts: the certificate with the pinned fingerprint.</summary>
    private HttpClient AgentHttp => _agentHttp ??= new HttpClient(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null
            && string.Join(':', Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(certificate.RawData)).Chunk(2).Select(p => new string(p))) == _agentFingerprint,
    })
    { Timeout = TimeSpan.FromSeconds(10) };

    public string ConsoleLog => _console?.Tail() ?? "";

    public string AgentLog => _agent?.Tail() ?? "";

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        _agentHttp?.Dispose();
        _agent?.Dispose();
        _spares.ForEach(s => s.Dispose());
        _console?.Dispose();
        _camera?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // An ffmpeg still closing a segment; the temp folder is the system's to clean.
        }
    }

    private async Task<bool> CameraOnlineAsync(string id)
    {
        try
        {
            var health = await AgentHealthAsync();
            return health.GetProperty("cameras").EnumerateArray().Any(c => c.GetProperty("id").GetString() == id && c.GetProperty("state").GetString() == "online");
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    internal static async Task<bool> UpAsync(Uri url)
    {
        try
        {
            using var r = await Http.GetAsync(url);
            return r.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    internal static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan limit, string what, ChildProcess program)
    {
        var until = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (program.HasExited || DateTime.UtcNow > until)
            {
                throw new TimeoutException($"waited {limit.TotalSeconds:0} s for {what}; it said:\n{program.Tail()}");
            }

            await Task.Delay(500);
        }
    }

    internal static string Console(params string[] args) => ChildProcess.Run("dotnet", [Program("src/Console", "GateConsole.dll"), .. args]);

    /// <summary>The program as built beside this test (same configuration: bin/Release or bin/Debug).</summary>
    internal static string Program(string project, string dll)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        var path = Path.Combine(TestPaths.RepoRoot, project, "bin", configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built (dotnet build GateWatch.sln -c {configuration})");
    }

    internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

[CollectionDefinition(Name)]
public sealed class GateSiteGroup : ICollectionFixture<GateSite>
{
    public const string Name = "gate site";
}
