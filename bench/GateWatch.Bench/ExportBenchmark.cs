using System.Diagnostics;
using System.Globalization;
using GateWatch.Agent.Record;

namespace GateWatch.Bench;

/// <summary>
/// Clip export: ten minutes of 1080p recorded as segments, exported whole as one MP4 (stream copy,
/// faststart, SHA-256), against copying the same segment bytes with cp in the same run.
/// </summary>
internal static class ExportBenchmark
{
    public const string Usage = """
        export [--minutes N] [--segment-seconds S]
          a synthetic 1080p 15 fps H.264 camera (4 Mb/s, GOP 2 s) recorded into segments by the agent's
          recorder, then exported whole by the agent's exporter, against `cp` of the same segment files
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var cl = Agent.Cli.CommandLine.Parse(args, new HashSet<string> { "--minutes", "--segment-seconds" }, new HashSet<string>());
        var minutes = cl.GetInt("--minutes", 10, 1, 120);
        var segmentSeconds = cl.GetInt("--segment-seconds", 10, 1, 600);
        var work = Path.Combine(Path.GetTempPath(), "gatewatch-export-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(work);
        try
        {
            var source = Path.Combine(work, "camera.mp4");
            Console.WriteLine($"[bench] encoding {minutes} min of 1080p 15 fps test pattern (once, not timed)");
            await FfmpegCli.RunAsync(
            [
                "-hide_banner", "-nostats", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=15",
                "-t", (minutes * 60).ToString(CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "ultrafast",
                "-b:v", "4M", "-maxrate", "4M", "-bufsize", "8M", "-g", "30", "-bf", "0", "-pix_fmt", "yuv420p", "-y", source,
            ], null, ct).ConfigureAwait(false);

            Console.WriteLine($"[bench] recording it into {segmentSeconds} s segments with the agent's recorder (not timed)");
            using var index = new SegmentIndex(Path.Combine(work, "index.db"));
            var segFolder = Path.Combine(work, "segments");
            await new SegmentRecorder("bench", source, segFolder, TimeSpan.FromSeconds(segmentSeconds), index, TimeProvider.System)
                .RunAsync(ct).ConfigureAwait(false);
            var segments = index.List("bench", DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
            var bytes = segments.Sum(s => s.Bytes);

            // Warm the page cache for both contenders alike: both read the same files right after this.
            foreach (var s in segments)
            {
                await File.ReadAllBytesAsync(s.Path, ct).ConfigureAwait(false);
            }

            var copyDir = Path.Combine(work, "copy");
            Directory.CreateDirectory(copyDir);
            var cp = Stopwatch.StartNew();
            var psi = new ProcessStartInfo("/bin/cp") { UseShellExecute = false };
            foreach (var s in segments)
            {
                psi.ArgumentList.Add(s.Path);
            }

            psi.ArgumentList.Add(copyDir);
            using (var p = Process.Start(psi)!)
            {
                await p.WaitForExitAsync(ct).ConfigureAwait(false);
            }

            cp.Stop();

            var export = Stopwatch.StartNew();
            var clip = await ClipExporter.ExportAsync(index, "bench", segments[0].Start, segments[^1].End, Path.Combine(work, "clip.mp4"), ct)
                .ConfigureAwait(false);
            export.Stop();

            Console.WriteLine();
            Console.WriteLine($"| what | seconds | MB/s | ratio to cp |");
            Console.WriteLine($"|---|---:|---:|---:|");
            Console.WriteLine($"| cp of {segments.Count} segments ({bytes / 1e6:0.0} MB) | {cp.Elapsed.TotalSeconds:0.00} | {bytes / 1e6 / cp.Elapsed.TotalSeconds:0} | 1.00 |");
            Console.WriteLine($"| export {clip.Duration.TotalMinutes:0.0} min to one MP4 (stream copy, faststart, SHA-256) | {export.Elapsed.TotalSeconds:0.00} | {bytes / 1e6 / export.Elapsed.TotalSeconds:0} | {export.Elapsed.TotalSeconds / cp.Elapsed.TotalSeconds:0.00} |");
            Console.WriteLine();
            Console.WriteLine($"clip {clip.Bytes / 1e6:0.0} MB, sha256 {clip.Sha256}, gaps {clip.Gaps.Count}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
