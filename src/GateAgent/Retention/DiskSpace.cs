namespace GateWatch.Agent.Retention;

internal static class DiskSpace
{
    /// <summary>
    /// Bytes this process may still write on the file system holding the path. The nearest existing folder
    /// stands in for a path not created yet, so a recordings folder that does not exist still gets an answer.
    /// </summary>
    public static long FreeBytes(string path)
    {
        var dir = new DirectoryInfo(Path.GetFullPath(path));
        while (!dir.Exists && dir.Parent is { } parent)
        {
            dir = parent;
        }

        return new DriveInfo(dir.FullName).AvailableFreeSpace;
    }
}
