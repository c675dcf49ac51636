using GateWatch.Central.Evidence;

namespace GateWatch.Central.Tests.Evidence;

public sealed class VerifyCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gateconsole-verify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Verify_says_intact_or_names_the_tampered_file_with_its_exit_code()
    {
        using var key = EvidenceKey.Load(_dir);
        var clip = Path.Combine(_dir, "a.mp4");
        await File.WriteAllBytesAsync(clip, System.Security.Cryptography.RandomNumberGenerator.GetBytes(50_000));
        var t = DateTimeOffset.UtcNow;
        var manifest = new EvidenceManifest(0, new EvidenceCase("2026-117", "gate incident"), "investigator1", t, "",
            [new EvidenceClip("clips/a.mp4", "north", "gate-north", t.AddMinutes(-5), t, "", 0, "crowd at the gate", [])]);
        var zip = Path.Combine(_dir, "case.zip");
        await EvidencePackager.CreateAsync(zip, manifest, [("clips/a.mp4", clip)], key, CancellationToken.None);

        Assert.Equal(0, await ConsoleCommands.RunAsync(["verify", zip, "--key", Path.Combine(_dir, "evidence-public.pem")]));

        using (var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = archive.GetEntry("clips/a.mp4")!;
            await using var s = entry.Open();
            s.Position = 1000;
            s.WriteByte(0x42);
        }

        using var output = new StringWriter();
        var stdout = Console.Out;
        Console.SetOut(output);
        try
        {
            Assert.Equal(1, await ConsoleCommands.RunAsync(["verify", zip]));
        }
        finally
        {
            Console.SetOut(stdout);
        }

        Assert.Contains("TAMPERED: clips/a.mp4", output.ToString(), StringComparison.Ordinal);
    }
}
