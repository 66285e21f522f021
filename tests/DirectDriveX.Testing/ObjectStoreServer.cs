using System.Diagnostics;
using Xunit;

namespace DirectDriveX.Testing;

/// <summary>
/// A real local object store on 127.0.0.1, started with the repository's <c>scripts/object-store/run</c> (s3rver for S3,
/// Azurite for Azure Blob Storage) on a free port with a temporary directory, and stopped at the end. <see cref="Settings"/>
/// are the <c>FileStore:*</c> settings it printed (configuration keys, <c>:</c>-separated). Node and npm must be there.
/// </summary>
public abstract class ObjectStoreServer(string kind) : IAsyncLifetime
{
    private Process? _process;
    private string? _directory;

    public IReadOnlyDictionary<string, string?> Settings { get; private set; } = new Dictionary<string, string?>();

    /// <summary><see cref="Settings"/> for a node whose local directory is <paramref name="root"/>, its objects under a prefix of
    /// its own (tests that share the server do not see each other's uploads).</summary>
    public Dictionary<string, string?> NodeSettings(string root) => new(Settings)
    {
        ["FileStore:RootDirectory"] = root,
        ["FileStore:S3:Prefix"] = $"t{Guid.NewGuid():N}/",
        ["FileStore:AzureBlob:Prefix"] = $"t{Guid.NewGuid():N}/",
    };

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory($"ddx-{kind}-").FullName;
        var settingsFile = Path.Combine(_directory, "settings.env");
        var run = Path.Combine(RepositoryDirectory(), "scripts", "object-store", "run");
        _process = Process.Start(new ProcessStartInfo("bash",
            [run, kind, "--dir", Path.Combine(_directory, "data"), "--port", "0", "--settings-file", settingsFile, "--max-seconds", "1800", "--quiet"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"scripts/object-store/run {kind} did not start.");
        var output = new System.Text.StringBuilder();
        _process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // npm ci on a fresh clone takes a while; the store itself answers in about a second.
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (!File.Exists(settingsFile))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                string log;
                lock (output) log = output.ToString();
                throw new InvalidOperationException($"The {kind} object store did not start:\n{log}");
            }
            await Task.Delay(100);
        }
        Settings = (await File.ReadAllLinesAsync(settingsFile))
            .Where(line => line.Contains('='))
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0].Replace("__", ":"), pair => (string?)pair[1]);
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process?.Dispose();
        if (_directory is not null) Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private static string RepositoryDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "DirectDriveX.Cluster.sln"))) return directory.FullName;
        throw new InvalidOperationException("The repository root (DirectDriveX.Cluster.sln) is not above the test's directory.");
    }
}

/// <summary>s3rver, an S3 API (path-style; account S3RVER).</summary>
public sealed class S3rverServer() : ObjectStoreServer("s3");

/// <summary>Azurite's blob service (the development account).</summary>
public sealed class AzuriteServer() : ObjectStoreServer("azure");
