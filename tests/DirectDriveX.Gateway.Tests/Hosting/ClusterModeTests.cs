using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Silo;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using DirectDriveX.Embedded;

namespace DirectDriveX.Gateway.Tests.Hosting;

/// <summary>
/// The system as it is run without Redis: the embedded host (the default: the gateway and one silo, the whole system in
/// one process), and a gateway in Localhost mode (an Orleans client of a silo process on this machine, here the
/// DirectDriveX.Silo host in this process, to which the gateway forwards the upload). Each starts, turns ready, and
/// round-trips a file.
/// </summary>
public sealed class ClusterModeTests : IDisposable
{
    private readonly string _store = Directory.CreateTempSubdirectory("ddx-gw-mode-").FullName;
    private readonly string _clusterId = "mode-test-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Embedded_host_is_the_whole_system_in_one_process()
    {
        var (siloPort, gatewayPort) = (FreePort.Next(), FreePort.Next());
        await using var gateway = await StartAsync(EmbeddedApplication.CreateBuilder, EmbeddedApplication.Build,
            $"--Orleans:SiloPort={siloPort}", $"--Orleans:GatewayPort={gatewayPort}",
            $"--Orleans:SiloName=embedded-{siloPort}", $"--FileStore:RootDirectory={_store}");

        var nodes = await RoundTripAsync(gateway.Http);
        Assert.Equal($"embedded-{siloPort}", Assert.Single(nodes).GetProperty("node").GetString());
    }

    /// <summary>A host started from its own folder keeps the store's default root below its content root: a watched configuration file
    /// would put a recursive watcher over every upload's files (issue 19, thirteenth round).</summary>
    [Fact]
    public void No_host_watches_its_configuration_files()
    {
        var hosts = new Dictionary<string, WebApplicationBuilder>
        {
            ["embedded"] = EmbeddedApplication.CreateBuilder([]),
            ["gateway"] = GatewayApplication.CreateBuilder(["--Gateway:Mode=Localhost"]),
            ["silo"] = SiloApplication.CreateBuilder([]),
        };
        foreach (var (host, builder) in hosts)
        {
            var files = ((IConfigurationBuilder)builder.Configuration).Sources.OfType<JsonConfigurationSource>().ToList();
            Assert.True(files.Count > 0, $"{host}: no configuration file is read");
            Assert.All(files, file => Assert.False(file.ReloadOnChange, $"{host}: {file.Path} is watched for changes"));
        }
    }

    [Fact]
    public async Task Localhost_mode_is_a_client_of_the_silos_on_this_machine()
    {
        var (siloPort, gatewayPort) = (FreePort.Next(), FreePort.Next());
        await using var siloHost = SiloApplication.Build(SiloApplication.CreateBuilder(
        [
            "--urls=http://127.0.0.1:0", $"--Orleans:ClusterId={_clusterId}", $"--Orleans:ServiceId={_clusterId}",
            $"--Orleans:SiloPort={siloPort}", $"--Orleans:GatewayPort={gatewayPort}", "--Orleans:SiloName=local-silo",
            $"--FileStore:RootDirectory={_store}", "--Logging:LogLevel:Default=Warning",
        ]));
        await siloHost.StartAsync();
        try
        {
            await using var gateway = await StartGatewayAsync("--Gateway:Mode=Localhost", $"--Gateway:LocalhostGatewayPorts:0={gatewayPort}",
                $"--FileStore:RootDirectory={_store}");
            var nodes = await RoundTripAsync(gateway.Http);
            Assert.Equal("local-silo", Assert.Single(nodes).GetProperty("node").GetString());
        }
        finally
        {
            await siloHost.StopAsync();
        }
    }

    /// <summary>Waits for /readyz, uploads a file with multipart, reads it back, and returns /api/v1/cluster/nodes.</summary>
    private static async Task<List<JsonElement>> RoundTripAsync(HttpClient http)
    {
        await Eventually.Holds(async () => (await http.GetAsync("/readyz")).StatusCode, s => s == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), "the gateway is ready");

        var data = TestBytes.Random(3 * 1024 * 1024 + 1, seed: 40);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(data), "file", "mode.bin" } };
        using var upload = await http.PostAsync("/api/v1/upload", form);
        var body = await upload.Content.ReadAsStringAsync();
        Assert.True(upload.StatusCode == HttpStatusCode.Created, body);
        var file = JsonDocument.Parse(body).RootElement;
        Assert.Equal(TestBytes.Sha256Hex(data), file.GetProperty("sha256").GetString());
        Assert.Equal(data, await http.GetByteArrayAsync(file.GetProperty("downloadUrl").GetString()));

        return await http.GetFromJsonAsync<List<JsonElement>>("/api/v1/cluster/nodes") ?? [];
    }

    [Fact]
    public void A_gateway_process_refuses_the_embedded_mode_and_names_the_host_that_has_it()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => GatewayApplication.CreateBuilder(["--Gateway:Mode=Embedded"]));
        Assert.Contains("dotnet run --project src/DirectDriveX.Embedded", refused.Message);
    }

    private Task<RunningGateway> StartGatewayAsync(params string[] settings) =>
        StartAsync(GatewayApplication.CreateBuilder, GatewayApplication.Build, settings);

    private async Task<RunningGateway> StartAsync(Func<string[], WebApplicationBuilder> create, Func<WebApplicationBuilder, WebApplication> build,
        params string[] settings)
    {
        var builder = create(
            ["--urls=http://127.0.0.1:0", $"--Orleans:ClusterId={_clusterId}", $"--Orleans:ServiceId={_clusterId}", "--Logging:LogLevel:Default=Warning", .. settings]);
        var app = build(builder);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new RunningGateway(app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(1) });
    }

    public void Dispose() => Directory.Delete(_store, recursive: true);

    private sealed record RunningGateway(WebApplication App, HttpClient Http) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
