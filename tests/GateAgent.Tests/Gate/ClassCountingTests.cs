using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Tests.Support;
using static GateWatch.Agent.Tests.Support.Synthetic;

namespace GateWatch.Agent.Tests.Gate;

/// <summary>Crossings counted per class, from synthetic detections through the tracker and the gate.</summary>
public sealed class ClassCountingTests
{
    /// <summary>A gate across a road at x = 200, the inside to the right.</summary>
    private readonly GateRun _run = new(new GateLine("gate", new Point2(200, 50), new Point2(200, 450), new Point2(300, 250)));

    private void Step(params Detection[] detections) => _run.Step(detections);

    private static Detection Motorcycle(double footX, double footY, float score = 0.8f) =>
        At(footX, footY, 90, 110, ObjectClass.Motorcycle, score);

    [Fact]
    public void A_motorbike_with_two_riders_counts_one_motorcycle()
    {
        for (var x = 60.0; x <= 360; x += 12)
        {
            // The riders' own person boxes lie inside the motorbike's (its box holds them, as the
            // detect stage reports a ridden motorbike).
            Step(Motorcycle(x, 380), Person(x - 18, 340, score: 0.7f, height: 70), Person(x + 16, 345, score: 0.75f, height: 72));
        }

        var c = Assert.Single(_run.Crossings);
        Assert.Equal(ObjectClass.Motorcycle, c.Class);
        Assert.Equal(Direction.In, c.Direction);
        Assert.DoesNotContain(_run.Tracker.Tracks, t => t.Class == ObjectClass.Person);
    }

    [Fact]
    public void A_car_that_stops_on_the_line_and_goes_on_counts_once()
    {
        var xs = Enumerable.Range(0, 10).Select(i => 60 + (14.0 * i))           // up to the line
            .Concat(Enumerable.Range(0, 30).Select(i => 198 + (i % 3) - 1.0))   // waits on it, bouncing a pixel
            .Concat(Enumerable.Range(1, 12).Select(i => 198 + (14.0 * i)));     // and drives on
        foreach (var x in xs)
        {
            Step(Car(x, 380));
        }

        var c = Assert.Single(_run.Crossings);
        Assert.Equal(ObjectClass.Car, c.Class);
        Assert.Equal(Direction.In, c.Direction);
    }

    [Fact]
    public void A_van_the_detector_sometimes_calls_a_truck_is_counted_and_kept_as_a_car()
    {
        var classes = new HashSet<ObjectClass>();
        var k = 0;
        for (var x = 60.0; x <= 360; x += 12, k++)
        {
            Step(k % 3 == 1 ? At(x, 380, 120, 60, ObjectClass.Truck, 0.5f) : Car(x, 380, score: 0.7f));
            classes.UnionWith(_run.Tracker.Tracks.Where(t => t.IsConfirmed).Select(t => t.Class));
        }

        Assert.Equal(ObjectClass.Car, Assert.Single(_run.Crossings).Class);
        Assert.Equal([ObjectClass.Car], classes);
    }

    [Fact]
    public void A_pedestrian_walking_beside_a_motorbike_counts_one_of_each()
    {
        for (var k = 0; k < 30; k++)
        {
            Step(Person(120 + (8 * k), 300), Motorcycle(60 + (12 * k), 440));
        }

        Assert.Equal(2, _run.Crossings.Count);
        Assert.All(_run.Crossings, c => Assert.Equal(Direction.In, c.Direction));
        Assert.Single(_run.Crossings, c => c.Class == ObjectClass.Person);
        Assert.Single(_run.Crossings, c => c.Class == ObjectClass.Motorcycle);
    }
}
