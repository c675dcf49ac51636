using OpenCvSharp;

namespace GateWatch.Agent.Detect;

internal sealed record MergeOptions
{
    /// <summary>Overlap above which two boxes of one kind from different views are the same object (as the model's own NMS).</summary>
    public float NmsIoU { get; init; } = 0.6f;

    /// <summary>
    /// Two vehicle boxes of different classes overlapping this much are one vehicle the model could not name
    /// (a van as car and truck, a tuk-tuk as car and motorcycle): higher than <see cref="NmsIoU"/> because a
    /// motorbike beside a car really does overlap it.
    /// </summary>
    public float CrossClassIoU { get; init; } = 0.7f;

    /// <summary>A box from one view lying this much inside a bigger box of its kind from another view is a piece of that object.</summary>
    public float ContainedShare { get; init; } = 0.8f;

    /// <summary>A tile's box within this many pixels of an edge the tile shares with the rest of the picture is cut off there.</summary>
    public int EdgeMargin { get; init; } = 3;

    /// <summary>Share of a person's width that must lie over a bike's for the person to be riding it.</summary>
    public float RiderOverlapX { get; init; } = 0.5f;
}

/// <summary>
/// Turns what the detector saw in several views into one box per road user: pieces cut off at tile edges are
/// dropped (the object is whole in a neighbour tile or in the whole view), duplicates across views are merged,
/// and a person riding a motorbike or bicycle becomes part of that vehicle's box.
/// </summary>
internal static class RoadUsers
{
    public static List<Detection> Merge(IReadOnlyList<(View View, List<Detection> Found)> views, Rect region, MergeOptions options)
    {
        var tagged = new List<(Detection D, int View)>();
        for (var v = 0; v < views.Count; v++)
        {
            var (view, found) = views[v];
            foreach (var d in found)
            {
                if (view.Whole || (!CutOff(d.Box, view.Area, region, options.EdgeMargin)))
                {
                    tagged.Add((d, v));
                }
            }
        }

        tagged.Sort((a, b) => b.D.Score.CompareTo(a.D.Score));
        var kept = new List<(Detection D, int View)>();
        foreach (var c in tagged)
        {
            if (!kept.Any(k => Duplicate(k, c, options)))
            {
                kept.Add(c);
            }
        }

        return JoinRiders(kept.Select(k => k.D).ToList(), options);
    }

    private static bool Duplicate((Detection D, int View) kept, (Detection D, int View) c, MergeOptions options)
    {
        var (k, d) = (kept.D, c.D);
        var iou = k.Box.IoU(d.Box);

        // Within one view the model's NMS has already decided; across views a box inside a bigger one is a piece of it.
        if (kept.View != c.View && ObjectClasses.SameKind(k.Class, d.Class)
            && (iou > options.NmsIoU || (d.Box.Area <= k.Box.Area && Inter(k.Box, d.Box) >= options.ContainedShare * d.Box.Area)))
        {
            return true;
        }

        return k.Class != d.Class && k.Class.IsRoadVehicle() && d.Class.IsRoadVehicle() && iou > options.CrossClassIoU;
    }

    /// <summary>
    /// A person whose feet are on a motorbike or bicycle, over its width, is its rider (or a pillion passenger):
    /// counted as that vehicle, never as a pedestrian, and the vehicle's box grows to cover them, as road-user
    /// datasets draw it.
    /// </summary>
    public static List<Detection> JoinRiders(List<Detection> detections, MergeOptions options)
    {
        var bikes = detections.Select((d, i) => (d, i)).Where(x => x.d.Class is ObjectClass.Motorcycle or ObjectClass.Bicycle).ToList();
        if (bikes.Count == 0)
        {
            return detections;
        }

        var grown = bikes.ToDictionary(b => b.i, b => b.d.Box);
        var riders = new HashSet<int>();
        for (var i = 0; i < detections.Count; i++)
        {
            var p = detections[i];
            if (p.Class != ObjectClass.Person)
            {
                continue;
            }

            var best = -1;
            var bestOverlap = 0f;
            foreach (var (b, bi) in bikes)
            {
                var overlap = Inter(p.Box, b.Box);
                if (overlap > bestOverlap && Rides(p.Box, b.Box, options))
                {
                    best = bi;
                    bestOverlap = overlap;
                }
            }

            if (best >= 0)
            {
                riders.Add(i);
                grown[best] = Union(grown[best], p.Box);
            }
        }

        var result = new List<Detection>(detections.Count - riders.Count);
        for (var i = 0; i < detections.Count; i++)
        {
            if (riders.Contains(i))
            {
                continue;
            }

            result.Add(grown.TryGetValue(i, out var box) ? detections[i] with { Box = box } : detections[i]);
        }

        return result;
    }

    /// <summary>Feet between a fifth of the way down the bike and a little below it, and the person over the bike, not beside it.</summary>
    internal static bool Rides(Box person, Box bike, MergeOptions options)
    {
        var overlapX = Math.Min(person.X2, bike.X2) - Math.Max(person.X1, bike.X1);
        if (overlapX < options.RiderOverlapX * person.Width)
        {
            return false;
        }

        var feetOnBike = person.Y2 >= bike.Y1 + (0.2f * bike.Height) && person.Y2 <= bike.Y2 + (0.15f * bike.Height);
        return feetOnBike && person.CenterY < bike.CenterY && person.Y1 < bike.Y1 + (0.5f * bike.Height);
    }

    private static bool CutOff(Box b, Rect tile, Rect region, int margin)
    {
        bool Inner(int tileEdge, int regionEdge) => tileEdge != regionEdge;
        return (Inner(tile.Left, region.Left) && b.X1 <= tile.Left + margin)
            || (Inner(tile.Top, region.Top) && b.Y1 <= tile.Top + margin)
            || (Inner(tile.Right, region.Right) && b.X2 >= tile.Right - margin)
            || (Inner(tile.Bottom, region.Bottom) && b.Y2 >= tile.Bottom - margin);
    }

    private static float Inter(Box a, Box b)
    {
        var w = Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1);
        var h = Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1);
        return w > 0 && h > 0 ? w * h : 0;
    }

    private static Box Union(Box a, Box b) => new(Math.Min(a.X1, b.X1), Math.Min(a.Y1, b.Y1), Math.Max(a.X2, b.X2), Math.Max(a.Y2, b.Y2));
}
