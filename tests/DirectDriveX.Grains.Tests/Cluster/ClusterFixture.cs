using DirectDriveX.Silo.Hosting;
using DirectDriveX.Grains.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace DirectDriveX.Grains.Tests.Cluster;

/// <summary>
/// A real two-silo Orleans cluster in this process. Each silo's memory is its configured cap, all available
/// (<see cref="CappedMemoryProbe"/>), so headroom figures are exact and differ per silo.
/// </summary>
public abstract class ClusterFixture : IAsyncLifetime
{
    public const long MiB = 1024L * 1024;
    public const long GiB = 1024 * MiB;

    private InProcessTestCluster? _cluster;

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("Cluster not deployed.");
    public IClusterClient Client => Cluster.Client;
    public string StoreRoot { get; } = Directory.CreateTempSubdirectory("ddx-store-").FullName;

    /// <summary>Per-silo settings, keyed by the TestingHost's silo name (Silo_0, Silo_1, ...).</summary>
    protected abstract IReadOnlyDictionary<string, long> MemoryCaps { get; }

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Every silo's clock, when the fixture moves time itself; null: the system's.</summary>
    public virtual OffsetClock? Clock => null;

    /// <summary>Grain state in files of the store, which outlive a killed silo (memory storage dies with the silo holding it).</summary>
    protected virtual bool StateInFiles => false;

    /// <summary>Services a fixture adds to every silo, before the silo's own (a test's wrapper of a storage, say).</summary>
    protected virtual void AddServices(IServiceCollection services) { }

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder((short)MemoryCaps.Count);
        builder.ConfigureSilo((options, silo) =>
        {
            var settings = new Dictionary<string, string?>(Settings)
            {
                ["MemoryBudget:MemoryLimitBytes"] = MemoryCaps.GetValueOrDefault(options.SiloName, 2 * GiB).ToString(), // silos started later: 2 GiB
                ["FileStore:RootDirectory"] = StoreRoot,
            };
            if (StateInFiles) silo.AddFileGrainStorageAsDefault();
            else silo.AddMemoryGrainStorageAsDefault();
            silo.Services.AddSingleton<IMemoryProbe, CappedMemoryProbe>();
            silo.Services.AddSingleton<DirectDriveX.Grains.Storage.IStoreSpaceProbe>(new FixedStoreSpace(FixedStoreSpace.Plenty));
            if (Clock is { } clock) silo.Services.AddSingleton<TimeProvider>(clock);
            AddServices(silo.Services);
            silo.AddDirectDriveX(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        Directory.Delete(StoreRoot, recursive: true);
    }

    public SiloAddress Silo(string name) => Cluster.Silos.Single(s => s.Name == name).SiloAddress;

    /// <summary>The staging file of the upload's fencing epoch <paramref name="epoch"/> (1: the activation that started it;
    /// 0: the one file of an upload staged before epochs existed).</summary>
    public string StagingPath(string uploadId, int epoch = 1) =>
        Path.Combine(StoreRoot, "staging", epoch == 0 ? $"{uploadId}.part" : $"{uploadId}.{epoch}.part");

    /// <summary>Every staging file of the upload, of any epoch.</summary>
    public string[] StagedFiles(string uploadId) => Directory.GetFiles(Path.Combine(StoreRoot, "staging"), uploadId + ".*");

    public string StoredPath(string fileId) => Path.Combine(StoreRoot, "files", fileId);
}

/// <summary>Silo_0 capped at 1 GiB (headroom 512 MiB: the reserve binds), Silo_1 at 2 GiB (headroom 1.5 GiB).</summary>
public sealed class BudgetClusterFixture : ClusterFixture
{
    public const long PrimaryHeadroom = 512 * MiB;
    public const long SecondaryHeadroom = 1536 * MiB;

    protected override IReadOnlyDictionary<string, long> MemoryCaps { get; } =
        new Dictionary<string, long> { ["Silo_0"] = 1 * GiB, ["Silo_1"] = 2 * GiB };

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Uploads:MaxFileSizeBytes"] = (4 * GiB).ToString(),
    };
}

/// <summary>A cluster whose leases and sessions expire after three seconds without data (two without a first byte), and
/// whose clients at their limit recheck their sessions after 300 ms.</summary>
public sealed class ExpiryClusterFixture : ClusterFixture
{
    protected override IReadOnlyDictionary<string, long> MemoryCaps { get; } =
        new Dictionary<string, long> { ["Silo_0"] = 1 * GiB, ["Silo_1"] = 1 * GiB };

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MemoryBudget:LeaseTimeout"] = "00:00:03",
        ["MemoryBudget:SweepInterval"] = "00:00:00.100",
        ["Uploads:FirstByteTimeout"] = "00:00:02",
        ["Uploads:ClientRecheckAfter"] = "00:00:00.300",
    };
}

/// <summary>Leases time out after three seconds without data, uploads stay resumable for a minute after their last commit and
/// stored files are kept for a day, on a clock the tests move forward (<see cref="OffsetClock"/>).</summary>
public sealed class ResumeWindowClusterFixture : ClusterFixture
{
    public static readonly TimeSpan ResumeWindow = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    public override OffsetClock Clock { get; } = new();

    protected override IReadOnlyDictionary<string, long> MemoryCaps { get; } =
        new Dictionary<string, long> { ["Silo_0"] = 1 * GiB, ["Silo_1"] = 1 * GiB };

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MemoryBudget:LeaseTimeout"] = "00:00:03",
        ["MemoryBudget:SweepInterval"] = "00:00:00.100",
        ["Uploads:ResumeWindow"] = ResumeWindow.ToString(),
        ["Files:Retention"] = Retention.ToString(),
    };
}

[CollectionDefinition(Name)]
public sealed class ResumeWindowCluster : ICollectionFixture<ResumeWindowClusterFixture>
{
    public const string Name = "resume window cluster";
}

[CollectionDefinition(Name)]
public sealed class BudgetCluster : ICollectionFixture<BudgetClusterFixture>
{
    public const string Name = "budget cluster";
}

[CollectionDefinition(Name)]
public sealed class ExpiryCluster : ICollectionFixture<ExpiryClusterFixture>
{
    public const string Name = "expiry cluster";
}
