using System.Globalization;
using System.Text.Json;
using GateWatch.Agent.Detect;

namespace GateWatch.Agent.Eval;

internal readonly record struct ScoredBox(string Class, float Score, Box Box);

/// <summary>One line of `GateAgent detect`'s output: an image, its size in pixels and what was found in it.</summary>
internal sealed record DetectedImage(string Image, int Width, int Height, IReadOnlyList<ScoredBox> Detections, int Line);

/// <summary>A labelled box under its dataset's own class name (before --map), in pixels.</summary>
internal readonly record struct LabelledBox(string Class, Box Box, bool Crowd = false);

/// <summary>A COCO image entry with its annotations.</summary>
internal sealed record CocoImage(string FileName, int Width, int Height, IReadOnlyList<LabelledBox> Boxes);

/// <summary>A COCO file's images by file name, and its category names.</summary>
internal sealed record CocoLabels(IReadOnlyDictionary<string, CocoImage> Images, IReadOnlyList<string> Categories);

/// <summary>
/// Pure parsers for detector scoring: the detections JSON Lines, YOLO label files and COCO json.
/// Each error names the file and its line (or JSON path), so a park can fix its own annotations.
/// </summary>
internal static class DetectionFiles
{
    /// <summary>A label box may stick out of its image by this much: annotation tools round to whole pixels.</summary>
    public const float EdgeTolerancePx = 1;

    /// <summary>The same tolerance for a YOLO box whose image size is unknown, in image widths/heights (1 px of 1000).</summary>
    public const float EdgeToleranceNormalised = 0.001f;

    public static IReadOnlySet<string> ProductClasses { get; } =
        Enum.GetValues<ObjectClass>().Select(c => c.Name()).ToHashSet(StringComparer.Ordinal);

    public static List<DetectedImage> ParseDetections(IEnumerable<string> lines, string path)
    {
        var images = new List<DetectedImage>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var lineNo = 0;
        foreach (var text in lines)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            string Where() => $"{path}:{lineNo}";
            DetectedImage image;
            try
            {
                using var doc = JsonDocument.Parse(text);
                image = ParseDetectionLine(doc.RootElement, lineNo);
            }
            catch (JsonException e)
            {
                throw new FormatException($"{Where()}: not valid JSON ({e.Message})", e);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{Where()}: {e.Message}", e);
            }

            if (!seen.TryAdd(image.Image, lineNo))
            {
                throw new FormatException($"{Where()}: image {image.Image} is already on line {seen[image.Image]}");
            }

            images.Add(image);
        }

        return images;
    }

    private static DetectedImage ParseDetectionLine(JsonElement e, int lineNo)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("not a JSON object");
        }

        var image = e.TryGetProperty("image", out var im) && im.ValueKind == JsonValueKind.String && im.GetString() is { Length: > 0 } name
            ? name.Replace('\\', '/')
            : throw new FormatException("\"image\" must be a file name");
        if (e.TryGetProperty("frame", out _))
        {
            // Video frames have no label-file convention to pair them with; scoring them by image name would merge every frame into one.
            throw new FormatException($"{image} has a \"frame\": score-detect scores still images (export the labelled frames as images and run detect on those)");
        }

        var width = PositiveInt(e, "width");
        var height = PositiveInt(e, "height");
        if (!e.TryGetProperty("detections", out var ds) || ds.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("\"detections\" must be an array (empty when nothing was found)");
        }

        var detections = new List<ScoredBox>();
        var i = 0;
        foreach (var d in ds.EnumerateArray())
        {
            var at = $"detections[{i++}]";
            if (d.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{at} must be an object");
            }

            var cls = d.TryGetProperty("class", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : throw new FormatException($"{at}.class must be a string");
            if (!ProductClasses.Contains(cls))
            {
                throw new FormatException($"{at}.class '{cls}' is not a detector class ({string.Join(", ", ProductClasses)})");
            }

            var score = d.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number && s.GetDouble() is var v && double.IsFinite(v)
                ? (float)v
                : throw new FormatException($"{at}.score must be a number");
            if (!d.TryGetProperty("box", out var b) || b.ValueKind != JsonValueKind.Array || b.GetArrayLength() != 4
                || b.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number))
            {
                throw new FormatException($"{at}.box must be [x1, y1, x2, y2] in pixels");
            }

            detections.Add(new ScoredBox(cls, score, new Box(b[0].GetSingle(), b[1].GetSingle(), b[2].GetSingle(), b[3].GetSingle())));
        }

        return new DetectedImage(image, width, height, detections, lineNo);
    }

    private static int PositiveInt(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var v) && v > 0
            ? v
            : throw new FormatException($"\"{name}\" must be a positive whole number of pixels");

    /// <summary>classes.txt: one name per line, the line's 0-based position is the class id.</summary>
    public static List<string> ParseClassNames(string text, string path)
    {
        var names = new List<string>();
        var body = text.ReplaceLineEndings("\n").TrimEnd('\n');
        var lines = body.Length == 0 ? [] : body.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var name = lines[i].Trim();
            if (name.Length == 0)
            {
                throw new FormatException($"{path}:{i + 1}: empty class name (ids are line positions, so a blank line would shift every class after it)");
            }

            if (names.Contains(name))
            {
                throw new FormatException($"{path}:{i + 1}: class '{name}' is already on line {names.IndexOf(name) + 1}");
            }

            names.Add(name);
        }

        return names.Count > 0 ? names : throw new FormatException($"{path}: no class names");
    }

    /// <summary>
    /// A YOLO label file, "class cx cy w h" per line normalised to the image, as boxes in pixels of an image
    /// of <paramref name="size"/>; without a size (an image the detector has no line for) the boxes stay
    /// normalised, which is enough to count them.
    /// </summary>
    public static List<LabelledBox> ParseYolo(string text, string path, IReadOnlyList<string> classNames, (int Width, int Height)? size)
    {
        var (w, h) = size is { } s ? ((float)s.Width, (float)s.Height) : (1f, 1f);
        var tolerance = size is null ? EdgeToleranceNormalised : EdgeTolerancePx;
        var boxes = new List<LabelledBox>();
        var lineNo = 0;
        foreach (var line in text.ReplaceLineEndings("\n").Split('\n'))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 5)
            {
                throw new FormatException($"{path}:{lineNo}: expected 'class cx cy w h', got {f.Length} fields");
            }

            if (!int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new FormatException($"{path}:{lineNo}: class '{f[0]}' is not a class id (a whole number)");
            }

            if (id >= classNames.Count)
            {
                throw new FormatException($"{path}:{lineNo}: class id {id} is not in the class list (ids 0-{classNames.Count - 1})");
            }

            var v = new float[4];
            for (var k = 0; k < 4; k++)
            {
                if (!float.TryParse(f[k + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out v[k]) || !float.IsFinite(v[k]))
                {
                    throw new FormatException($"{path}:{lineNo}: '{f[k + 1]}' is not a number");
                }
            }

            var box = Box.FromCenter(v[0] * w, v[1] * h, v[2] * w, v[3] * h);
            boxes.Add(new LabelledBox(classNames[id], CheckBox(box, w, h, tolerance, () => $"{path}:{lineNo}")));
        }

        return boxes;
    }

    /// <summary>Rejects an empty or inverted box and one outside the image beyond the tolerance; clips one within it.</summary>
    private static Box CheckBox(Box b, float width, float height, float tolerance, Func<string> where)
    {
        if (!(b.Width > 0 && b.Height > 0))
        {
            throw new FormatException($"{where()}: degenerate box (width {b.Width:0.###}, height {b.Height:0.###})");
        }

        if (b.X1 < -tolerance || b.Y1 < -tolerance || b.X2 > width + tolerance || b.Y2 > height + tolerance)
        {
            throw new FormatException(
                $"{where()}: box [{b.X1:0.###}, {b.Y1:0.###}, {b.X2:0.###}, {b.Y2:0.###}] is outside the {width:0.###}x{height:0.###} image");
        }

        return new Box(Math.Max(0, b.X1), Math.Max(0, b.Y1), Math.Min(width, b.X2), Math.Min(height, b.Y2));
    }

    /// <summary>COCO object-detection json: images, annotations (bbox [x, y, w, h] in pixels) and categories, keyed by file name.</summary>
    public static CocoLabels ParseCoco(string json, string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not JSON ({e.Message})", e);
        }

        using (doc)
        {
            var root = doc.RootElement;
            JsonElement.ArrayEnumerator Array(string name) =>
                root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array
                    ? a.EnumerateArray()
                    : throw new FormatException($"{path}: $.{name} must be an array");

            var categories = new Dictionary<long, string>();
            var i = 0;
            foreach (var c in Array("categories"))
            {
                var at = $"$.categories[{i++}]";
                var id = Long(c, "id", path, at);
                if (!categories.TryAdd(id, String(c, "name", path, at)))
                {
                    throw new FormatException($"{path}: {at}.id {id} is used twice");
                }
            }

            var byId = new Dictionary<long, (string File, int W, int H, List<LabelledBox> Boxes)>();
            i = 0;
            foreach (var im in Array("images"))
            {
                var at = $"$.images[{i++}]";
                var id = Long(im, "id", path, at);
                var w = Long(im, "width", path, at);
                var h = Long(im, "height", path, at);
                if (w is <= 0 or > int.MaxValue || h is <= 0 or > int.MaxValue)
                {
                    throw new FormatException($"{path}: {at}: width and height must be positive");
                }

                if (!byId.TryAdd(id, (String(im, "file_name", path, at).Replace('\\', '/'), (int)w, (int)h, [])))
                {
                    throw new FormatException($"{path}: {at}.id {id} is used twice");
                }
            }

            i = 0;
            foreach (var a in Array("annotations"))
            {
                var at = $"$.annotations[{i++}]";
                var imageId = Long(a, "image_id", path, at);
                if (!byId.TryGetValue(imageId, out var image))
                {
                    throw new FormatException($"{path}: {at}.image_id {imageId} is not in $.images");
                }

                var categoryId = Long(a, "category_id", path, at);
                if (!categories.TryGetValue(categoryId, out var name))
                {
                    throw new FormatException($"{path}: {at}.category_id {categoryId} is not in $.categories");
                }

                if (!a.TryGetProperty("bbox", out var b) || b.ValueKind != JsonValueKind.Array || b.GetArrayLength() != 4
                    || b.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number))
                {
                    throw new FormatException($"{path}: {at}.bbox must be [x, y, width, height] in pixels");
                }

                var (x, y) = (b[0].GetSingle(), b[1].GetSingle());
                var box = CheckBox(new Box(x, y, x + b[2].GetSingle(), y + b[3].GetSingle()), image.W, image.H, EdgeTolerancePx, () => $"{path}: {at}.bbox");
                var crowd = a.TryGetProperty("iscrowd", out var ic) && ic.ValueKind == JsonValueKind.Number && ic.TryGetInt32(out var n) && n != 0;
                image.Boxes.Add(new LabelledBox(name, box, crowd));
            }

            var byName = new Dictionary<string, CocoImage>(StringComparer.Ordinal);
            foreach (var (_, (file, w, h, boxes)) in byId)
            {
                if (!byName.TryAdd(file, new CocoImage(file, w, h, boxes)))
                {
                    throw new FormatException($"{path}: image {file} is in $.images twice");
                }
            }

            return new CocoLabels(byName, categories.Values.ToList());
        }
    }

    private static long Long(JsonElement e, string name, string path, string at) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var v)
            ? v
            : throw new FormatException($"{path}: {at}.{name} must be a whole number");

    private static string String(JsonElement e, string name, string path, string at) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String && p.GetString() is { Length: > 0 } s
            ? s
            : throw new FormatException($"{path}: {at}.{name} must be a non-empty string");
}
