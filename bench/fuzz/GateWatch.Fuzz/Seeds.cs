using GateWatch.Central.Evidence;

namespace GateWatch.Fuzz;

/// <summary>
/// Makes the evidence target's seed packages with the console's own packager and a throwaway key, so that the
/// corpus starts from packages that verify, not from real evidence.
/// </summary>
internal static class Seeds
{
    public static async Task<int> EvidenceAsync(string outputDir)
    {
        Directory.CreateDirectory(outputDir);
        var work = Path.Combine(Path.GetTempPath(), $"gatewatch-fuzz-seeds-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            using var key = EvidenceKey.Load(Path.Combine(work, "key"));
            var at = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
            var clipA = Path.Combine(work, "a.mp4");
            var clipB = Path.Combine(work, "b.mp4");
            await File.WriteAllBytesAsync(clipA, "\0\0\0\x18ftypisom fuzz seed clip a"u8.ToArray()).ConfigureAwait(false);
            await File.WriteAllBytesAsync(clipB, "clip b"u8.ToArray()).ConfigureAwait(false);

            EvidenceClip Clip(string file, string camera, TimeSpan length, IReadOnlyList<EvidenceGap> gaps) =>
                new(file, camera, "gate-north", at.AddHours(-1), at.AddHours(-1) + length, "", 0, "seed", gaps);

            var one = new EvidenceManifest(1, new EvidenceCase("C-1", "one clip"), "admin1", at, "", [Clip("clips/a.mp4", "north-1", TimeSpan.FromSeconds(30), [])]);
            var two = new EvidenceManifest(1, new EvidenceCase("C-2", "two clips, one with a gap"), "admin1", at, "",
            [
                Clip("clips/a.mp4", "north-1", TimeSpan.FromSeconds(30), []),
                Clip("clips/b.mp4", "north-2", TimeSpan.FromMinutes(2), [new EvidenceGap(at.AddHours(-1).AddSeconds(10), at.AddHours(-1).AddSeconds(20))]),
            ]);
            await EvidencePackager.CreateAsync(Path.Combine(outputDir, "one-clip.zip"), one, [("clips/a.mp4", clipA)], key, CancellationToken.None).ConfigureAwait(false);
            await EvidencePackager.CreateAsync(Path.Combine(outputDir, "two-clips.zip"), two, [("clips/a.mp4", clipA), ("clips/b.mp4", clipB)], key, CancellationToken.None).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
