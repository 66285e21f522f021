using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DirectDriveX.Silo.Hosting;

/// <summary>
/// Works around a start-up race in Orleans' <c>Orleans.Runtime.Watchdog</c> (10.4.2, and its main branch as read on
/// 2026-12-06): <c>Start()</c> starts the platform-watchdog thread before it sets <c>_componentWatchdogTimestamp</c>, so when
/// that thread runs first (often, on a loaded 2-core host) it measures the participant check against timestamp 0 and warns
/// "Participant check thread has not completed for …" with the machine's uptime, and records a component stall in the silo's
/// health. Before the watchdog starts (stage <see cref="ServiceLifecycleStage.RuntimeServices"/>; it starts at
/// RuntimeGrainServices), this sets that timestamp to now, which is what <c>Start()</c> itself sets a moment later. Should a
/// later Orleans rename the field or the type, it logs that it did nothing, and a test fails so the workaround is reviewed.
/// </summary>
public sealed partial class WatchdogClockPrimer(IServiceProvider services, ILogger<WatchdogClockPrimer> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    internal const string WatchdogTypeName = "Orleans.Runtime.Watchdog";
    internal const string TimestampFieldName = "_componentWatchdogTimestamp";
    internal const string ClockFieldName = "_timeProvider";

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WatchdogClockPrimer), ServiceLifecycleStage.RuntimeServices, _ =>
        {
            if (!TryPrime(services)) LogNotPrimed(WatchdogTypeName, TimestampFieldName);
            return Task.CompletedTask;
        });

    /// <summary>Sets the watchdog's participant-check timestamp to its clock's now; false when the type or fields are not found.</summary>
    internal static bool TryPrime(IServiceProvider services)
    {
        var type = typeof(Orleans.Runtime.Silo).Assembly.GetType(WatchdogTypeName);
        const BindingFlags field = BindingFlags.Instance | BindingFlags.NonPublic;
        if (type?.GetField(TimestampFieldName, field) is not { } timestamp || timestamp.FieldType != typeof(long)
            || type.GetField(ClockFieldName, field) is not { } clockField
            || services.GetService(type) is not { } watchdog
            || clockField.GetValue(watchdog) is not TimeProvider clock)
            return false;
        timestamp.SetValue(watchdog, clock.GetTimestamp());
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Orleans' {Type} has no field {Field} any more: its start-up race workaround did nothing (review WatchdogClockPrimer)")]
    private partial void LogNotPrimed(string type, string field);
}
