using System.Security.Cryptography;
using System.Text.Json.Nodes;
using GateWatch.Agent.Service;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Service;

/// <summary>
/// agent.json as people write it: every refusal names the file, the JSON path and what to change, and a
/// camera password never appears in what is shown.
/// </summary>
public sealed class AgentConfigLoaderTests : IDisposable
{
    private const string Key = "k3y-0f-the-l0cal-api-0123456789";

    /// <summary>A password that must never be printed: distinctive so a partial leak is found too.</summary>
    private const string Password = "Zq9secretPW";

    private const string GateSpec = """
        { "lines": [ { "id": "l1", "a": [100, 0], "b": [100, 200], "insidePoint": [150, 100] } ],
          "zones": [ { "id": "z1", "polygon": [[0, 0], [50, 0], [50, 50], [0, 50]], "crowdMin": 3, "crowdSeconds": 2 } ] }
        """;

    private readonly TempDir _dir = new();

    /// <summary>The config lives in etc/, not in the working folder, so relative paths must be taken from it.</summary>
    private readonly string _etc;

    private readonly string _configPath;

    public AgentConfigLoaderTests()
    {
        _etc = Path.Combine(_dir.Path, "etc");
        Directory.CreateDirectory(Path.Combine(_etc, "cams"));
        _configPath = Path.Combine(_etc, "agent.json");
        File.WriteAllBytes(Path.Combine(_etc, "cams", "yard.mp4"), [0]);
        File.WriteAllText(Path.Combine(_etc, "cams", "north-1.gate.json"), GateSpec);
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>The smallest config the loader accepts: one camera, everything else defaulted.</summary>
    private static JsonObject Minimal() => JsonNode.Parse($$"""
        { "agentId": "gate-north", "apiKey": "{{Key}}", "dataDir": "../var/data",
          "cameras": [ { "id": "yard", "main": "cams/yard.mp4" } ] }
        """)!.AsObject();

    private static JsonObject Camera(JsonObject config, int i = 0) => config["cameras"]![i]!.AsObject();

    private AgentConfig Load(JsonNode config) => Load(config.ToJsonString());

    private AgentConfig Load(string text)
    {
        File.WriteAllText(_configPath, text);
        return AgentConfigLoader.Load(_configPath);
    }

    private AgentConfigException Refuses(JsonNode config, string jsonPath, string fragment) =>
        Refuses(config.ToJsonString(), jsonPath, fragment);

    /// <summary>The refusal starts with "file: path: " and explains itself.</summary>
    private AgentConfigException Refuses(string text, string jsonPath, string fragment)
    {
        var e = Assert.Throws<AgentConfigException>(() => Load(text));
        Assert.True(e.Message.StartsWith($"{_configPath}: {jsonPath}: ", StringComparison.Ordinal), $"expected {jsonPath}: {e.Message}");
        Assert.True(e.Message.Contains(fragment, StringComparison.Ordinal), $"expected '{fragment}': {e.Message}");
        Assert.DoesNotContain(Password, e.Message, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void A_full_config_resolves_paths_from_its_own_folder()
    {
        File.WriteAllText(Path.Combine(_etc, "agent.key"), Key + "\n");
        var config = Load($$"""
            {
              // comments and trailing commas, as people write them
              "agentId": "gate-north",
              "listen": "https://0.0.0.0:9100/",
              "apiKeyFile": "agent.key",
              "dataDir": "../var/data",
              "console": { "url": "https://console.example/", "key": "console-key-0123456789" },
              "retention": { "maxAgeDays": 30, "lowDiskFreeMB": 512, "sweepSeconds": 120 },
              "cameras": [
                { "id": "north-1", "name": "North gate", "main": "rtsp://user:{{Password}}@10.0.0.11/main",
                  "sub": "rtsp://user:{{Password}}@10.0.0.11/sub", "gate": "cams/north-1.gate.json",
                  "analysisFps": 8, "segmentSeconds": 6, "quotaMB": 20000, "maxBitrateKbps": 4000, "maxAgeDays": 7,
                  "preRollSeconds": 15, "postRollSeconds": 45 },
                { "id": "yard_2", "main": "cams/yard.mp4", "loop": true },
              ],
            }
            """);

        Assert.Equal(_configPath, config.File);
        Assert.Equal("gate-north", config.AgentId);
        Assert.Equal("https://0.0.0.0:9100", config.Listen);
        Assert.Null(config.TlsCertificateFile); // the agent makes its own
        Assert.Equal(Key, config.ApiKey); // read from the file, newline trimmed
        Assert.Equal(Path.Combine(_dir.Path, "var", "data"), config.DataDir);
        Assert.Equal(new Uri("https://console.example/"), config.Console!.Url);
        Assert.Equal("console-key-0123456789", config.Console.Key);
        Assert.Equal(TimeSpan.FromDays(30), config.Retention.MaxAge);
        Assert.Equal(512L * 1024 * 1024, config.Retention.LowDiskFreeBytes);
        Assert.Equal(TimeSpan.FromSeconds(120), config.Retention.SweepEvery);
        Assert.Equal(["north-1", "yard_2"], config.Cameras.Select(c => c.Id));

        var north = config.Cameras[0];
        Assert.Equal("North gate", north.Name);
        Assert.Equal($"rtsp://user:{Password}@10.0.0.11/main", north.Main);
        Assert.Equal($"rtsp://user:{Password}@10.0.0.11/sub", north.Sub);
        Assert.Equal(north.Sub, north.AnalysisSource);
        Assert.False(north.Loop);
        var gatePath = Path.Combine(_etc, "cams", "north-1.gate.json");
        Assert.Equal(gatePath, north.GatePath);
        Assert.Equal("l1", Assert.Single(north.Gate!.Lines).Id);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(gatePath))), north.GateFingerprint);
        Assert.Equal(8, north.AnalysisFps);
        Assert.Equal(TimeSpan.FromSeconds(6), north.SegmentLength);
        Assert.Equal(20000L * 1024 * 1024, north.QuotaBytes);
        Assert.Equal(TimeSpan.FromDays(7), north.MaxAge);
        Assert.Equal(TimeSpan.FromSeconds(15), north.PreRoll);
        Assert.Equal(TimeSpan.FromSeconds(45), north.PostRoll);

        var yard = config.Cameras[1];
        Assert.Equal(Path.Combine(_etc, "cams", "yard.mp4"), yard.Main);
        Assert.True(yard.Loop);
        Assert.Null(yard.Gate);
        Assert.Null(yard.GatePath);
    }

    [Fact]
    public void Missing_settings_take_their_documented_defaults()
    {
        var config = Load(Minimal());

        Assert.Equal("http://127.0.0.1:8710", config.Listen);
        Assert.Equal(Key, config.ApiKey);
        Assert.Null(config.Console);
        Assert.Null(config.Retention.MaxAge);
        Assert.Equal(1024L * 1024 * 1024, config.Retention.LowDiskFreeBytes);
        Assert.Equal(TimeSpan.FromSeconds(60), config.Retention.SweepEvery);
        Assert.Equal(TimeSpan.FromDays(90), config.Retention.PlateMaxAge);
        Assert.Equal(Path.Combine(_dir.Path, "var", "data", "recordings", "yard"), config.CameraFolder("yard"));

        var yard = Assert.Single(config.Cameras);
        Assert.Equal("yard", yard.Name);
        Assert.Equal(Path.Combine(_etc, "cams", "yard.mp4"), yard.Main);
        Assert.Null(yard.Sub);
        Assert.False(yard.Loop);
        Assert.Null(yard.Gate);
        Assert.Equal("", yard.GateFingerprint);
        Assert.Equal(5, yard.AnalysisFps);
        Assert.Equal(TimeSpan.FromSeconds(10), yard.SegmentLength);
        Assert.Null(yard.QuotaBytes);
        Assert.Null(yard.MaxAge);
        Assert.Equal(TimeSpan.FromSeconds(30), yard.PreRoll);
        Assert.Equal(TimeSpan.FromSeconds(30), yard.PostRoll);
    }

    [Fact]
    public void A_duplicate_camera_id_is_refused_at_the_second_camera()
    {
        var config = Minimal();
        config["cameras"]!.AsArray().Add(JsonNode.Parse("""{ "id": "yard", "main": "cams/yard.mp4", "name": "again" }"""));

        Refuses(config, "$.cameras[1].id", "'yard' is used by an earlier camera");
    }

    [Fact]
    public void A_quota_below_one_segment_is_refused_with_what_would_fit()
    {
        var config = Minimal();
        Camera(config)["quotaMB"] = 5; // a 10 s segment at 8 Mbit/s is about 9.5 MB

        var e = Refuses(config, "$.cameras[0].quotaMB", "5 MB holds less than one 10 s segment at 8000 kbit/s (9.5 MB)");
        Assert.Contains("raise quotaMB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quota_is_checked_against_the_cameras_own_bitrate_and_segment_length()
    {
        var config = Minimal();
        Camera(config)["quotaMB"] = 5;
        Camera(config)["maxBitrateKbps"] = 2000;
        Assert.Equal(5L * 1024 * 1024, Load(config).Cameras[0].QuotaBytes);

        Camera(config)["segmentSeconds"] = 30; // 30 s at 2 Mbit/s is 7.2 MB
        Refuses(config, "$.cameras[0].quotaMB", "less than one 30 s segment at 2000 kbit/s");
    }

    [Theory]
    [InlineData("$.listn", "unknown field 'listn'")]
    [InlineData("$.cameras[0].gatee", "unknown field 'gatee'")]
    [InlineData("$.retention.maxAge", "unknown field 'maxAge'")]
    public void An_unknown_field_is_refused_where_it_is(string at, string problem)
    {
        var config = Minimal();
        var name = at[(at.LastIndexOf('.') + 1)..];
        var parent = at.StartsWith("$.cameras", StringComparison.Ordinal) ? Camera(config)
            : at.StartsWith("$.retention", StringComparison.Ordinal) ? (JsonObject)(config["retention"] = new JsonObject())
            : config;
        parent[name] = "x";

        Refuses(config, at, problem);
    }

    [Fact]
    public void A_main_file_that_does_not_exist_is_refused_with_the_full_path()
    {
        var config = Minimal();
        Camera(config)["main"] = "cams/nope.mp4";

        Refuses(config, "$.cameras[0].main", $"no such file: {Path.Combine(_etc, "cams", "nope.mp4")}");
    }

    [Fact]
    public void A_sub_file_that_does_not_exist_is_refused_at_sub()
    {
        var config = Minimal();
        Camera(config)["sub"] = "cams/sub.mp4";

        Refuses(config, "$.cameras[0].sub", "no such file");
    }

    [Fact]
    public void Loop_with_an_rtsp_camera_is_refused_without_showing_its_password()
    {
        var config = Minimal();
        Camera(config)["main"] = $"rtsp://admin:{Password}@10.0.0.11:554/main";
        Camera(config)["loop"] = true;

        Refuses(config, "$.cameras[0].main", "loop is for files");
    }

    [Theory]
    [InlineData("ftp://admin:{0}@10.0.0.11/main", "'ftp://***@10.0.0.11/main' is not an rtsp://, rtsps:// or http(s):// URL")]
    [InlineData("rstp://admin:{0}@10.0.0.11/main", "'rstp://***@10.0.0.11/main' is not an rtsp://")]
    [InlineData("file:///etc/passwd", "'file:///etc/passwd' is not an rtsp://")]
    public void A_url_of_another_scheme_is_refused_without_showing_its_password(string url, string problem)
    {
        var config = Minimal();
        Camera(config)["main"] = string.Format(System.Globalization.CultureInfo.InvariantCulture, url, Password);

        Refuses(config, "$.cameras[0].main", problem);
    }

    /// <summary>
    /// ffmpeg takes the last '@' before the host, so a password may hold a raw '@' (or a space) and the camera
    /// still works; a typo in the scheme must not then print the half of the password after the first '@'.
    /// </summary>
    [Theory]
    [InlineData("rstp://admin:p@ss{0}@10.0.0.11/main")]
    [InlineData("rstp://admin:{0} x@10.0.0.11/main")]
    [InlineData("rtsp://admin:{0}@10.0.0.11:99999/main")]
    public void An_unusable_url_never_shows_any_part_of_its_password(string url)
    {
        var config = Minimal();
        Camera(config)["main"] = string.Format(System.Globalization.CultureInfo.InvariantCulture, url, Password);

        var e = Refuses(config, "$.cameras[0].main", "is not an rtsp://");
        Assert.DoesNotContain("p@ss", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(" x@", e.Message, StringComparison.Ordinal);
        Assert.Contains("10.0.0.11", e.Message, StringComparison.Ordinal); // still says which camera
    }

    [Fact]
    public void A_console_url_with_credentials_is_refused_without_them()
    {
        var config = Minimal();
        config["console"] = JsonNode.Parse($$"""{ "url": "ftp://u:{{Password}}@console.example/", "key": "console-key-0123456789" }""");

        Refuses(config, "$.console.url", "'ftp://***@console.example/' is not an http(s) URL");
    }

    [Fact]
    public void A_short_api_key_is_refused()
    {
        var config = Minimal();
        config["apiKey"] = "short-key";

        var e = Refuses(config, "$.apiKey", "the key must be at least 16 characters");
        Assert.DoesNotContain("short-key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_api_key_is_refused()
    {
        var config = Minimal();
        config.Remove("apiKey");

        Refuses(config, "$.apiKey", "is required (or apiKeyFile)");
    }

    [Fact]
    public void An_unreadable_api_key_file_is_refused_with_its_full_path()
    {
        var config = Minimal();
        config.Remove("apiKey");
        config["apiKeyFile"] = "secrets/agent.key";

        Refuses(config, "$.apiKeyFile", $"cannot read {Path.Combine(_etc, "secrets", "agent.key")}");

        // A folder where the key file should be is just as unreadable.
        Directory.CreateDirectory(Path.Combine(_etc, "secrets", "agent.key"));
        Refuses(config, "$.apiKeyFile", "cannot read");
    }

    [Fact]
    public void A_short_key_in_the_key_file_is_refused_at_the_key_file()
    {
        File.WriteAllText(Path.Combine(_etc, "agent.key"), "  short-key \n");
        var config = Minimal();
        config.Remove("apiKey");
        config["apiKeyFile"] = "agent.key";

        Refuses(config, "$.apiKeyFile", "at least 16 characters");
    }

    [Fact]
    public void A_missing_data_dir_is_refused()
    {
        var config = Minimal();
        config.Remove("dataDir");

        Refuses(config, "$.dataDir", "is required: where recordings and databases live");
    }

    [Fact]
    public void A_config_without_a_camera_list_is_refused_but_an_empty_one_is_a_box_not_yet_set_up()
    {
        var config = Minimal();
        config.Remove("cameras");
        Refuses(config, "$.cameras", "is required");

        config["cameras"] = new JsonArray();
        Assert.Empty(Load(config).Cameras);
    }

    [Theory]
    [InlineData("North-1")]
    [InlineData("../x")]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("-lead")]
    [InlineData("this-id-is-far-too-long-for-a-folder-name-1")]
    public void A_camera_id_that_cannot_be_a_folder_name_is_refused(string id)
    {
        var config = Minimal();
        Camera(config)["id"] = id;

        Refuses(config, "$.cameras[0].id", "lower-case letters, digits, '-' and '_', at most 40");
    }

    [Fact]
    public void A_camera_without_an_id_is_refused()
    {
        var config = Minimal();
        Camera(config).Remove("id");

        Refuses(config, "$.cameras[0].id", "is required");
    }

    [Fact]
    public void A_broken_gate_spec_is_refused_at_the_cameras_gate_with_the_specs_own_path()
    {
        File.WriteAllText(Path.Combine(_etc, "cams", "bad.gate.json"),
            """{ "lines": [ { "id": "l1", "a": [100, 50], "b": [100, 50], "insidePoint": [150, 100] } ], "zones": [] }""");
        var config = Minimal();
        Camera(config)["gate"] = "cams/bad.gate.json";

        var e = Refuses(config, "$.cameras[0].gate", "the gate spec is not usable: ");
        // The inner error keeps its own file and path, so both files are named.
        Assert.Contains($"{Path.Combine(_etc, "cams", "bad.gate.json")}: $.lines[0]: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("zero length", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_gate_spec_is_refused_at_the_cameras_gate()
    {
        var config = Minimal();
        Camera(config)["gate"] = "cams/none.gate.json";

        Refuses(config, "$.cameras[0].gate", "cannot read the file");
    }

    [Theory]
    [InlineData("segmentSeconds", 0)]
    [InlineData("analysisFps", -1)]
    [InlineData("quotaMB", 0)]
    public void A_limit_that_is_not_positive_is_refused(string field, double value)
    {
        var config = Minimal();
        Camera(config)[field] = value;

        Refuses(config, $"$.cameras[0].{field}", "must be a positive number");
    }

    [Theory]
    [InlineData(100)]
    [InlineData(641)]
    [InlineData(8000)]
    public void An_analysis_width_out_of_range_or_odd_is_refused(int width)
    {
        var config = Minimal();
        Camera(config)["analysisWidth"] = width;

        Refuses(config, "$.cameras[0].analysisWidth", "must be an even number of pixels from 320 to 3840");
    }

    [Theory]
    [InlineData("vn", "Vietnam")]
    [InlineData("any", "Any")]
    [InlineData("off", null)]
    public void A_camera_reads_plates_with_the_grammar_it_is_given_or_none(string value, string? region)
    {
        var config = Minimal();
        Assert.Equal(GateWatch.Agent.Plates.PlateRegion.Vietnam, Load(config).Cameras[0].Plates);
        Camera(config)["plates"] = value;
        Assert.Equal(region, Load(config).Cameras[0].Plates?.ToString());
    }

    [Fact]
    public void An_unknown_plate_grammar_or_a_bad_plate_retention_is_refused()
    {
        var config = Minimal();
        Camera(config)["plates"] = "fr";
        Refuses(config, "$.cameras[0].plates", "must be vn (Vietnam's plates, the default), any (foreign plates) or off, got 'fr'");

        config = Minimal();
        config["retention"] = new JsonObject { ["plateDays"] = 0 };
        Refuses(config, "$.retention.plateDays", "must be a positive number");
    }

    [Fact]
    public void A_barrier_is_checked_against_the_gate_spec_the_url_and_the_allow_list()
    {
        File.WriteAllText(Path.Combine(_etc, "cams", "lane.gate.json"),
            """{ "frameSize": [1280, 720], "lines": [ { "id": "approach", "a": [0, 400], "b": [1280, 400], "insidePoint": [640, 600] } ] }""");
        File.WriteAllText(Path.Combine(_etc, "allowed.txt"), "51G-123.45\n");
        JsonObject With(Action<JsonObject> edit)
        {
            var config = Minimal();
            Camera(config)["gate"] = "cams/lane.gate.json";
            var barrier = new JsonObject { ["lines"] = new JsonArray("approach"), ["direction"] = "in", ["url"] = "http://relay:pw@10.0.0.20/open", ["allowList"] = "allowed.txt" };
            edit(barrier);
            Camera(config)["barrier"] = barrier;
            return config;
        }

        var ok = Load(With(_ => { })).Cameras[0].Barrier!;
        Assert.Equal(Path.Combine(_etc, "allowed.txt"), ok.AllowListPath);
        Assert.Equal(GateWatch.Agent.Gate.Direction.In, ok.Direction);
        Assert.Equal("http://10.0.0.20/open", ok.SafeUrl);
        // Read again, the same camera: a reload must not restart it.
        Assert.Equal(Load(With(_ => { })).Cameras[0].Barrier, Load(With(_ => { })).Cameras[0].Barrier);
        Assert.NotEqual(Load(With(_ => { })).Cameras[0].Barrier, Load(With(b => b["url"] = "http://relay:other@10.0.0.20/open")).Cameras[0].Barrier);
        Assert.DoesNotContain("pw", ok.ToString(), StringComparison.Ordinal);

        Refuses(With(b => b["lines"] = new JsonArray("exit")), "$.cameras[0].barrier.lines", "'exit' is not a line of the gate spec (it has approach)");
        Refuses(With(b => b["lines"] = new JsonArray()), "$.cameras[0].barrier.lines", "lists no line");
        var bad = Refuses(With(b => b["url"] = "ftp://relay:pw@10.0.0.20/"), "$.cameras[0].barrier.url", "is not the relay controller's http(s) URL");
        Assert.DoesNotContain("pw", bad.Message, StringComparison.Ordinal);
        Refuses(With(b => b["allowList"] = "nope.txt"), "$.cameras[0].barrier.allowList", "no such file");
        Refuses(With(b => b["direction"] = "sideways"), "$.cameras[0].barrier.direction", "must be in, out or both");
        Refuses(With(b => b["maxEdits"] = 5), "$.cameras[0].barrier.maxEdits", "must be 0, 1 or 2");
        Refuses(With(b => b["allowList"] = "console"), "$.cameras[0].barrier.allowList", "needs the agent's console link");
        var synced = With(b => b["allowList"] = "console");
        synced["console"] = new JsonObject { ["url"] = "http://127.0.0.1:8700/", ["key"] = "console-key-0123456789" };
        var fromConsole = Load(synced).Cameras[0].Barrier!;
        Assert.True(fromConsole.FromConsole);
        Assert.EndsWith("barrier-allowed.txt", fromConsole.AllowListPath, StringComparison.Ordinal);
        var off = With(_ => { });
        Camera(off)["plates"] = "off";
        Refuses(off, "$.cameras[0].barrier", "needs the camera's gate spec and plate reading");
    }

    [Fact]
    public void Malformed_json_is_refused_with_where_it_breaks()
    {
        // The missing comma after the camera id: the reader is inside the first camera when it notices.
        var e = Refuses("""{ "agentId": "gate-north", "cameras": [ { "id": "yard" "main": "x.mp4" } ] }""", "$.cameras[0]", "'\"' is invalid after a value");
        Assert.DoesNotContain("LineNumber", e.Message, StringComparison.Ordinal);

        Refuses("""{ "agentId": "gate-north", "cameras": [ { "id": 7 } ] }""", "$.cameras[0].id", "could not be converted");
        Refuses("", "$", "The input does not contain any JSON tokens");
        Refuses("null", "$", "the document is null");
    }

    [Fact]
    public void A_config_file_that_cannot_be_read_is_refused()
    {
        var missing = Path.Combine(_etc, "none.json");
        var e = Assert.Throws<AgentConfigException>(() => AgentConfigLoader.Load(missing));
        Assert.StartsWith($"{missing}: $: cannot read the file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_listen_address_that_is_not_http_or_https_is_refused()
    {
        var config = Minimal();
        config["listen"] = "ftp://0.0.0.0:8710";

        Refuses(config, "$.listen", "is not an http:// or https:// address");
    }

    [Theory]
    [InlineData("http://0.0.0.0:8710")]
    [InlineData("http://10.0.0.5:8710")]
    [InlineData("http://gate-box.park.local:8710")]
    public void Plain_http_to_the_network_is_refused_with_the_https_address_to_use(string listen)
    {
        var config = Minimal();
        config["listen"] = listen;

        Refuses(config, "$.listen", $"would serve the API in plain http to the network; use https://{new Uri(listen).Authority}");
    }

    [Theory]
    [InlineData("http://127.0.0.1:8710")]
    [InlineData("http://localhost:8710")]
    [InlineData("http://[::1]:8710")]
    public void Plain_http_on_a_loopback_address_is_for_a_local_proxy_and_allowed(string listen)
    {
        var config = Minimal();
        config["listen"] = listen;

        Assert.Equal(listen, Load(config).Listen);
    }

    [Fact]
    public void A_certificate_of_the_parks_own_is_named_with_its_key_and_both_must_exist()
    {
        File.WriteAllText(Path.Combine(_etc, "agent.crt"), "");
        var config = Minimal();
        config["listen"] = "https://0.0.0.0:8710";
        config["tls"] = new JsonObject { ["certificateFile"] = "agent.crt", ["keyFile"] = "agent.key" };
        Refuses(config, "$.tls.keyFile", $"{Path.Combine(_etc, "agent.key")} does not exist");

        File.WriteAllText(Path.Combine(_etc, "agent.key"), "");
        var loaded = Load(config);
        Assert.Equal(Path.Combine(_etc, "agent.crt"), loaded.TlsCertificateFile);
        Assert.Equal(Path.Combine(_etc, "agent.key"), loaded.TlsKeyFile);

        config["listen"] = "http://127.0.0.1:8710";
        Refuses(config, "$.tls", "listen is http://");
        config["listen"] = "https://0.0.0.0:8710";
        config["tls"] = new JsonObject { ["keyFile"] = "agent.key" };
        Refuses(config, "$.tls.certificateFile", "is required");
    }

    // Found by fuzzing (bench/fuzz, agent-config): these threw OverflowException or ArgumentException, not AgentConfigException.
    [Theory]
    [InlineData("$.retention.maxAgeDays", 1e300)]
    [InlineData("$.retention.plateDays", 36526)]
    [InlineData("$.retention.sweepSeconds", 1e300)]
    [InlineData("$.cameras[0].segmentSeconds", 1e300)]
    [InlineData("$.cameras[0].maxAgeDays", 1e7)]
    [InlineData("$.cameras[0].preRollSeconds", 1e300)]
    [InlineData("$.cameras[0].postRollSeconds", 4e9)]
    public void A_duration_longer_than_a_century_is_refused_where_it_is(string at, double value)
    {
        var config = Minimal();
        var name = at[(at.LastIndexOf('.') + 1)..];
        var parent = at.StartsWith("$.cameras", StringComparison.Ordinal) ? Camera(config) : (JsonObject)(config["retention"] = new JsonObject());
        parent[name] = value;

        Refuses(config, at, "(100 years)");
    }

    [Fact]
    public void Durations_up_to_a_century_are_kept()
    {
        var config = Minimal();
        config["retention"] = new JsonObject { ["maxAgeDays"] = 36525 };
        Camera(config)["preRollSeconds"] = 3155760000;

        var loaded = Load(config);
        Assert.Equal(TimeSpan.FromDays(36525), loaded.Retention.MaxAge);
        Assert.Equal(TimeSpan.FromSeconds(3155760000), loaded.Cameras[0].PreRoll);
    }

    [Theory]
    [InlineData("$.apiKeyFile")]
    [InlineData("$.dataDir")]
    [InlineData("$.cameras[0].main")]
    [InlineData("$.cameras[0].sub")]
    [InlineData("$.cameras[0].gate")]
    public void A_path_with_a_nul_character_is_refused_where_it_is(string at)
    {
        var config = Minimal();
        var name = at[(at.LastIndexOf('.') + 1)..];
        if (name == "apiKeyFile")
        {
            config.Remove("apiKey");
        }

        (at.StartsWith("$.cameras", StringComparison.Ordinal) ? Camera(config) : config)[name] = "cams/yard\0.mp4";

        Refuses(config, at, "NUL character");
    }

    [Fact]
    public void A_certificate_path_with_a_nul_character_is_refused_where_it_is()
    {
        var config = Minimal();
        config["listen"] = "https://0.0.0.0:8710";
        config["tls"] = new JsonObject { ["certificateFile"] = "agent\0.crt", ["keyFile"] = "agent.key" };

        Refuses(config, "$.tls.certificateFile", "NUL character");
    }

    [Fact]
    public void A_barrier_allow_list_with_a_nul_character_is_refused()
    {
        var config = Minimal();
        Camera(config)["gate"] = "cams/north-1.gate.json";
        Camera(config)["barrier"] = new JsonObject { ["lines"] = new JsonArray("l1"), ["url"] = "http://10.0.0.20/open", ["allowList"] = "allowed\0.txt" };

        Refuses(config, "$.cameras[0].barrier.allowList", "NUL character");
    }
}
