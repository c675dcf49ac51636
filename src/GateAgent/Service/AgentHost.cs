using GateWatch.Agent.Api;
using GateWatch.Agent.Ffmpeg;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Plates;
using GateWatch.Agent.Record;
using GateWatch.Agent.Retention;
using GateWatch.Shared.Hosting;
using GateWatch.Shared.Tls;
using GateWatch.Shared.Web;
using Microsoft.AspNetCore.Builder;

namespace GateWatch.Agent.Service;

/// <summary>Composes the agent service: the cameras, retention, event delivery and the local API.</summary>
internal static partial class AgentHost
{
    /// <summary>Request bodies are small JSON (a clip range); anything bigger is someone probing.</summary>
    private const long MaxRequestBody = 64 * 1024;

    public static WebApplication Build(AgentConfig config, TimeProvider? time = null, Action<ILoggingBuilder>? logging = null, bool jsonLogs = false)
    {
        DataFolder.RequireWritable(config.DataDir, $"{config.File}: $.dataDir");
        Directory.CreateDirectory(config.RecordingsDir);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = config.DataDir });
        builder.WebHost.UseUrls(config.Listen);
        var certificate = config.ServesTls ? AgentCertificate.For(config, time ?? TimeProvider.System) : null;
        if (certificate is not null)
        {
            // The slim builder leaves out https unless asked.
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = MaxRequestBody;
            if (certificate is not null)
            {
                k.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddLogLines(jsonLogs);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        logging?.Invoke(builder.Logging);
        builder.Services.AddProblemResponses();
        builder.Services.AddAgent(config, time ?? TimeProvider.System);
        // No liveness check of its own: a camera that stalls is the camera watchdog's to restart, and a tick that
        // arrives shows the host's timers and thread pool still run.
        builder.Services.AddSystemdNotify();

        var app = builder.Build();
        if (certificate is not null)
        {
            // Not a secret: what the admin compares with the fingerprint the console pinned.
            var listen = Redact.Url(config.Listen);
            var fingerprint = CertificatePin.Of(certificate);
            Log.ServingTls(app.Logger, listen, fingerprint);
        }

        app.UseRequestIds();
        app.UseProblemResponses();
        app.MapAgentApi();
        return app;
    }

    public static IServiceCollection AddAgent(this IServiceCollection services, AgentConfig config, TimeProvider time)
    {
        services.AddSingleton(time);
        services.AddSingleton(_ => new SegmentIndex(config.IndexPath));
        services.AddSingleton(_ => new EventOutbox(config.OutboxPath, config.AgentId, time));
        services.AddSingleton(sp => new CameraSet(config, sp.GetRequiredService<SegmentIndex>(), sp.GetRequiredService<EventOutbox>(), time, sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService(sp => sp.GetRequiredService<CameraSet>());
        services.AddHostedService<ConfigWatcher>();
        services.AddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        services.AddSingleton(new AgentKey(config.ApiKey));
        if (config.Console is { } link)
        {
            services.AddSingleton(sp => new EventDelivery(
                sp.GetRequiredService<EventOutbox>(), link, new HttpClient(), time, sp.GetRequiredService<ILogger<EventDelivery>>()));
            services.AddHostedService(sp => sp.GetRequiredService<EventDelivery>());
            if (config.Cameras.Any(c => c.Barrier is { FromConsole: true }))
            {
                services.AddHostedService(sp => new AllowListSync(
                    link, config.AgentId, config.ConsoleAllowListPath, new HttpClient(), time, sp.GetRequiredService<ILogger<AllowListSync>>()));
            }
        }

        return services;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "API on {Listen} over TLS, certificate SHA-256 {Fingerprint}")]
        public static partial void ServingTls(ILogger log, string listen, string fingerprint);
    }
}
