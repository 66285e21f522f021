using BenchmarkDotNet.Attributes;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Silo.Hosting;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DirectDriveX.Benchmarks;

/// <summary>
/// What a node's data plane costs over writing the same bytes straight to disk: one 256 MiB upload, fed from memory in
/// 64 KiB pieces (what a socket hands over), through a real single-silo cluster's <see cref="UploadDataPlane"/> (pooled
/// buffer, staging writes in slices, SHA-256, fsync and a commit grain call per 8 MiB chunk, verification, promotion,
/// lease), against the baseline of a FileStream writing the same 8 MiB chunks, hashing them and fsyncing each.
/// It leaves out the network: the end-to-end benchmark (benchmarks/run) measures that, side by side with @tus/server.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class DataPlaneBenchmarks
{
    private const int ChunkSize = 8 * 1024 * 1024;
    private const int FileSize = 256 * 1024 * 1024;
    private const int PieceSize = 64 * 1024;

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

    [Benchmark(Description = "UploadDataPlane")]
    public async Task<string> ThroughTheDataPlane()
    {
        var silo = _cluster!.Silos[0].SiloAddress;
        var grain = _cluster.Client.GetGrain<IUploadSessionGrain>(UploadIds.NewId());
        UploadStartResult start;
        using (UploadPlacementHint.Target(silo))
            start = await grain.Start(new UploadRequest("bench.bin", FileSize));
        var info = start.Session ?? throw new InvalidOperationException(start.Refusal?.Message);
        var plane = _cluster.GetSiloServiceProvider(silo).GetRequiredService<UploadDataPlane>();
        var (session, refusal) = await plane.OpenAsync(info.UploadId, info.ResumeToken, requireToken: true);
        if (refusal is not null) throw new InvalidOperationException(refusal.Message);
        await using var writer = await session!.OpenWriterAsync(onCommitted: null);
        for (var offset = 0; offset < FileSize; offset += PieceSize)
            await writer.WriteAsync(_data.AsMemory(offset, PieceSize), CancellationToken.None);
        var (file, _) = await session.CompleteAsync(writer, CancellationToken.None);
        File.Delete(Path.Combine(_root, "files", info.UploadId));
        return file.Sha256;
    }
}
