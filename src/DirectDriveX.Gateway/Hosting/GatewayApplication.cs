using DirectDriveX.Storage;
using DirectDriveX.Http.Clients;
using DirectDriveX.Gateway.Cluster;
using DirectDriveX.Gateway.Downloads;
using DirectDriveX.Gateway.Forwarding;
using DirectDriveX.Http;
using DirectDriveX.Gateway.Protocol;
using DirectDriveX.Gateway.Uploads;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using DirectDriveX.HostDefaults;
using Orleans.Dashboard;
using Microsoft.Extensions.Options;
using DirectDriveX.Http.Tus;

namespace DirectDriveX.Gateway.Hosting;

/// <summary>The gateway's composition: services, Orleans for the configured mode, and every endpoint.</summary>
public static class GatewayApplication
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>A gateway process: an Orleans client of silo processes (<c>Gateway:Mode</c> Localhost, Redis whenever
    /// <c>ConnectionStrings:Redis</c> is set, or External for tests); their data planes take the bytes, this process
    /// forwards.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = HostWebApplication.CreateBuilder(args);
        if (GatewayOrleans.ResolveMode(builder.Configuration) == ClusterMode.Embedded)
            throw new InvalidOperationException(
                "Gateway:Mode=Embedded is the whole system in one process: run the embedded host (dotnet run --project src/DirectDriveX.Embedded). " +
                "A gateway process is a client of silo processes: Gateway:Mode=Localhost, or ConnectionStrings:Redis.");
        return AddGateway(builder);
    }

    /// <summary>The gateway's part of a process that also hosts the node (the embedded host, which adds the silo, its drain
    /// and its upload protocols): nothing is forwarded.</summary>
    public static WebApplicationBuilder CreateEmbeddedBuilder(string[] args)
    {
        var builder = HostWebApplication.CreateBuilder(args);
        builder.Configuration.AddInMemoryCollection([new($"{GatewayOptions.Section}:{nameof(GatewayOptions.Mode)}", nameof(ClusterMode.Embedded))]);
        return AddGateway(builder);
    }

    private static WebApplicationBuilder AddGateway(WebApplicationBuilder builder)
    {
        builder.AddHostDefaults("directdrivex-gateway", DefaultUrl);
        builder.Services.AddReadinessCheck<GatewayReadiness>();

        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ClusterView>();
        builder.Services.AddSingleton<UploadStarter>();
        builder.Services.AddSingleton<UploadAccess>();
        builder.Services.AddSingleton<ITusSessionStarter, TusSessionRouting>(); // tus creation: routed, not local
        builder.Services.AddUploadHttp();
        var mode = GatewayOrleans.ResolveMode(builder.Configuration);
        builder.AddGatewayOrleans(mode);
        // SIGTERM: /readyz 503, new requests refused, forwarded upload connections told to reconnect elsewhere, exit within
        // Shutdown:DrainTimeout (GatewayDrain).
        builder.Services.AddBoundedShutdown(builder.Configuration);
        builder.Services.AddSingleton<GatewayDrain>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GatewayDrain>());
        if (mode != ClusterMode.Embedded)
        {
            // The silos are other processes: their data planes take the bytes; this process forwards connections and
            // reads stored files from the store for downloads.
            builder.Services.AddUploadForwarding();
            builder.Services.AddUploadStore(builder.Configuration);
        }
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseManagementSurface(app.Configuration); // operator paths only on Management:Urls, and/or with Management:Token
        app.UseTrustedProxies(); // the client's address from X-Forwarded-For, only when a trusted proxy sent it
        app.UseUploadFailureRefusals(); // every grain-call failure a typed refusal, never an empty 500 or a stack trace
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseGatewayDrain(); // leaving: every request but the probes refused (typed, retryable)
        app.UseGatewayPage();

        var mode = GatewayOrleans.ResolveMode(app.Configuration);
        app.MapUploadHttpEndpoints();
        app.MapLegacyInitiate();
        if (mode != ClusterMode.Embedded) app.MapUploadForwarding(); // embedded, the node's own protocols take the bytes
        app.MapFileEndpoints();
        app.MapClusterEndpoints();
        app.MapHostDefaults(); // /healthz, /readyz (GatewayReadiness), /metrics
        if (mode != ClusterMode.External && DashboardSetting.IsEnabled(app.Configuration)) app.MapOrleansDashboard("/dashboard");

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
                app.Logger.LogInformation("DirectDriveX gateway ({Mode}) listening: upload page {Page}  dashboard {Dashboard}",
                    mode, address + "/", address + "/dashboard");
        });
        return app;
    }
}
