using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using GateWatch.Agent.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace GateWatch.Central.Tests.Support;

/// <summary>What the console tests' real in-process agents are made with: a config written to disk and loaded as at start, ffmpeg, a free port.</summary>
internal static class LocalAgent
{
    /// <summary>Writes <paramref name="config"/> (given the agent's port) as agent.json in <paramref name="dir"/> and starts that agent.</summary>
    public static async Task<(WebApplication App, Uri Url)> StartAsync(string dir, Func<int, object> config)
    {
        var port = FreePort();
        var path = Path.Combine(dir, "agent.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(config(port)));
        var loaded = AgentConfigLoader.Load(path);
        var app = AgentHost.Build(loaded, logging: l => l.ClearProviders());
        await app.StartAsync();
        return (app, new Uri(loaded.Listen + "/"));
    }

    public static async Task StopAsync(WebApplication? app)
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public static async Task FfmpegAsync(params string[] args)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var ffmpeg = Process.Start(start)!;
        var errors = await ffmpeg.StandardError.ReadToEndAsync();
        await ffmpeg.WaitForExitAsync();
        if (ffmpeg.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', args)} failed: {errors}");
        }
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
