using System.Diagnostics;

namespace DirectDriveX.Gateway.Tests.Interop;

/// <summary>
/// tests/DirectDriveX.Gateway.Tests/js and its npm packages (tus-js-client, ws), installed from the lock file with
/// <c>npm ci</c> when missing, once per test run: the test classes that run node wait for the one install. Two
/// <c>npm ci</c> in one directory at once delete each other's node_modules, and a client started meanwhile does not find
/// its package (seen on a clean clone, where the tus and ws client tests of different collections start together).
/// </summary>
internal static class JsPackages
{
    private static readonly SemaphoreSlim Installing = new(1, 1);
    private static readonly TimeSpan InstallDeadline = TimeSpan.FromMinutes(5);

    /// <summary>The scripts' directory in the source tree (they are not copied to the output).</summary>
    public static string Directory { get; } = Find();

    public static async Task EnsureInstalledAsync()
    {
        await Installing.WaitAsync();
        try
        {
            // npm writes node_modules/.package-lock.json last: its presence is a finished install.
            if (File.Exists(Path.Combine(Directory, "node_modules", ".package-lock.json"))) return;
            var start = new ProcessStartInfo("npm") { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "ci", "--no-audit", "--no-fund" }) start.ArgumentList.Add(argument);
            using var process = Process.Start(start) ?? throw new InvalidOperationException("npm did not start.");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(InstallDeadline);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"npm ci in {Directory} did not finish within {InstallDeadline}.");
            }
            await output;
            Assert.True(process.ExitCode == 0, $"npm ci failed ({process.ExitCode}): {await error}");
        }
        finally
        {
            Installing.Release();
        }
    }

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "DirectDriveX.Gateway.Tests", "js");
            if (File.Exists(Path.Combine(candidate, "package-lock.json"))) return candidate;
        }
        throw new DirectoryNotFoundException($"tests/DirectDriveX.Gateway.Tests/js not found above {AppContext.BaseDirectory}.");
    }
}
