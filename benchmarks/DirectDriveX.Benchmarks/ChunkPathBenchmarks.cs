using BenchmarkDotNet.Attributes;
using DirectDriveX.Grains.Hosting;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace DirectDriveX.Benchmarks;

/// <summary>
/// What the cluster's chunk path costs over writing the same bytes straight to disk: one 256 MiB upload in 8 MiB chunks
/// through a real single-silo cluster (grain calls, pool, staging writes with fsync, state, SHA-256, lease), against the
/// baseline of a FileStream writing and fsyncing the same chunks and hashing them.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ChunkPathBenchmarks
{
    private const int ChunkSize = 8 * 1024 * 1024;
    private const int FileSize = 256 * 1024 * 1024;

    private byte[] _data = [];
    private string _root = "";
    private InProcessTestCluster? _cluster;

    [Params(true, false)]
    public bool FlushToDisk { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _data = new byte[FileSize];
        new Random(42).NextBytes(_data);
        _root = Directory.CreateTempSubdirectory("ddx-bench-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["FileStore:RootDirectory"] = _root,
            ["FileStore:FlushToDisk"] = FlushToDisk.ToString(),
            ["MemoryBudget:ReserveBytes"] = "0",
        };
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddMemoryGrainStorageAsDefault()
            .AddDirectDriveX(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "FileStream write+hash")]
    public async Task<string> DirectFileWrite()
    {
        var path = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
        {
            for (var offset = 0; offset < FileSize; offset += ChunkSize)
            {
                await file.WriteAsync(_data.AsMemory(offset, ChunkSize));
                hash.AppendData(_data, offset, ChunkSize);
                if (FlushToDisk) file.Flush(flushToDisk: true);
            }
        }
        File.Delete(path);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    [Benchmark(Description = "UploadSessionGrain")]
    public async Task<string> ThroughTheCluster()
    {
        var grain = _cluster!.Client.GetGrain<IUploadSessionGrain>(UploadIds.NewId());
        var start = await grain.Start(new UploadRequest("bench.bin", FileSize));
        var info = start.Session ?? throw new InvalidOperationException(start.Refusal?.Message);
        for (var offset = 0; offset < FileSize; offset += info.ChunkSize)
        {
            var ack = await grain.WriteChunk(offset, _data.AsMemory(offset, Math.Min(info.ChunkSize, FileSize - offset)));
            if (!ack.Accepted) throw new InvalidOperationException(ack.Refusal!.Message);
        }
        var done = await grain.Complete();
        File.Delete(Path.Combine(_root, "files", info.UploadId));
        return done.File?.Sha256 ?? throw new InvalidOperationException(done.Refusal!.Message);
    }
}
