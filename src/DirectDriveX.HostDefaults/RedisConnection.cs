using StackExchange.Redis;

namespace DirectDriveX.HostDefaults;

/// <summary>
/// How every process reads <c>ConnectionStrings:Redis</c>, for clustering and grain state alike. It is a StackExchange.Redis
/// configuration string: <c>host:port</c>, or Sentinel endpoints with <c>serviceName=NAME</c> (the client asks the sentinels
/// for the primary and follows a failover), with any of the client's options. Two defaults differ from the client's, so
/// that with Redis down a create or reconnect is refused (typed, retryable) within 2 s instead of after the client's 5 s:
/// an operation fails at once while there is no connection (<see cref="BacklogPolicy.FailFast"/>: nothing is queued to wait
/// for a reconnect; the clients retry), and waits at most <see cref="DefaultTimeoutMilliseconds"/> for an answer on a
/// connection that has stopped answering (<c>asyncTimeout</c>, <c>syncTimeout</c>, unless the string sets them).
/// </summary>
public static class RedisConnection
{
    public const int DefaultTimeoutMilliseconds = 1000;

    public static ConfigurationOptions Options(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        if (!Names(connectionString, "asyncTimeout")) options.AsyncTimeout = DefaultTimeoutMilliseconds;
        if (!Names(connectionString, "syncTimeout")) options.SyncTimeout = DefaultTimeoutMilliseconds;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return options;
    }

    private static bool Names(string connectionString, string option) =>
        connectionString.Split(',').Any(part => part.Trim().StartsWith(option + "=", StringComparison.OrdinalIgnoreCase));
}
