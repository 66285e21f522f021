using System.Diagnostics;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;

namespace DirectDriveX.Gateway.Tests.Interop;

/// <summary>
/// The WebSocket protocol driven by code we did not write: the npm <c>ws</c> package, from js/ws-upload.mjs. Node and the
/// locked <c>ws</c> are required; when node_modules is missing the test installs it with <c>npm ci</c> from the lock file.
/// A missing node or npm fails the test (it is never skipped).
/// </summary>
[Collection(GatewayCollection.Name)]
public class NpmWebSocketClientTests(DefaultGatewayFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_npm_ws_client_uploads_gets_acks_completion_and_a_normal_close_and_a_wrong_token_gets_1008()
    {
        var scripts = JsPackages.Directory;
        await JsPackages.EnsureInstalledAsync();

        const int size = 5 * 1024 * 1024 + 123;
        var run = await RunAsync("node", ["ws-upload.mjs", fixture.BaseAddress.ToString(), size.ToString()], scripts);

        Assert.True(run.ExitCode == 0, $"node ws-upload.mjs failed ({run.ExitCode}):\n{run.Error}\n{run.Output}");
        var report = JsonDocument.Parse(run.Output.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(size, report.GetProperty("size").GetInt64());
        Assert.Equal(1000, report.GetProperty("closeCode").GetInt32());
        Assert.True(report.GetProperty("acks").GetInt32() >= 1);
        Assert.True(report.GetProperty("maxUnacked").GetInt64() <= report.GetProperty("reservedBytes").GetInt64());
        Assert.Equal(1008, report.GetProperty("refusal").GetProperty("code").GetInt32());
        Assert.Equal("Unauthorized", report.GetProperty("refusal").GetProperty("reason").GetString());
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, string[] arguments, string directory)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {Deadline}.");
        }
        return (process.ExitCode, await output, await error);
    }
}
