using OpenCvSharp;

namespace GateWatch.Agent.Detect;

internal enum TilingMode
{
    /// <summary>Tiles when the region, shrunk whole into the model, would lose too much detail.</summary>
    Auto,

    /// <summary>One view of the region, whatever its size: cheapest, blind to small objects in big frames.</summary>
    Off,

    /// <summary>Always the whole region plus tiles.</summary>
    On,
}

internal sealed record TilingOptions
{
    public TilingMode Mode { get; init; } = TilingMode.Auto;

    /// <summary>
    /// Auto tiles when the whole region would be shown to the model at less than this scale. 0.6: a 4:3 PETS frame
    /// (768x576) in a 640x384 model is at 0.67 and stays one view; a 1280x720 gate camera (0.5) is tiled, since
    /// its 40 px motorbikes would become 20 px.
    /// </summary>
    public float MinWholeScale { get; init; } = 0.6f;

    /// <summary>
    /// Scale at which a tile shows the picture to the model. 0.75 rather than 1: 2x2 tiles then cover a 720p frame
    /// (4 inferences plus the whole view) instead of 3x3, and a 40 px motorbike is still 30 px to the model.
    /// </summary>
    public float TileScale { get; init; } = 0.75f;

    /// <summary>
    /// Neighbouring tiles share at least this share of a tile, so any object up to a quarter of a tile is whole in
    /// one of them; larger ones are whole in the region's own view.
    /// </summary>
    public float MinOverlap { get; init; } = 0.25f;

    /// <summary>
    /// On video, tiles run per analysed frame beside the whole view, taking turns among those where something moves
    /// or is tracked; null runs every such tile. One: a camera then costs two inferences a frame, not five, so eight
    /// 720p cameras still fit two cores, and at 5 fps each of the four tiles of a busy scene is seen again within
    /// 0.8 s while the whole view and the tracker's motion model carry the tracks in between.
    /// </summary>
    public int? MaxTilesPerFrame { get; init; }
}

/// <summary>One part of the picture shown to the model, in source pixels.</summary>
internal readonly record struct View(Rect Area, bool Whole);

/// <summary>Where the detector looks in a frame: the region of interest whole, and over it overlapping tiles near native resolution.</summary>
internal static class DetectionPlan
{
    public static List<View> Views(Size frame, Rect region, Size model, TilingOptions options)
    {
        region = Clip(region, frame);
        var views = new List<View> { new(region, true) };
        var wholeScale = Math.Min((float)model.Width / region.Width, (float)model.Height / region.Height);
        var tile = options.Mode switch
        {
            TilingMode.Off => false,
            TilingMode.On => true,
            _ => wholeScale < options.MinWholeScale,
        };
        if (!tile)
        {
            return views;
        }

        var tw = Math.Min(region.Width, (int)Math.Round(model.Width / options.TileScale));
        var th = Math.Min(region.Height, (int)Math.Round(model.Height / options.TileScale));
        var xs = Starts(region.X, region.Width, tw, options.MinOverlap);
        var ys = Starts(region.Y, region.Height, th, options.MinOverlap);
        if (xs.Count * ys.Count == 1)
        {
            return views;
        }

        foreach (var y in ys)
        {
            foreach (var x in xs)
            {
                views.Add(new View(new Rect(x, y, tw, th), false));
            }
        }

        return views;
    }

    /// <summary>Tile origins spread evenly from the start to the end of a span, overlapping by at least the given share.</summary>
    internal static List<int> Starts(int start, int length, int tile, float minOverlap)
    {
        if (tile >= length)
        {
            return [start];
        }

        var step = tile * (1 - minOverlap);
        var n = (int)Math.Ceiling((length - tile) / step) + 1;
        var starts = new List<int>(n);
        for (var i = 0; i < n; i++)
        {
            starts.Add(start + (int)Math.Round((double)(length - tile) * i / (n - 1)));
        }

        return starts;
    }

    public static Rect Clip(Rect r, Size frame)
    {
        var x1 = Math.Clamp(r.X, 0, frame.Width - 1);
        var y1 = Math.Clamp(r.Y, 0, frame.Height - 1);
        var x2 = Math.Clamp(r.X + r.Width, x1 + 1, frame.Width);
        var y2 = Math.Clamp(r.Y + r.Height, y1 + 1, frame.Height);
        return new Rect(x1, y1, x2 - x1, y2 - y1);
    }
}
