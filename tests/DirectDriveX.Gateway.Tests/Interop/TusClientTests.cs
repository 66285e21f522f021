using System.Diagnostics;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Tests.Interop;

/// <summary>
/// The tus endpoint driven by clients we did not write: tus-js-client (npm, js/tus-upload.mjs, installed from the lock file
/// when missing) and tuspy (Debian python3-tuspy, js/tuspy-upload.py; scripts/test installs it), against the cluster (the
/// gateway in front of three silos) and the embedded default alike. Every upload is downloaded back through the gateway and
/// compared by SHA-256. A missing node, npm or tuspy fails the test (never skipped).
/// </summary>
public abstract class TusClientTests(Uri baseAddress, HttpClient http)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Tus_js_client_uploads_a_file()
    {
        var report = await TusJsAsync("upload", 24 * 1024 * 1024 + 17);
        await AssertStoredAsync(report);
    }

    [Fact]
    public async Task Tus_js_client_uploads_an_empty_file()
    {
        var report = await TusJsAsync("empty", 0);
        await AssertStoredAsync(report);
    }

    [Fact]
    public async Task Tus_js_client_with_uploadLengthDeferred_streams_a_pipe_of_unknown_length()
    {
        var report = await TusJsAsync("deferred", 10 * 1024 * 1024 + 5);
        await AssertStoredAsync(report);
    }

    [Fact]
    public async Task Tus_js_client_resumes_from_the_stored_upload_URL_after_a_dropped_connection()
    {
        var report = await TusJsAsync("drop", 48 * 1024 * 1024);
        var offset = report.GetProperty("offsetAfterDrop").GetInt64();
        Assert.InRange(offset, 1, report.GetProperty("size").GetInt64() - 1);
        // Bytes the dropped connection had in flight (in the gateway's and the node's buffers) may still be committed after
        // the first HEAD saw an offset: the resume starts where the server says then, never before.
        Assert.InRange(report.GetProperty("resumedFrom").GetInt64(), offset, report.GetProperty("size").GetInt64() - 1);
        Assert.True(report.GetProperty("cut").GetBoolean());
        Assert.Equal(report.GetProperty("storedUrl").GetString(), report.GetProperty("url").GetString());
        await AssertStoredAsync(report);
    }

    [Fact]
    public async Task Tus_js_client_with_parallelUploads_4_makes_one_file_of_four_partial_uploads()
    {
        var report = await TusJsAsync("parallel", 20 * 1024 * 1024 + 3);
        Assert.Equal(4, report.GetProperty("partials").GetArrayLength());
        await AssertStoredAsync(report);
    }

    [Fact]
    public async Task Tus_js_client_gets_460_for_a_wrong_Upload_Checksum_and_nothing_is_committed()
    {
        var report = await TusJsAsync("checksum", 2 * 1024 * 1024);
        Assert.Equal((460, 0L), (report.GetProperty("status").GetInt32(), report.GetProperty("offsetAfter").GetInt64()));
    }

    [Fact]
    public async Task Tus_js_client_resumes_by_fingerprint_from_its_URL_storage()
    {
        var report = await TusJsAsync("fingerprint", 6 * 1024 * 1024 + 9);
        Assert.Equal(report.GetProperty("firstUrl").GetString(), report.GetProperty("url").GetString());
        Assert.InRange(report.GetProperty("resumedFrom").GetInt64(), 1024 * 1024, report.GetProperty("size").GetInt64() - 1);
        await AssertStoredAsync(report);
    }

    [Fact]
    public async Task Tus_js_client_sends_a_right_Upload_Checksum_from_an_onBeforeRequest_hook_on_every_PATCH()
    {
        var report = await TusJsAsync("checksum-hook", 5 * 1024 * 1024 + 3);
        Assert.Equal(6, report.GetProperty("checksummedPatches").GetInt32()); // 1 MiB chunks
        await AssertStoredAsync(report);
    }

    [Fact]
    public async Task Tus_js_client_partial_uploads_make_a_final_upload_created_before_they_finish()
    {
        var report = await TusJsAsync("unfinished", 8 * 1024 * 1024 + 5);
        Assert.Equal((4, (string?)null, report.GetProperty("size").GetInt64().ToString()),
            (report.GetProperty("partials").GetArrayLength(), report.GetProperty("offsetBefore").GetString(), report.GetProperty("lengthBefore").GetString()));
        await AssertStoredAsync(report);
    }

    [Fact]
    public async Task Tuspy_uploads_a_file_with_checksums()
    {
        var report = await TuspyAsync("upload", 5 * 1024 * 1024 + 11);
        await AssertStoredAsync(report);
    }

    [Fact]
    public async Task Tuspy_resumes_by_fingerprint_from_its_URL_storage()
    {
        var report = await TuspyAsync("fingerprint", 3 * 1024 * 1024 + 1);
        Assert.Equal((report.GetProperty("firstUrl").GetString(), 1024L * 1024), (report.GetProperty("url").GetString(), report.GetProperty("resumedFrom").GetInt64()));
        await AssertStoredAsync(report);
    }

    [Fact]
    public async Task Tuspy_resumes_from_the_upload_URL_alone()
    {
        var report = await TuspyAsync("resume", 5 * 1024 * 1024 + 11);
        Assert.Equal(2 * 1024 * 1024, report.GetProperty("resumedFrom").GetInt64());
        await AssertStoredAsync(report);
    }

    protected async Task AssertStoredAsync(JsonElement report)
    {
        var url = report.GetProperty("url").GetString()!;
        var id = url[(url.LastIndexOf('/') + 1)..].Split('.')[0];
        using var download = await http.GetAsync($"/api/v1/files/{id}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(report.GetProperty("size").GetInt64(), download.Content.Headers.ContentLength);
        await using var body = await download.Content.ReadAsStreamAsync();
        var bytes = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(body));
        Assert.Equal((report.GetProperty("sha256").GetString(), report.GetProperty("sha256").GetString()), (bytes, download.Headers.GetValues("X-Content-SHA256").Single()));
    }

    protected async Task<JsonElement> TusJsAsync(string mode, long size, Func<string, Task>? onEvent = null)
    {
        var scripts = JsPackages.Directory;
        await JsPackages.EnsureInstalledAsync();
        return Report(await RunAsync("node", ["tus-upload.mjs", mode, baseAddress.ToString(), size.ToString()], scripts, onEvent));
    }

    private async Task<JsonElement> TuspyAsync(string mode, long size) =>
        Report(await RunAsync("/usr/bin/python3", ["tuspy-upload.py", mode, baseAddress.ToString(), size.ToString()], JsPackages.Directory, null));

    private static JsonElement Report((int ExitCode, string Output, string Error) run)
    {
        Assert.True(run.ExitCode == 0, $"client failed ({run.ExitCode}):\n{run.Error}\n{run.Output}");
        return JsonDocument.Parse(run.Output.Trim().Split('\n')[^1]).RootElement.Clone();
    }

    /// <summary>Runs a client; each stdout line that is an event (<c>{"event":…}</c>) is handed to <paramref name="onEvent"/> as it comes.</summary>
    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, string[] arguments, string directory, Func<string, Task>? onEvent)
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
        var error = process.StandardError.ReadToEndAsync();
        var output = new System.Text.StringBuilder();
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                output.AppendLine(line);
                if (onEvent is not null && line.StartsWith("{\"event\"", StringComparison.Ordinal)) await onEvent(line);
            }
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {Deadline}.");
        }
        return (process.ExitCode, output.ToString(), await error);
    }
}

[Collection(GatewayCollection.Name)]
public sealed class TusClientClusterTests(DefaultGatewayFixture fixture) : TusClientTests(fixture.BaseAddress, fixture.Http)
{
    [Fact]
    public async Task Tus_js_client_retries_a_503_when_no_node_has_headroom_and_succeeds_when_room_appears()
    {
        var blockers = new List<(SiloAddress Silo, string Id)>();
        foreach (var node in await fixture.SnapshotsAsync())
        {
            var id = UploadIds.NewId();
            var silo = MemoryBudgetKey.ToSilo(node.NodeId);
            Assert.True((await fixture.Grains.BudgetOf(silo).TryReserve(id, node.HeadroomBytes - 1024)).Granted);
            blockers.Add((silo, id));
        }
        var released = false;
        async Task ReleaseAsync()
        {
            if (released) return;
            released = true;
            foreach (var (silo, id) in blockers) await fixture.Grains.BudgetOf(silo).Release(id);
        }
        try
        {
            // Room appears when the client reports its first retried refusal.
            var report = await TusJsAsync("retry", 8 * 1024 * 1024, async line =>
            {
                using var retry = JsonDocument.Parse(line);
                Assert.Equal((503, "5"), (retry.RootElement.GetProperty("status").GetInt32(), retry.RootElement.GetProperty("retryAfter").GetString()));
                await ReleaseAsync();
            });
            Assert.True(report.GetProperty("refusals").GetInt32() >= 1);
            await AssertStoredAsync(report);
        }
        finally
        {
            await ReleaseAsync();
        }
    }
}

public sealed class TusClientEmbeddedTests(EmbeddedGatewayFixture fixture) : TusClientTests(fixture.BaseAddress, fixture.Http), IClassFixture<EmbeddedGatewayFixture>;
