using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectDriveX.HostDefaults;

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
