using DirectDriveX.Http.Clients;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces.Telemetry;
using DirectDriveX.Protocols;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using DirectDriveX.Http;

namespace DirectDriveX.Testing;

/// <summary>
/// What a silo host's HTTP port is in production (src/DirectDriveX.Silo), for a TestingHost silo: Kestrel on 127.0.0.1 (an
/// ephemeral port) serving the upload protocols over this silo's own data plane, its address published in the silo's
/// budget snapshot so the gateway forwards upload connections to it. Started and stopped with the silo.
/// </summary>
public sealed class SiloHttpServer(IServiceProvider silo, IReadOnlyDictionary<string, string?> settings) : IHostedService,
    DirectDriveX.Node.Draining.IUploadConnectionDirectory
{
    private WebApplication? _app;

    /// <summary>The upload connections this server's protocols hold (its drain, as a silo host's SIGTERM runs it).</summary>
    public UploadConnections Connections => _app?.Services.GetRequiredService<UploadConnections>() ?? throw new InvalidOperationException("Not started.");

    public int ReconnectForwardedBy(string gatewayId) => _app is null ? 0 : Connections.ReconnectForwardedBy(gatewayId);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
        builder.Configuration.AddInMemoryCollection(settings);
        // DDX_TEST_SILO_LOGS=1 keeps the console log of the node's protocols (to see why a test's request failed).
        if (Environment.GetEnvironmentVariable("DDX_TEST_SILO_LOGS") is not "1") builder.Logging.ClearProviders();
        builder.Services.AddSingleton(silo.GetRequiredService<UploadDataPlane>());
        builder.Services.AddSingleton(silo.GetRequiredService<DirectDriveX.Node.Concatenation.UploadConcatenation>()); // the silo's: it hears of partial uploads stored there
        builder.Services.AddSingleton(silo.GetRequiredService<IGrainFactory>());
        builder.Services.AddSingleton(silo.GetRequiredService<UploadMetrics>());
        builder.Services.AddSingleton(silo.GetRequiredService<DirectDriveX.Node.Draining.NodeDrain>()); // the silo's: its budget and placement see the drain
        builder.Services.AddUploadProtocols();
        _app = builder.Build();
        _app.UseTrustedProxies();
        _app.UseUploadFailureRefusals();
        _app.UseWebSockets();
        _app.MapUploadProtocols();
        await _app.StartAsync(cancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        silo.GetRequiredService<NodeHttpAddress>().Set(address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
