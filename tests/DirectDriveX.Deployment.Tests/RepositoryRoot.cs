namespace DirectDriveX.Deployment.Tests;

/// <summary>The repository's root directory: the nearest ancestor of the test binaries holding the solution file.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(directory.FullName, "DirectDriveX.Cluster.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"No DirectDriveX.Cluster.sln above {AppContext.BaseDirectory}.");
    }
}
