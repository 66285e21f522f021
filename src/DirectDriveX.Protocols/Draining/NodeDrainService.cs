using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using DirectDriveX.Node.Draining;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using DirectDriveX.HostDefaults;

namespace DirectDriveX.Protocols;

/// <summary>
/// A node's way out on SIGTERM, before anything else stops: it starts draining (<see cref="NodeDrain"/>: out of routing, no new
/// lease, <c>/readyz</c> 503), tells each upload connection to reconnect and waits for them to commit and end (at most
/// <see cref="ShutdownOptions.ConnectionDrainTimeout"/>), deactivating their sessions as they do so that they reactivate on a
/// survivor; only then does the host go on to stop Orleans (leaving the cluster) and Kestrel, all within
/// <see cref="ShutdownOptions.DrainTimeout"/> (<see cref="ShutdownHosting.AddBoundedShutdown"/>).
/// </summary>
public sealed partial class NodeDrainService(UploadConnections connections, IOptions<ShutdownOptions> options, ILogger<NodeDrainService> logger)
    : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        var count = connections.Count;
        var aborted = await connections.DrainAsync(options.Value.ConnectionDrainTimeout, cancellationToken);
        LogDrained(count, aborted, TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Drained {Count} upload connections in {Milliseconds:F0} ms ({Aborted} aborted); leaving the cluster")]
    private partial void LogDrained(int count, int aborted, double milliseconds);
}

public static class NodeDrainRegistration
{
    /// <summary>The node's drain (<see cref="NodeDrainService"/>) for a process that serves the upload protocols
    /// (<see cref="UploadProtocolEndpoints.AddUploadProtocols"/>, which registers the connections it drains).</summary>
    public static IServiceCollection AddNodeDrain(this IServiceCollection services)
    {
        services.AddHostedService<NodeDrainService>();
        return services;
    }
}
