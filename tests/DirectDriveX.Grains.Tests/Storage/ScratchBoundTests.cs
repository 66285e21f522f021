using DirectDriveX.Node.Buffers;
using DirectDriveX.Silo.Hosting;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Memory;
using DirectDriveX.Grains.Tests.Cluster;
using DirectDriveX.Storage;
using DirectDriveX.Storage.Azure;
using DirectDriveX.Storage.S3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>
/// On an object store a writer's scratch disk holds at most two chunks of an upload, however slow the store: the chunk being
/// sent and the one being received. The store here (a real s3rver or Azurite behind <see cref="SlowCommitStore"/>) lets a commit
/// go only once the writer has stopped reading (its pooled buffer is back in the pool), or once it has written a third chunk
/// past the commit (which a writer that runs ahead does, and then the peak shows it).
/// </summary>
public abstract class ScratchBoundTests(ObjectStoreServer server) : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private readonly string _root = Directory.CreateTempSubdirectory("ddx-scratch-").FullName;
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            var settings = new Dictionary<string, string?>(server.Settings)
            {
                ["FileStore:RootDirectory"] = _root,
                ["FileStore:S3:Prefix"] = $"t{Guid.NewGuid():N}/",
                ["FileStore:AzureBlob:Prefix"] = $"t{Guid.NewGuid():N}/",
                ["MemoryBudget:MemoryLimitBytes"] = (4L << 30).ToString(),
            };
            silo.Services.AddSingleton<IMemoryProbe, CappedMemoryProbe>();
            silo.Services.AddSingleton(sp =>
            {
                IUploadStore inner = server is S3rverServer
                    ? ActivatorUtilities.CreateInstance<S3UploadStore>(sp)
                    : ActivatorUtilities.CreateInstance<AzureBlobUploadStore>(sp);
                return new SlowCommitStore(inner, Path.Combine(_root, "scratch"));
            });
            silo.Services.AddSingleton<IUploadStore>(sp => sp.GetRequiredService<SlowCommitStore>());
            silo.AddMemoryGrainStorageAsDefault().AddDirectDriveX(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_writer_stops_reading_while_two_chunks_wait_for_a_slow_store_so_its_scratch_never_holds_more()
    {
        var silo = _cluster.Silos[0].SiloAddress;
        var services = _cluster.GetSiloServiceProvider(silo);
        var store = services.GetRequiredService<SlowCommitStore>();
        var pool = services.GetRequiredService<ChunkBufferPool>();
        var data = TestBytes.Random(64 * MiB + 4321, seed: 161);
        var (_, info) = await UploadDriver.StartOn(_cluster.Client, silo, new UploadRequest("slow-store.bin", data.Length, null, TestBytes.Sha256Hex(data)));
        var chunk = info.ChunkSize;
        Assert.True(chunk >= 5 * MiB, $"chunks of {chunk}: an S3 part (at least 5 MiB) is then one chunk, and one scratch window");

        // A commit waits while the writer holds its buffer (it is still reading), unless it wrote a third chunk past the commit.
        store.MayCommit = end => pool.Statistics.BuffersInUse == 0 || store.WrittenEnd >= Math.Min(data.Length, end + 2L * chunk);
        await UploadDriver.SendAll(_cluster, info, data);

        Assert.InRange(store.PeakScratchBytes, chunk + 1, 2L * chunk); // the pipeline ran: two chunks, and never a third
        var done = await UploadDriver.Complete(_cluster, info);
        Assert.Equal(TestBytes.Sha256Hex(data), done.File!.Sha256);
        Assert.Equal(0, store.ScratchBytes());
    }
}

public sealed class S3ScratchBoundTests(S3rverServer server) : ScratchBoundTests(server), IClassFixture<S3rverServer>;

public sealed class AzureBlobScratchBoundTests(AzuriteServer server) : ScratchBoundTests(server), IClassFixture<AzuriteServer>;
