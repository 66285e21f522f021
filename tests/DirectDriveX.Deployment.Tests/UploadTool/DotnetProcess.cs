using System.Diagnostics;

namespace DirectDriveX.Deployment.Tests.UploadTool;

/// <summary>What a finished child process said.</summary>
public sealed record ProcessOutcome(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"{Command} exited with {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>
/// Runs the .NET SDK (and what it installs) as a child process with a deadline, the way a user's shell would: the SDK
/// this test runs on, no MSBuild node or compiler server left behind (they would keep our output pipes open), and none
/// of the MSBuild variables that <c>dotnet test</c> sets for its own build.
/// </summary>
public static class DotnetProcess
{
    /// <summary>The dotnet host: DOTNET_HOST_PATH (set by the SDK for its children), else the one running this test.</summary>
    public static string Host { get; } = FindHost();

    /// <summary>The directory the host lives in, which an installed tool's launcher needs as DOTNET_ROOT.</summary>
    public static string Root { get; } = Path.GetDirectoryName(new FileInfo(Host).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Host)!;

    public static Task<ProcessOutcome> DotnetAsync(IEnumerable<string> arguments, string workingDirectory, TimeSpan deadline) =>
        RunAsync(Host, arguments, workingDirectory, deadline);

    public static async Task<ProcessOutcome> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan deadline)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var name in new[] { "MSBuildSDKsPath", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
            start.Environment.Remove(name);
        start.Environment["DOTNET_ROOT"] = Root;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["UseSharedCompilation"] = "false";

        var command = $"{fileName} {string.Join(' ', start.ArgumentList)}";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"Not finished within {deadline}: {command}\n--- stdout ---\n{await output}\n--- stderr ---\n{await error}");
        }
        // The process has ended; its output ends with it unless a grandchild kept the pipes, which must not stall the test.
        var streams = Task.WhenAll(output, error);
        await Task.WhenAny(streams, Task.Delay(TimeSpan.FromSeconds(30)));
        return new ProcessOutcome(command, process.ExitCode,
            output.IsCompletedSuccessfully ? output.Result : "(still open)", error.IsCompletedSuccessfully ? error.Result : "(still open)");
    }

    private static string FindHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }
}
