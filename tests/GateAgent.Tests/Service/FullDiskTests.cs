using GateWatch.Agent.Service;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Service;

/// <summary>
/// The agent on a disk that runs low and then full, for real (a 40 MB tmpfs): low-disk mode deletes the
/// oldest footage so the newest keeps being recorded, a full disk is a clear error, events wait in memory,
/// and everything resumes when space returns.
/// </summary>
public sealed class FullDiskTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const int DiskMB = 40;
    private const int LowDiskMB = 14;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [RequiresTmpfsFact]
    public async Task Low_disk_keeps_the_newest_footage_and_a_full_disk_is_survived_without_losing_events()
    {
        // About 8 Mbit/s of noise: a 2 s segment is about 2 MB, so the small disk fills in seconds.
        var clip = _dir.File("noisy.mp4");
        FfmpegCli.Run("-f", "lavfi", "-i", "testsrc2=size=640x480:rate=10,noise=alls=20:allf=t", "-frames:v", "50",
            "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "10", "-pix_fmt", "yuv420p", clip);
        using var disk = new Tmpfs(Path.Combine(_dir.Path, "disk"), DiskMB);
        var config = TestAgent.WriteConfig(disk.Path, [new { id = "gate", main = clip, loop = true, segmentSeconds = 2 }],
            retention: new { lowDiskFreeMB = LowDiskMB, sweepSeconds = 1 });
        await using var agent = await TestAgent.StartAsync(config);

        // Low disk: a ballast leaves less free than the threshold. The oldest segments go, logged, the newest keep coming.
        var ballast = Path.Combine(disk.Path, "ballast");
        await Fill(ballast, disk.FreeBytes - ((LowDiskMB - 4) * 1024L * 1024));
        await agent.WaitUntilAsync(() => agent.LogLines.Count(l => l.Contains("low-disk", StringComparison.Ordinal)) >= 3, TimeSpan.FromSeconds(30), "three low-disk deletions");
        var newest = agent.Index.List("gate", DateTimeOffset.MinValue, DateTimeOffset.MaxValue)[^1];
        await agent.WaitUntilAsync(() => agent.Index.List("gate", DateTimeOffset.MinValue, DateTimeOffset.MaxValue)[^1].End > newest.End + TimeSpan.FromSeconds(3),
            TimeSpan.FromSeconds(20), "recording going on in low-disk mode");
        Assert.Equal(CameraState.Online, agent.Camera("gate").Status.State);

        // Full: nothing left at all. The recorder's error says so; the camera is reported offline once space returns.
        await Fill(Path.Combine(disk.Path, "ballast2"), disk.FreeBytes);
        await agent.WaitUntilAsync(() => agent.Camera("gate").Status.LastError?.Contains("No space left on device", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), "the recorder failing with 'No space left on device'");
        File.Delete(Path.Combine(disk.Path, "ballast2"));
        File.Delete(ballast);
        var freedAt = DateTimeOffset.UtcNow;
        await agent.WaitUntilAsync(() => agent.Index.List("gate", freedAt, DateTimeOffset.MaxValue).Count >= 2, TimeSpan.FromSeconds(40), "recording after space returned");
        await agent.WaitUntilAsync(() => agent.Camera("gate").Status.State == CameraState.Online, TimeSpan.FromSeconds(10), "camera online");

        foreach (var line in agent.LogLines)
        {
            output.WriteLine(line);
        }

        // Index and disk agree: every indexed segment is there, every file on disk is indexed or the one being written.
        var indexed = agent.Index.List("gate", DateTimeOffset.MinValue, DateTimeOffset.MaxValue).Select(s => s.Path).ToHashSet();
        Assert.All(indexed, p => Assert.True(File.Exists(p), $"{p} indexed but gone"));
        var files = Directory.GetFiles(Path.Combine(disk.Path, "data", "recordings", "gate"), "*.mp4");
        Assert.True(files.Count(f => !indexed.Contains(f)) <= 1, $"unindexed: {string.Join(", ", files.Where(f => !indexed.Contains(f)))}");
        var events = agent.Events();
        if (events.FirstOrDefault(e => e.Type == "camera-offline") is { } offline)
        {
            Assert.Contains(events, e => e.Type == "camera-online" && e.Seq > offline.Seq);
        }
    }

    private static async Task Fill(string path, long bytes)
    {
        var block = new byte[1024 * 1024];
        await using var f = File.Create(path);
        try
        {
            for (long written = 0; written < bytes; written += block.Length)
            {
                await f.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, bytes - written)));
            }

            await f.FlushAsync();
        }
        catch (IOException)
        {
            // The disk is full: that was the point.
        }
    }
}
