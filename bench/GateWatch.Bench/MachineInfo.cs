using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace GateWatch.Bench;

/// <summary>What the figures were measured on; a frame rate means nothing without it.</summary>
internal sealed record MachineInfo(int Cores, string Cpu, string Memory, bool NvidiaGpu, string Os, string Runtime, string Ffmpeg, string OnnxRuntime)
{
    public string GpuText => NvidiaGpu ? "NVIDIA GPU present but unused (ONNX Runtime CPU provider)" : "no GPU (ONNX Runtime CPU provider)";

    public static async Task<MachineInfo> CollectAsync(CancellationToken ct)
    {
        var cpu = await FirstValueAsync("/proc/cpuinfo", "model name", ct).ConfigureAwait(false) ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memKb = await FirstValueAsync("/proc/meminfo", "MemTotal", ct).ConfigureAwait(false);
        var memory = memKb is not null && long.TryParse(memKb.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], out var kb)
            ? $"{kb / (1024.0 * 1024):0.0} GiB"
            : "unknown";
        var ort = typeof(InferenceSession).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(InferenceSession).Assembly.GetName().Version?.ToString()
            ?? "unknown";
        return new MachineInfo(
            Environment.ProcessorCount,
            cpu,
            memory,
            File.Exists("/dev/nvidia0") || Directory.Exists("/proc/driver/nvidia"),
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            await FfmpegCli.VersionAsync(ct).ConfigureAwait(false),
            ort.Split('+')[0]);
    }

    /// <summary>The value of the first "key : value" line of a /proc file, or null.</summary>
    private static async Task<string?> FirstValueAsync(string file, string key, CancellationToken ct)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        foreach (var line in await File.ReadAllLinesAsync(file, ct).ConfigureAwait(false))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == key)
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }
}
