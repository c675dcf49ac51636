namespace GateWatch.Agent.Tests.Support;

/// <summary>
/// Tests that change where the agent looks for ffmpeg (GATEWATCH_FFMPEG_DIR, FFMpegCore's global options)
/// run alone, after everything else, so no other test sees ffmpeg vanish.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FfmpegEnvironment
{
    public const string Name = "ffmpeg environment";
}
