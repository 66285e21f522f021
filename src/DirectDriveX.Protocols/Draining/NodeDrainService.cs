using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using DirectDriveX.Node.Draining;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

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

/// <summary>Bounds a process's stop by <see cref="ShutdownOptions.DrainTimeout"/>.</summary>
public static partial class ShutdownHosting
{
    /// <summary>Binds <c>Shutdown</c>, sets the host's shutdown timeout (which bounds every hosted service's stop, Kestrel's
    /// wait for open connections included) within it, and arms a watchdog at SIGTERM (or SIGINT) that ends the process
    /// should anything still hold it at the drain timeout.</summary>
    public static IServiceCollection AddBoundedShutdown(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(ShutdownOptions.Section).Get<ShutdownOptions>() ?? new ShutdownOptions();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = options.HostShutdownTimeout);
        services.AddHostedService<ShutdownWatchdog>();
        return services;
    }

    /// <summary>The node's drain (<see cref="NodeDrainService"/>) for a process that serves the upload protocols
    /// (<see cref="UploadProtocolEndpoints.AddUploadProtocols"/>, which registers the connections it drains).</summary>
    public static IServiceCollection AddNodeDrain(this IServiceCollection services)
    {
        services.AddHostedService<NodeDrainService>();
        return services;
    }

    /// <summary>Armed by the signal that stops the process (SIGTERM, SIGINT), not by a host stopped in a process that goes on
    /// (tests): at the drain timeout after it, the process ends whatever still holds it.</summary>
    private sealed partial class ShutdownWatchdog(IOptions<ShutdownOptions> options, ILogger<ShutdownWatchdog> logger)
        : IHostedService, IDisposable
    {
        private readonly List<System.Runtime.InteropServices.PosixSignalRegistration> _signals = [];
        private int _armed;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (!OperatingSystem.IsWindows())
            {
                foreach (var signal in new[] { System.Runtime.InteropServices.PosixSignal.SIGTERM, System.Runtime.InteropServices.PosixSignal.SIGINT })
                    _signals.Add(System.Runtime.InteropServices.PosixSignalRegistration.Create(signal, _ => Arm()));
            }
            return Task.CompletedTask;
        }

        private void Arm()
        {
            if (Interlocked.Exchange(ref _armed, 1) == 1) return;
            var timeout = options.Value.DrainTimeout;
            var thread = new Thread(() =>
            {
                Thread.Sleep(timeout);
                LogForced(logger, timeout.TotalSeconds);
                Environment.FailFast($"The process did not exit within Shutdown:DrainTimeout ({timeout.TotalSeconds} s) of its SIGTERM.");
            }) { IsBackground = true, Name = "shutdown watchdog" };
            thread.Start();
        }

        public void Dispose()
        {
            foreach (var signal in _signals) signal.Dispose();
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Critical, Message = "Still running {Seconds} s after the stop began (Shutdown:DrainTimeout): ending the process")]
        private static partial void LogForced(ILogger logger, double seconds);
    }
}
