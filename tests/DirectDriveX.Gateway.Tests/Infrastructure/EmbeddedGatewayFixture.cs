using System.Net;
using DirectDriveX.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using DirectDriveX.Embedded;

namespace DirectDriveX.Gateway.Tests.Infrastructure;

/// <summary>The embedded default, as <c>dotnet run --project src/DirectDriveX.Embedded</c> starts it: one process, one silo
/// hosted with the gateway, grain state and files in a temporary file store; on 127.0.0.1 with ports of its own. One client
/// (this test process) holds many uploads at once.</summary>
public sealed class EmbeddedGatewayFixture : IAsyncLifetime
{
    private readonly string _store = Directory.CreateTempSubdirectory("ddx-embedded-").FullName;
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = EmbeddedApplication.CreateBuilder(
        [
            "--urls=http://127.0.0.1:0", $"--Orleans:SiloPort={FreePort.Next()}", $"--Orleans:GatewayPort={FreePort.Next()}",
            "--Orleans:SiloName=embedded", $"--FileStore:RootDirectory={_store}", "--Dashboard:Enabled=false", "--Logging:LogLevel:Default=Warning",
            "--Clients:MaxConcurrentUploads=10000",
        ]);
        _app = EmbeddedApplication.Build(builder);
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        await Eventually.Holds(async () => (await Http.GetAsync("/readyz")).StatusCode, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the gateway is ready");
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        Directory.Delete(_store, recursive: true);
    }
}
