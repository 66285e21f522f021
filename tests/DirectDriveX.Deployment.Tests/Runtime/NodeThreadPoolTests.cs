using System.Text.Json;

namespace DirectDriveX.Deployment.Tests.Runtime;

/// <summary>
/// The processes that take bytes block thread-pool threads in fsync and rename, so they start 32 pool workers without the
/// pool's injection delay (issue 19, seventh round; benchmarks/README.md, "The wait chain"). Read from the
/// <c>*.runtimeconfig.json</c> each host ships with (copied beside this test by its project references), which is what the
/// runtime applies when the host starts.
/// </summary>
public class NodeThreadPoolTests
{
    [Theory]
    [InlineData("DirectDriveX.Embedded")]
    [InlineData("DirectDriveX.Silo")]
    public void A_host_that_takes_bytes_starts_32_pool_workers(string host)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, $"{host}.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal(32, properties.GetProperty("System.Threading.ThreadPool.MinThreads").GetInt32());
    }
}
