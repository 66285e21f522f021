using Xunit;
using System.Diagnostics;
using StackExchange.Redis;

namespace DirectDriveX.Testing;

/// <summary>
/// A real redis-server on 127.0.0.1: the one named by DDX_TEST_REDIS (CI starts it), else one this fixture starts from
/// /usr/bin/redis-server on a free port, in a temporary directory, and stops. Neither possible: the tests fail, loudly.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private Process? _process;
    private string? _directory;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("DDX_TEST_REDIS") is { Length: > 0 } configured)
        {
            ConnectionString = configured;
        }
        else
        {
            const string server = "/usr/bin/redis-server";
            if (!File.Exists(server))
                throw new InvalidOperationException($"No Redis for the Redis tests: set DDX_TEST_REDIS or install redis-server ({server}).");
            var port = FreePort.Next();
            _directory = Directory.CreateTempSubdirectory("ddx-redis-").FullName;
            _process = Process.Start(new ProcessStartInfo(server,
                ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("redis-server did not start.");
            _process.OutputDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            ConnectionString = $"127.0.0.1:{port}";
        }

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",abortConnect=false,connectTimeout=500");
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        if (_directory is not null) Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

}
