using GateWatch.Agent.Crowd;
using GateWatch.Agent.Events;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Track;
using static GateWatch.Agent.Tests.Support.Synthetic;

namespace GateWatch.Agent.Tests.Gate;

/// <summary>Zones with density readings: which count a zone takes, crowd flags that carry the estimate, minute peaks.</summary>
public sealed class GateAnalyzerDensityTests
{
    private const double Fps = 10;

    private static readonly GateSpec Spec = new(
        Video: null,
        Fps: Fps,
        FrameSize: null,
        Lines: [],
        Zones: [new GateZone("plaza", [new(0, 0), new(400, 0), new(400, 400), new(0, 400)], CrowdMin: 20, CrowdSeconds: 1)])
    {
        DensitySeconds = 2,
    };

    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 7, 0, 0, TimeSpan.Zero);

    private readonly ByteTracker _tracker = new(new TrackerOptions(), Fps);
    private readonly GateAnalyzer _gate = new(Spec, Fps, new GateOptions());
    private readonly List<GateEvent> _events = [];
    private long _frame;

    private static DensityReading Reading(double people, DateTimeOffset at) =>
        new(0, at, new Dictionary<string, double> { ["plaza"] = people }, new DensityGrid(1, 1, [(float)people]));

    private static DateTimeOffset TimeOf(long frame) => T0 + TimeSpan.FromSeconds(frame / Fps);

    /// <summary>One frame with two people standing in the zone and the given reading.</summary>
    private int Step(DensityReading? density)
    {
        var f = _frame++;
        _tracker.Update([Person(100, 200), Person(300, 300)], f);
        var counts = new Dictionary<string, int>();
        _gate.Observe(_tracker.Tracks, f, TimeOf(f), _events, counts, density);
        return counts["plaza"];
    }

    [Fact]
    public void A_dense_zone_counts_the_estimate_and_its_crowd_flag_carries_it()
    {
        for (var k = 0; k < 5; k++)
        {
            Step(null);
        }

        // Two tracked people, an estimate of 42 every 2 s: the zone holds 42, a crowd of 20 for 1 s is flagged.
        var counts = new List<int>();
        for (var k = 0; k < 30; k++)
        {
            counts.Add(Step(Reading(k < 20 ? 42.4 : 55.0, TimeOf(_frame - (_frame % 20)))));
        }

        Assert.Equal(42, counts[0]);
        Assert.Equal(55, counts[^1]);
        var raised = Assert.Single(_events.OfType<CrowdEvent>(), e => e.Change == CrowdChange.Raised).Episode;
        Assert.Equal(42.4, raised.Estimate);
        Assert.True(raised.Dense);
        Assert.Contains("plaza", _gate.DenseZones);

        var ended = Assert.Single(_gate.Finish().OfType<CrowdEvent>()).Episode;
        Assert.Equal(55, ended.Peak);
        Assert.Equal(55.0, ended.PeakEstimate);
        var wire = CameraEvent.From(new CrowdEvent(ended, CrowdChange.Cleared))!.Json();
        Assert.Equal(55.0, wire.GetProperty("peakEstimate").GetDouble());
        Assert.Equal("density", wire.GetProperty("counting").GetString());
    }

    [Fact]
    public void A_sparse_zone_counts_its_tracks_even_with_an_estimate()
    {
        for (var k = 0; k < 10; k++)
        {
            Step(Reading(3.1, TimeOf(_frame)));
        }

        Assert.Equal(2, Step(Reading(3.1, TimeOf(_frame))));
        Assert.Empty(_gate.DenseZones);
    }

    [Fact]
    public void A_reading_older_than_three_periods_is_not_used()
    {
        for (var k = 0; k < 5; k++)
        {
            Step(null);
        }

        var old = Reading(80, TimeOf(_frame));
        Assert.Equal(80, Step(old));
        // 6 s (three periods of 2 s) later the estimates have stopped: the zone counts its two tracks again.
        while (TimeOf(_frame) - old.Time <= TimeSpan.FromSeconds(6))
        {
            Step(old);
        }

        Assert.Equal(2, Step(old));
    }

    [Fact]
    public void Each_minute_with_people_gives_its_peak_and_highest_estimate()
    {
        // 70 s at 10 frames/s: the minute from 07:00 closes when 07:01 begins; the rest is closed at the end.
        for (var k = 0; k < 700; k++)
        {
            Step(k is > 100 and < 200 ? Reading(k == 150 ? 30.4 : 12, TimeOf(_frame)) : null);
        }

        var first = Assert.Single(_events.OfType<ZonePeakEvent>());
        Assert.Equal(T0, first.Minute);
        Assert.Equal(30, first.Peak);
        Assert.Equal(30.4, first.Estimate);
        var last = Assert.Single(_gate.Finish().OfType<ZonePeakEvent>());
        Assert.Equal(T0.AddMinutes(1), last.Minute);
        Assert.Equal(2, last.Peak);
        Assert.Null(last.Estimate);
        Assert.Equal("zone-peak", CameraEvent.From(first)!.Type);
    }
}
