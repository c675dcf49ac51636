using GateWatch.Central.Agents;
using GateWatch.Central.Alerts;
using GateWatch.Central.Audit;
using GateWatch.Central.Cameras;
using GateWatch.Central.Cases;
using GateWatch.Central.Data;
using GateWatch.Central.Evidence;
using GateWatch.Central.Live;
using GateWatch.Central.Plates;
using GateWatch.Central.Recordings;
using GateWatch.Central.Shifts;
using GateWatch.Central.Statistics;
using GateWatch.Central.Users;
using GateWatch.Central.Web;
using GateWatch.Shared.Hosting;
using GateWatch.Shared.Web;

namespace GateWatch.Central;

/// <summary>The console's command line: `serve` (the web application) and the administrator's commands.</summary>
internal static class ConsoleCommands
{
    public const string Usage = """
        GateWatch console

        serve [--data DIR] [--listen URL] [--time-zone ZONE] [--plate-retention-days N] [--metrics-key-file FILE]
              [--log-format text|json]
                                              the web application (default data $GATEWATCH_CONSOLE_DATA, else
                                              ./var/console; default address http://127.0.0.1:8700);
                                              the park's IANA time zone (default Asia/Ho_Chi_Minh) sets what the
                                              pages call today, an hour, a day and a shift;
                                              plate reads are deleted N days after they were read (default 90);
                                              GET /api/metrics answers the key in FILE (and admins); every log
                                              line written while serving a request names its X-Request-Id
        init [--data DIR] [--name NAME] [--password-out FILE]
                                              a new console's first start: its database, its evidence-signing key,
                                              and the first administrator (default name admin) with a one-time
                                              password, printed once (or written to FILE, mode 600) and never
                                              logged, that must be replaced at the first sign-in
        create-admin --name NAME [--data DIR] [--password-file FILE]
                                              the first administrator (the password from FILE, else one line of stdin)
        create-user --name NAME --role ROLE [--data DIR] [--password-file FILE] [--language vi|en]
                                              a user with role guard, reviewer, investigator or admin, who reads
                                              the pages in Vietnamese (default) or English
        register-agent --id ID --url URL --api-key-file FILE [--name NAME] [--fingerprint SHA256] [--data DIR]
                                              registers an edge agent (its API address and key); prints the key the
                                              agent sends its events with (shown once; audited as "cli"). An https
                                              agent with its own certificate is trusted by the fingerprint that
                                              `GateAgent tls-fingerprint` prints, and by nothing else
        enrolment-code --id ID [--name NAME] [--hours N] [--data DIR]
                                              a one-time code (valid N hours, default 24) with which the agent ID
                                              registers itself: GateAgent enrol --console URL --code CODE
        pin-agent --id ID --fingerprint SHA256|none [--url URL] [--data DIR]
                                              pins a registered agent to a new certificate (its box was replaced),
                                              at a new address when --url is given; none trusts the system's CAs
        backup --out FILE.zip [--data DIR]    the console's whole state, taken while it runs: the database (SQLite's
                                              online backup), the evidence-signing key, the cases' clips and packages
        restore --from FILE.zip --data DIR    brings a backup back into a new or empty folder, each file checked
                                              against its SHA-256 first; refuses a backup from a newer console
        verify PACKAGE.zip [--key evidence-public.pem]
                                              checks an evidence package: signature, every file's SHA-256, nothing
                                              missing or added; names what was changed (exit 0 intact, 1 not)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return await RunCommandAsync(args).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ConsoleDbException or DataFolderException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            // Kestrel's own words name the address ("Failed to bind to address http://127.0.0.1:8700: address already in use").
            Console.Error.WriteLine($"error: --listen: {e.Message} Another process (often a second console) holds the port; stop it or choose another --listen.");
            return 1;
        }
    }

    private static async Task<int> RunCommandAsync(string[] args)
    {
        var command = args.FirstOrDefault() ?? "serve";
        if (command == "verify")
        {
            return Verify(args.ElementAtOrDefault(1) is { } p && !p.StartsWith("--", StringComparison.Ordinal) ? p : null, args);
        }

        var options = Options(args.Skip(1).ToArray());
        if (options is null)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        switch (command)
        {
            case "serve":
                var retention = options.GetValueOrDefault("--plate-retention-days", "90");
                if (!int.TryParse(retention, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days) || days is < 1 or > 3650)
                {
                    Console.Error.WriteLine($"error: --plate-retention-days: '{retention}' is not a number of days from 1 to 3650");
                    return 2;
                }

                string? metricsKey = null;
                if (options.TryGetValue("--metrics-key-file", out var keyFile))
                {
                    metricsKey = File.Exists(keyFile) ? File.ReadAllText(keyFile).Trim() : null;
                    if (metricsKey is not { Length: >= 16 })
                    {
                        Console.Error.WriteLine($"error: --metrics-key-file: {Path.GetFullPath(keyFile)} {(File.Exists(keyFile) ? "holds a key shorter than 16 characters" : "does not exist")}");
                        return 2;
                    }
                }

                var format = options.GetValueOrDefault("--log-format", "text");
                if (format is not ("text" or "json"))
                {
                    Console.Error.WriteLine($"error: --log-format: '{format}' is neither text nor json");
                    return 2;
                }

                ParkClock clock;
                try
                {
                    clock = ParkClock.For(options.GetValueOrDefault("--time-zone", ParkClock.DefaultZone));
                }
                catch (UnknownTimeZoneException e)
                {
                    Console.Error.WriteLine($"error: --time-zone: {e.Message}");
                    return 2;
                }

                var app = ConsoleHost.Build(new ConsoleSettings(DataDir(options), options.GetValueOrDefault("--listen", "http://127.0.0.1:8700"))
                {
                    PlateRetention = TimeSpan.FromDays(days),
                    MetricsKey = metricsKey,
                    JsonLogs = format == "json",
                    Clock = clock,
                });
                await app.RunAsync().ConfigureAwait(false);
                return 0;
            case "create-admin" or "create-user":
                return CreateUser(command == "create-admin" ? Roles.Admin : options.GetValueOrDefault("--role", ""), options);
            case "init":
                return Init(options);
            case "enrolment-code":
                return EnrolmentCode(options);
            case "register-agent":
                return RegisterAgent(options);
            case "pin-agent":
                return PinAgent(options);
            case "backup" or "restore":
                return Backup(command, options);
            case "help" or "--help" or "-h":
                Console.WriteLine(Usage);
                return 0;
            default:
                Console.Error.WriteLine($"error: unknown command '{command}'\n\n{Usage}");
                return 2;
        }
    }

    /// <summary>
    /// --data, else GATEWATCH_CONSOLE_DATA, else ./var/console (the demo's). The packaged command sets the variable to
    /// the service's folder, so an admin's `gatewatch-console init` or `enrolment-code` works on the running console's
    /// database without naming it.
    /// </summary>
    private static string DataDir(Dictionary<string, string> options) =>
        options.GetValueOrDefault("--data")
        ?? (Environment.GetEnvironmentVariable("GATEWATCH_CONSOLE_DATA") is { Length: > 0 } packaged ? packaged : "var/console");

    private static ConsoleDb Database(Dictionary<string, string> options) => new(new ConsoleSettings(DataDir(options), "").DatabasePath);

    private static int Verify(string? package, string[] args)
    {
        if (package is null)
        {
            Console.Error.WriteLine($"error: which package?\n\n{Usage}");
            return 2;
        }

        var keyAt = Array.IndexOf(args, "--key");
        string? trusted = null;
        if (keyAt > 0 && keyAt + 1 < args.Length)
        {
            trusted = File.ReadAllText(args[keyAt + 1]);
        }

        var report = EvidenceVerifier.Verify(package, trusted);
        foreach (var note in report.Notes)
        {
            Console.WriteLine($"note: {note}");
        }

        foreach (var problem in report.Problems)
        {
            Console.WriteLine($"TAMPERED: {problem}");
        }

        Console.WriteLine(report.Ok
            ? $"{package}: intact ({report.Manifest!.Clips.Count} clips, case {report.Manifest.Case.Number}, signed by {report.SignerFingerprint})"
            : $"{package}: NOT intact ({report.Problems.Count} problems)");
        return report.Ok ? 0 : 1;
    }

    private static int CreateUser(string role, Dictionary<string, string> options)
    {
        if (!options.TryGetValue("--name", out var name))
        {
            Console.Error.WriteLine($"error: --name is required\n\n{Usage}");
            return 2;
        }

        var password = options.TryGetValue("--password-file", out var file)
            ? File.ReadAllText(file).TrimEnd('\r', '\n')
            : Console.In.ReadLine() ?? "";
        var db = Database(options);
        db.Migrate();
        try
        {
            var user = new UserStore(db, TimeProvider.System).Create(name, role, password, language: options.GetValueOrDefault("--language", UserStore.Languages[0]));
            Console.WriteLine($"created {user.Role} '{user.Name}'");
            return 0;
        }
        catch (UserException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Symbols of the one-time password: no 0/O, 1/l/I, so it is read off a terminal and typed back right.</summary>
    private const string PasswordSymbols = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private static int Init(Dictionary<string, string> options)
    {
        var name = options.GetValueOrDefault("--name", "admin");
        var settings = new ConsoleSettings(DataDir(options), "");
        var passwordOut = options.GetValueOrDefault("--password-out");
        if (passwordOut is not null && File.Exists(passwordOut))
        {
            Console.Error.WriteLine($"error: --password-out: {Path.GetFullPath(passwordOut)} already exists; nothing was changed");
            return 1;
        }

        Directory.CreateDirectory(settings.DataDir);
        var db = new ConsoleDb(settings.DatabasePath);
        db.Migrate();
        var users = new UserStore(db, TimeProvider.System);
        if (users.Count() is var count and > 0)
        {
            Console.Error.WriteLine($"error: {settings.DatabasePath} already has {count} user(s): init makes the first administrator of a new console only; nothing was changed (create-user adds people)");
            return 1;
        }

        // 16 of 56 symbols: about 93 bits, and it lives only until its first use.
        var password = System.Security.Cryptography.RandomNumberGenerator.GetString(PasswordSymbols, 16);
        var wrote = false;
        try
        {
            if (passwordOut is not null)
            {
                // Made readable by its owner alone before the secret is written into it.
                var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using var file = new FileStream(passwordOut, create);
                wrote = true;
                using var writer = new StreamWriter(file);
                writer.WriteLine(password);
            }

            var user = users.Create(name, Roles.Admin, password, oneTime: true);
            var key = EvidenceKey.Load(Path.GetFullPath(settings.DataDir));
            new AuditLog(db, TimeProvider.System).Append("cli", AuditActions.ConsoleInitialised, $"user:{user.Name}", AuditOutcomes.Ok,
                $"first administrator, one-time password; evidence key {key.Fingerprint}");
            Console.WriteLine($"console initialised in {Path.GetFullPath(settings.DataDir)}");
            Console.WriteLine($"evidence-signing key: {key.Fingerprint} (its public half, {EvidenceKey.PublicKeyFile} in the data folder, is what police verify packages with)");
            Console.WriteLine(passwordOut is null
                ? $"first administrator: {user.Name}, one-time password: {password}"
                : $"first administrator: {user.Name}, one-time password in {Path.GetFullPath(passwordOut)}");
            Console.WriteLine("it must be replaced at the first sign-in; it is not shown again");
            return 0;
        }
        catch (Exception e) when (e is UserException or IOException or UnauthorizedAccessException)
        {
            // A password file for an administrator that was never made would mislead whoever finds it.
            if (wrote)
            {
                File.Delete(passwordOut!);
            }

            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static int EnrolmentCode(Dictionary<string, string> options)
    {
        if (!options.TryGetValue("--id", out var id))
        {
            Console.Error.WriteLine($"error: --id is required\n\n{Usage}");
            return 2;
        }

        var hours = options.GetValueOrDefault("--hours", "24");
        if (!double.TryParse(hours, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var h) || !double.IsFinite(h))
        {
            Console.Error.WriteLine($"error: --hours: '{hours}' is not a number of hours");
            return 2;
        }

        var db = Database(options);
        db.Migrate();
        try
        {
            var made = new Enrolments(db, new AgentRegistry(db, TimeProvider.System), TimeProvider.System)
                .Make(id, options.GetValueOrDefault("--name", id), TimeSpan.FromHours(Math.Min(h, 24 * 365)), "cli");
            new AuditLog(db, TimeProvider.System).Append("cli", AuditActions.EnrolmentCodeMade, $"agent:{made.AgentId}", AuditOutcomes.Ok, $"valid until {UtcTime.Format(made.Expires)}");
            Console.WriteLine(made.Code);
            Console.Error.WriteLine($"enrolment code for agent {made.AgentId}, valid until {UtcTime.Format(made.Expires)}, once: on the agent run GateAgent enrol --config agent.json --console URL --code CODE");
            return 0;
        }
        catch (AgentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static int RegisterAgent(Dictionary<string, string> options)
    {
        if (!options.TryGetValue("--id", out var id) || !options.TryGetValue("--url", out var address) || !options.TryGetValue("--api-key-file", out var keyFile))
        {
            Console.Error.WriteLine($"error: --id, --url and --api-key-file are required\n\n{Usage}");
            return 2;
        }

        if (!Uri.TryCreate(address, UriKind.Absolute, out var url))
        {
            Console.Error.WriteLine($"error: --url: '{address}' is not an absolute address such as http://10.0.0.5:8710");
            return 2;
        }

        if (!File.Exists(keyFile))
        {
            Console.Error.WriteLine($"error: --api-key-file: {Path.GetFullPath(keyFile)} does not exist");
            return 2;
        }

        var db = Database(options);
        db.Migrate();
        try
        {
            var fingerprint = options.GetValueOrDefault("--fingerprint");
            var key = new AgentRegistry(db, TimeProvider.System).Register(id, options.GetValueOrDefault("--name", id), url, File.ReadAllText(keyFile).Trim(), fingerprint);
            new AuditLog(db, TimeProvider.System).Append("cli", AuditActions.AgentRegistered, $"agent:{id}", AuditOutcomes.Ok,
                fingerprint is null ? url.Authority : $"{url.Authority} {AgentRegistry.PinDetail(fingerprint)}");
            Console.WriteLine(key);
            return 0;
        }
        catch (AgentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static int PinAgent(Dictionary<string, string> options)
    {
        if (!options.TryGetValue("--id", out var id) || !options.TryGetValue("--fingerprint", out var fingerprint))
        {
            Console.Error.WriteLine($"error: --id and --fingerprint are required\n\n{Usage}");
            return 2;
        }

        var db = Database(options);
        db.Migrate();
        try
        {
            var pin = fingerprint == "none" ? null : fingerprint;
            Uri? url = null;
            if (options.TryGetValue("--url", out var address) && !Uri.TryCreate(address, UriKind.Absolute, out url))
            {
                Console.Error.WriteLine($"error: --url: '{address}' is not an absolute address such as https://10.0.0.5:8710");
                return 2;
            }

            new AgentRegistry(db, TimeProvider.System).Repin(id, pin, url);
            new AuditLog(db, TimeProvider.System).Append("cli", AuditActions.AgentPinned, $"agent:{id}", AuditOutcomes.Ok,
                AgentRegistry.PinDetail(pin) + (url is null ? "" : $" at {url.Authority}"));
            Console.WriteLine($"agent {id}: {AgentRegistry.PinDetail(pin)}");
            return 0;
        }
        catch (AgentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static int Backup(string command, Dictionary<string, string> options)
    {
        var data = DataDir(options);
        try
        {
            if (command == "backup")
            {
                if (!options.TryGetValue("--out", out var output))
                {
                    Console.Error.WriteLine($"error: --out is required\n\n{Usage}");
                    return 2;
                }

                var made = ConsoleBackup.Create(data, output, TimeProvider.System);
                Console.WriteLine($"{Path.GetFullPath(output)}: {made.Files.Count} files, {made.Files.Sum(f => f.Bytes)} bytes, schema version {made.Schema}");
                return 0;
            }

            if (!options.TryGetValue("--from", out var input) || !options.ContainsKey("--data"))
            {
                Console.Error.WriteLine($"error: --from and --data are required\n\n{Usage}");
                return 2;
            }

            var restored = ConsoleBackup.Restore(input, data);
            Console.WriteLine($"{Path.GetFullPath(data)}: {restored.Files.Count} files restored from the backup of {UtcTime.Format(restored.Created)}");
            return 0;
        }
        catch (BackupException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>"--name value" pairs; null when one is malformed.</summary>
    private static Dictionary<string, string>? Options(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                return null;
            }

            map[args[i]] = args[i + 1];
        }

        return map;
    }
}

/// <summary>Where the console keeps its state and where it listens.</summary>
internal sealed record ConsoleSettings(string DataDir, string Listen)
{
    public string DatabasePath => Path.Combine(Path.GetFullPath(DataDir), "console.db");

    /// <summary>Log lines as JSON objects (serve --log-format json), for a log shipper; else one plain line each.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>The key a metrics scraper sends (serve --metrics-key-file); without it only admins read /api/metrics.</summary>
    public string? MetricsKey { get; init; }

    /// <summary>The park's clock (serve --time-zone): its days, hours and shifts; every stored time stays UTC.</summary>
    public ParkClock Clock { get; init; } = ParkClock.For(ParkClock.DefaultZone);

    /// <summary>How long plate reads (personal data) are kept; see Plates/PlateRetention.</summary>
    public TimeSpan PlateRetention { get; init; } = TimeSpan.FromDays(90);
}

/// <summary>Composes the web application.</summary>
internal static class ConsoleHost
{
    public static WebApplication Build(ConsoleSettings settings, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(settings.Listen);
        builder.Logging.AddLogLines(settings.JsonLogs);
        var db = new ConsoleDb(settings.DatabasePath);
        db.Migrate();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(db);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(settings.Clock);
        builder.Services.AddSingleton<ShiftStore>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton(_ => EvidenceKey.Load(Path.GetFullPath(settings.DataDir)));
        builder.Services.AddProblemResponses();
        ProblemLanguage.AddProblemLanguage(builder.Services, Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        builder.Services.AddSingleton<ConsoleMetrics>();
        builder.Services.AddUsers();
        builder.Services.AddAgents();
        builder.Services.AddCases();
        builder.Services.AddPlates();
        builder.Services.AddSystemdNotify(_ => db.Answers);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseRequestIds();
        app.UseProblemResponses();
        app.UseRequestCounting();
        app.UseAuthentication();
        app.UseOneTimePasswordGate();
        app.UseWebPages();
        app.UseAuthorization();
        app.UseAntiforgeryOnChanges();
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous();
        app.MapMetrics(settings.MetricsKey);
        app.MapUsers();
        app.MapAgents();
        app.MapLive();
        app.MapRecordings();
        app.MapAudit();
        app.MapAlerts();
        app.MapCameras();
        app.MapCameraAdmin();
        app.MapCases();
        app.MapEvidence();
        app.MapStatistics();
        app.MapShifts();
        app.MapPlates();
        app.MapBarrierList();
        // The signing key is made at first start, not at the first export, so its fingerprint can be published early.
        _ = app.Services.GetRequiredService<EvidenceKey>();
        return app;
    }
}
