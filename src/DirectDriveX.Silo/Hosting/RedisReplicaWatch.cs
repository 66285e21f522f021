using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using DirectDriveX.HostDefaults;

namespace DirectDriveX.Silo.Hosting;

/// <summary>
/// Opens this silo's Redis connections (the grain storages') and watches them for writes refused <c>READONLY</c>. After a
/// Sentinel failover whose old primary comes back at once as a replica, StackExchange.Redis (2.13.17 and 3.4.35 alike, seen
/// in <c>scripts/chaos-sentinel</c>) can keep one connection on that demoted node: every write of that storage is then
/// refused, for good, and the silo's uploads stall. On the first such refusal the connection is told to reconfigure (it
/// re-reads every known node's role); if writes are still refused <see cref="GiveUpAfter"/> later, the silo stops
/// gracefully (its uploads are told to reconnect and resume on another silo) and its supervisor starts it again with fresh
/// connections.
/// </summary>
public sealed partial class RedisReplicaWatch(IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<RedisReplicaWatch> logger)
{
    /// <summary>How long writes may be refused READONLY, reconfiguring meanwhile, before the silo restarts.</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan ReconfigureEvery = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private long _refusedSince;
    private long _lastRefused;
    private long _lastReconfigured;
    private bool _stopping;

    /// <summary>A storage's connection (<c>RedisStorageOptions.CreateMultiplexer</c>): its own, watched.</summary>
    public async Task<(IConnectionMultiplexer Multiplexer, bool IsShared)> ConnectAsync(ConfigurationOptions options)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        connection.ErrorMessage += (_, e) => OnError(connection, e.Message);
        return (connection, false);
    }

    private void OnError(ConnectionMultiplexer connection, string message)
    {
        if (!message.StartsWith("READONLY", StringComparison.Ordinal)) return;
        var now = clock.GetTimestamp();
        bool reconfigure, stop = false;
        lock (_gate)
        {
            if (_refusedSince == 0 || clock.GetElapsedTime(_lastRefused, now) > GiveUpAfter) _refusedSince = now;
            _lastRefused = now;
            reconfigure = _lastReconfigured == 0 || clock.GetElapsedTime(_lastReconfigured, now) >= ReconfigureEvery;
            if (reconfigure) _lastReconfigured = now;
            if (!_stopping && clock.GetElapsedTime(_refusedSince, now) > GiveUpAfter) stop = _stopping = true;
        }
        if (stop)
        {
            LogGivingUp(GiveUpAfter.TotalSeconds);
            lifetime.StopApplication();
        }
        else if (reconfigure)
        {
            LogReconfiguring(message);
            _ = connection.ConfigureAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis refused a write as a read-only replica ({Detail}): reconfiguring the connection to find the primary")]
    private partial void LogReconfiguring(string detail);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Redis writes still refused READONLY after {Seconds} s: stopping this silo so that its supervisor starts it with fresh connections")]
    private partial void LogGivingUp(double seconds);
}
