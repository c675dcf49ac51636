namespace GateWatch.Agent.Eval;

/// <summary>How a dataset's label classes become product classes, and which boxes are don't-care.</summary>
internal sealed record LabelRules(IReadOnlyDictionary<string, string> Map, double? MinHeight)
{
    /// <summary>The product class of a label class: its mapping, or itself when it already is one; null when it has none.</summary>
    public string? ProductClass(string labelClass) =>
        Map.TryGetValue(labelClass, out var mapped) ? mapped
        : DetectionFiles.ProductClasses.Contains(labelClass) ? labelClass
        : null;

    /// <summary>"a=b,c=d": label class a is scored as product class b.</summary>
    public static Dictionary<string, string> ParseMap(string? text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return map;
        }

        foreach (var pair in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw new FormatException($"'{pair}' is not label=product");
            }

            if (!DetectionFiles.ProductClasses.Contains(parts[1]))
            {
                throw new FormatException($"'{parts[1]}' is not a product class ({string.Join(", ", DetectionFiles.ProductClasses)})");
            }

            if (!map.TryAdd(parts[0], parts[1]))
            {
                throw new FormatException($"'{parts[0]}' is mapped twice");
            }
        }

        return map;
    }
}

/// <summary>Labels and detections paired per image, and what was left out or assumed on the way.</summary>
internal sealed record DetectionDataset(
    IReadOnlyList<ScoredImage> Images,
    IReadOnlyDictionary<string, int> IgnoredClasses,
    int DontCare,
    IReadOnlyList<string> Warnings);

/// <summary>Reads a detections file against YOLO or COCO labels. Errors name the file and line or JSON path.</summary>
internal static class DetectionDatasetLoader
{
    public static DetectionDataset LoadYolo(string detectionsPath, string labelsDir, IReadOnlyList<string> classNames, LabelRules rules)
    {
        var detections = DetectionFiles.ParseDetections(File.ReadLines(detectionsPath), detectionsPath);
        var builder = new Builder(rules);
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in detections)
        {
            var key = Stem(d.Image);
            var labelFile = Path.Combine(labelsDir, key + ".txt");
            if (!File.Exists(labelFile))
            {
                throw new FormatException($"{detectionsPath}:{d.Line}: image {d.Image} has no label file {labelFile}");
            }

            covered.Add(key);
            builder.Add(d.Image, DetectionFiles.ParseYolo(File.ReadAllText(labelFile), labelFile, classNames, (d.Width, d.Height)), d.Detections, sizeKnown: true);
        }

        var unmatched = 0;
        foreach (var file in Directory.EnumerateFiles(labelsDir, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var key = Stem(Path.GetRelativePath(labelsDir, file));
            if (key != "classes" && !covered.Contains(key))
            {
                unmatched++;
                builder.Add(key, DetectionFiles.ParseYolo(File.ReadAllText(file), file, classNames, size: null), [], sizeKnown: false);
            }
        }

        if (unmatched > 0)
        {
            builder.Warnings.Add($"label files with no line in {detectionsPath}: {unmatched}; all their boxes count as misses " +
                "(without the image size, --min-height cannot apply to them)");
        }

        return builder.Build();
    }

    public static DetectionDataset LoadCoco(string detectionsPath, string cocoPath, CocoLabels labels, LabelRules rules)
    {
        var detections = DetectionFiles.ParseDetections(File.ReadLines(detectionsPath), detectionsPath);
        var coco = labels.Images;

        // COCO files often name images without the folder the detector was run on.
        var byFileName = coco.Values.GroupBy(i => Path.GetFileName(i.FileName), StringComparer.Ordinal)
            .Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.Single(), StringComparer.Ordinal);
        var builder = new Builder(rules);
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in detections)
        {
            if (!coco.TryGetValue(d.Image, out var image) && !byFileName.TryGetValue(Path.GetFileName(d.Image), out image))
            {
                throw new FormatException($"{detectionsPath}:{d.Line}: image {d.Image} is not in {cocoPath} $.images");
            }

            if (image.Width != d.Width || image.Height != d.Height)
            {
                throw new FormatException(
                    $"{detectionsPath}:{d.Line}: image {d.Image} is {d.Width}x{d.Height} here but {image.Width}x{image.Height} in {cocoPath}");
            }

            if (!covered.Add(image.FileName))
            {
                throw new FormatException($"{detectionsPath}:{d.Line}: image {d.Image} is {image.FileName} of {cocoPath}, which an earlier line already scored");
            }

            builder.Add(d.Image, image.Boxes, d.Detections, sizeKnown: true);
        }

        var unmatched = coco.Values.Where(i => !covered.Contains(i.FileName)).OrderBy(i => i.FileName, StringComparer.Ordinal).ToList();
        foreach (var image in unmatched)
        {
            builder.Add(image.FileName, image.Boxes, [], sizeKnown: true);
        }

        if (unmatched.Count > 0)
        {
            builder.Warnings.Add($"images of {cocoPath} with no line in {detectionsPath}: {unmatched.Count}; all their boxes count as misses");
        }

        return builder.Build();
    }

    /// <summary>The image's path relative to the input folder without its extension: where YOLO keeps its labels.</summary>
    private static string Stem(string relative)
    {
        var dir = Path.GetDirectoryName(relative);
        var stem = Path.GetFileNameWithoutExtension(relative);
        return string.IsNullOrEmpty(dir) ? stem : Path.Combine(dir, stem);
    }

    private sealed class Builder(LabelRules rules)
    {
        private readonly List<ScoredImage> _images = [];
        private readonly Dictionary<string, int> _ignored = new(StringComparer.Ordinal);
        private int _dontCare;

        public List<string> Warnings { get; } = [];

        public void Add(string image, IReadOnlyList<LabelledBox> boxes, IReadOnlyList<ScoredBox> detections, bool sizeKnown)
        {
            var labels = new List<TruthBox>();
            foreach (var b in boxes)
            {
                if (rules.ProductClass(b.Class) is not { } cls)
                {
                    _ignored[b.Class] = _ignored.GetValueOrDefault(b.Class) + 1;
                    continue;
                }

                var dontCare = b.Crowd || (sizeKnown && rules.MinHeight is { } min && b.Box.Height < min);
                _dontCare += dontCare ? 1 : 0;
                labels.Add(new TruthBox(cls, b.Box, dontCare));
            }

            _images.Add(new ScoredImage(image, labels, detections));
        }

        public DetectionDataset Build() => new(_images, _ignored, _dontCare, Warnings);
    }
}
