namespace GateWatch.Agent.Cli;

/// <summary>The pictures a command reads from --input: one image, or every image under a folder, in a stable order.</summary>
internal static class ImageInputs
{
    public static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff" };

    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path));

    /// <summary>A picture as BGR, or the error naming a file OpenCV cannot decode.</summary>
    public static OpenCvSharp.Mat Read(string path)
    {
        var image = OpenCvSharp.Cv2.ImRead(path, OpenCvSharp.ImreadModes.Color);
        if (image.Empty())
        {
            image.Dispose();
            throw new FormatException($"{path}: not an image OpenCV can read");
        }

        return image;
    }

    /// <summary>Each picture's path and its name relative to the input (the name the output lines carry).</summary>
    public static List<(string Path, string Name)> FromFolder(string folder)
    {
        var images = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(IsImage)
            .Order(StringComparer.Ordinal)
            .Select(f => (f, Path.GetRelativePath(folder, f).Replace('\\', '/')))
            .ToList();
        return images.Count > 0
            ? images
            : throw new UsageException($"{folder}: no images in this folder (looked for {string.Join(" ", Extensions.Order())})");
    }
}
