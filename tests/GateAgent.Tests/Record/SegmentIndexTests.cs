using GateWatch.Agent.Record;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Record;

/// <summary>The index's bookkeeping for retention: protections, removal, cameras and sizes.</summary>
public sealed class SegmentIndexTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDir _dir = new();
    private readonly SegmentIndex _index;

    public SegmentIndexTests() => _index = new SegmentIndex(_dir.File("index.db"));

    public void Dispose()
    {
        _index.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void A_protection_covers_segments_it_overlaps_or_touches_on_its_own_camera_only()
    {
        _index.Protect("gate", T0.AddSeconds(30), T0.AddSeconds(90), "crowd");

        Assert.False(_index.IsProtected(Seg("gate", -60, -1)));
        Assert.True(_index.IsProtected(Seg("gate", -60, 30)));  // ends where the protection starts
        Assert.True(_index.IsProtected(Seg("gate", 0, 60)));
        Assert.True(_index.IsProtected(Seg("gate", 40, 50)));   // inside
        Assert.True(_index.IsProtected(Seg("gate", 0, 120)));   // around
        Assert.True(_index.IsProtected(Seg("gate", 90, 150)));  // starts where it ends
        Assert.False(_index.IsProtected(Seg("gate", 91, 150)));
        Assert.False(_index.IsProtected(Seg("yard", 0, 60)));
    }

    [Fact]
    public void Extending_an_episode_adds_a_span_and_protections_survive_reopening()
    {
        _index.Protect("gate", T0, T0.AddSeconds(10), "crowd");
        _index.Protect("gate", T0, T0.AddSeconds(100), "crowd");
        _index.Dispose();

        using var reopened = new SegmentIndex(_dir.File("index.db"));
        Assert.True(reopened.IsProtected(Seg("gate", 60, 70)));
        Assert.False(reopened.IsProtected(Seg("gate", 120, 130)));
    }

    [Fact]
    public void A_reversed_or_anonymous_protection_is_refused()
    {
        Assert.Throws<ArgumentException>(() => _index.Protect("gate", T0, T0.AddSeconds(-1), "crowd"));
        Assert.Throws<ArgumentException>(() => _index.Protect(" ", T0, T0, "crowd"));
        Assert.Throws<ArgumentException>(() => _index.Protect("gate", T0, T0, ""));
    }

    [Fact]
    public void Cameras_total_bytes_and_remove_follow_the_rows()
    {
        Assert.Empty(_index.Cameras());
        Assert.Equal(0, _index.TotalBytes("gate"));
        _index.Upsert(Seg("gate", 0, 60, bytes: 1000));
        _index.Upsert(Seg("gate", 60, 120, bytes: 2500));
        _index.Upsert(Seg("yard", 0, 60, bytes: 7));

        Assert.Equal(["gate", "yard"], _index.Cameras());
        Assert.Equal(3500, _index.TotalBytes("gate"));
        Assert.Equal(7, _index.TotalBytes("yard"));

        _index.Remove(Seg("gate", 0, 60).Path);
        _index.Remove("/no/such/segment.mp4");

        Assert.Equal(2500, _index.TotalBytes("gate"));
        Assert.False(_index.Contains(Seg("gate", 0, 60).Path));
        Assert.True(_index.Contains(Seg("gate", 60, 120).Path));
        _index.Remove(Seg("yard", 0, 60).Path);
        Assert.Equal(["gate"], _index.Cameras());
    }

    private Segment Seg(string camera, int fromSeconds, int toSeconds, long bytes = 100) =>
        new(camera, T0.AddSeconds(fromSeconds), T0.AddSeconds(toSeconds), Path.Combine(_dir.Path, camera, $"{fromSeconds}.mp4"), bytes, Complete: true);
}
