using GateWatch.Agent.Detect;
using OpenCvSharp;

namespace GateWatch.Agent.Tests.Detect;

public sealed class RoadUsersTests
{
    private static readonly MergeOptions Options = new();

    private static Detection D(ObjectClass c, float x1, float y1, float x2, float y2, float score = 0.8f) => new(new Box(x1, y1, x2, y2), c, score);

    [Fact]
    public void A_motorbike_with_rider_and_pillion_is_one_motorcycle_covering_all_three()
    {
        var bike = D(ObjectClass.Motorcycle, 100, 160, 180, 240);
        var rider = D(ObjectClass.Person, 110, 100, 160, 210, 0.9f);
        var pillion = D(ObjectClass.Person, 130, 105, 178, 215, 0.7f);

        var joined = RoadUsers.JoinRiders([rider, bike, pillion], Options);

        var only = Assert.Single(joined);
        Assert.Equal(ObjectClass.Motorcycle, only.Class);
        Assert.Equal(new Box(100, 100, 180, 240), only.Box);
    }

    [Fact]
    public void A_pedestrian_walking_beside_a_motorbike_stays_a_person()
    {
        var bike = D(ObjectClass.Motorcycle, 100, 160, 180, 240);
        var walker = D(ObjectClass.Person, 185, 90, 225, 240);
        var joined = RoadUsers.JoinRiders([bike, walker], Options);
        Assert.Equal(2, joined.Count);
        Assert.Contains(joined, d => d.Class == ObjectClass.Person);
    }

    [Fact]
    public void A_person_standing_behind_a_parked_bike_with_feet_above_it_is_not_its_rider()
    {
        // Feet above the bike's top fifth: the person stands further back, not on it.
        var bike = D(ObjectClass.Motorcycle, 100, 200, 180, 260);
        var behind = D(ObjectClass.Person, 120, 120, 160, 205);
        Assert.Equal(2, RoadUsers.JoinRiders([bike, behind], Options).Count);
    }

    [Fact]
    public void A_cyclist_becomes_a_bicycle()
    {
        var bicycle = D(ObjectClass.Bicycle, 300, 180, 360, 250);
        var cyclist = D(ObjectClass.Person, 305, 110, 350, 230);
        var only = Assert.Single(RoadUsers.JoinRiders([cyclist, bicycle], Options));
        Assert.Equal(ObjectClass.Bicycle, only.Class);
    }

    [Fact]
    public void A_half_box_cut_at_an_inner_tile_edge_is_dropped_and_the_whole_one_kept()
    {
        var region = new Rect(0, 0, 1280, 720);
        var left = new View(new Rect(0, 0, 853, 512), false);
        var right = new View(new Rect(427, 0, 853, 512), false);
        var whole = new View(region, true);

        // A car straddling x = 853: the left tile sees its left half, ending at the tile's edge; the right tile sees all of it.
        var half = D(ObjectClass.Car, 800, 200, 852, 280, 0.7f);
        var full = D(ObjectClass.Car, 800, 200, 900, 280, 0.6f);

        var merged = RoadUsers.Merge([(whole, []), (left, [half]), (right, [full])], region, Options);

        Assert.Equal([full], merged);
    }

    [Fact]
    public void A_box_at_the_region_edge_is_not_taken_for_a_cut_one()
    {
        var region = new Rect(0, 0, 1280, 720);
        var right = new View(new Rect(427, 0, 853, 512), false);
        var atEdge = D(ObjectClass.Car, 1200, 100, 1280, 200);
        Assert.Single(RoadUsers.Merge([(right, [atEdge])], region, Options));
    }

    [Fact]
    public void The_same_motorbike_seen_in_two_views_is_one_box()
    {
        var region = new Rect(0, 0, 1280, 720);
        var whole = new View(region, true);
        var tile = new View(new Rect(0, 0, 853, 512), false);
        var inWhole = D(ObjectClass.Motorcycle, 400, 300, 440, 360, 0.5f);
        var inTile = D(ObjectClass.Motorcycle, 401, 299, 441, 362, 0.7f);
        var merged = RoadUsers.Merge([(whole, [inWhole]), (tile, [inTile])], region, Options);
        Assert.Equal([inTile], merged);
    }

    [Fact]
    public void One_vehicle_named_twice_by_the_model_is_one_box_whatever_the_classes()
    {
        var region = new Rect(0, 0, 640, 480);
        var whole = new View(region, true);
        var car = D(ObjectClass.Car, 100, 100, 300, 220, 0.6f);
        var bus = D(ObjectClass.Bus, 102, 98, 302, 224, 0.5f);
        var bike = D(ObjectClass.Motorcycle, 250, 180, 300, 260, 0.6f);
        var merged = RoadUsers.Merge([(whole, [car, bus, bike])], region, Options);
        Assert.Equal([car, bike], merged);
    }

    [Fact]
    public void People_side_by_side_in_one_view_both_stay()
    {
        var region = new Rect(0, 0, 640, 480);
        var a = D(ObjectClass.Person, 100, 100, 140, 200, 0.8f);
        var b = D(ObjectClass.Person, 115, 105, 150, 195, 0.6f); // mostly behind a, as the model's own NMS left it
        Assert.Equal(2, RoadUsers.Merge([(new View(region, true), [a, b])], region, Options).Count);
    }
}
