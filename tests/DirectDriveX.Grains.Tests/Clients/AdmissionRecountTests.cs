using DirectDriveX.Grains.Clients;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Tests.Cluster;
using DirectDriveX.Node.DataPlane;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace DirectDriveX.Grains.Tests.Clients;

/// <summary>Two silos whose grain state is in files of the store (it outlives a killed silo), each with a storage of clients'
/// records that can hold a write unanswered or fail writes (<see cref="FaultyClientWrites"/>), and a membership that declares a killed silo
/// dead within a few seconds.</summary>
public sealed class AdmissionRecountFixture : ClusterFixture
{
    protected override IReadOnlyDictionary<string, long> MemoryCaps { get; } =
        new Dictionary<string, long> { ["Silo_0"] = 1 * GiB, ["Silo_1"] = 2 * GiB };

    protected override bool StateInFiles => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Orleans:Membership:ProbeTimeout"] = "00:00:01",
        ["Orleans:Membership:NumMissedProbesLimit"] = "2",
    };

    protected override void AddServices(IServiceCollection services)
    {
        services.WrapGrainStorage(UploadClientGrain.StorageName, inner => new FaultyClientWrites(inner));
        services.AddSingleton<UnreachableClientCalls>();
        services.AddSingleton<IIncomingGrainCallFilter>(sp => sp.GetRequiredService<UnreachableClientCalls>());
    }
}

/// <summary>
/// A one-request upload's admission is answered before the client's record is written (issue 19), and confirmed before the
/// upload is told of (<c>Counts</c>). When the silo of the client's grain dies before that write landed, the count died
/// with it: the session, on another silo, keeps asking until the client's grain answers again (activated on a survivor,
/// from its record, which lacks the upload), counts the upload again, durably, and only then answers its completion. The
/// survivor may refuse the call for a while (until the dead silo is declared dead): the session asks again meanwhile.
/// </summary>
public sealed class AdmissionRecountTests : IAsyncLifetime
{
    private readonly AdmissionRecountFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    private UploadDataPlane PlaneOn(string silo) =>
        _fixture.Cluster.GetSiloServiceProvider(_fixture.Silo(silo)).GetRequiredService<UploadDataPlane>();

    private static async Task<string> UploadAsync(UploadSessionHandle handle, byte[] data)
    {
        await using var writer = await handle.OpenWriterAsync(onCommitted: null);
        await writer.WriteAsync(data, CancellationToken.None);
        return (await handle.CompleteAsync(writer, CancellationToken.None)).File.Sha256;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)] // a survivor that refuses the client's calls four times in a row: more than one retry
    public async Task A_count_lost_with_the_client_grains_silo_is_counted_again_before_the_upload_completes(int refusedBySurvivor)
    {
        var client = new UploadClient("key:recount", new ClientLimits(MaxConcurrentUploads: 4));
        var first = TestBytes.Random(10_000, seed: 71);
        // The client's grain is placed beside the session that first counts it: on Silo_0.
        var (warm, refused) = await PlaneOn("Silo_0").StartHereAsync(new UploadRequest("first.bin", first.Length, BodyFollows: true, Client: client));
        Assert.Null(refused);
        Assert.Equal(TestBytes.Sha256Hex(first), await UploadAsync(warm!, first));

        var held = _fixture.Cluster.GetSiloServiceProvider(_fixture.Silo("Silo_0")).GetRequiredService<FaultyClientWrites>();
        held.HoldNext();
        var data = TestBytes.Random(20_000, seed: 72);
        var (handle, refusal) = await PlaneOn("Silo_1").StartHereAsync(new UploadRequest("second.bin", data.Length, BodyFollows: true, Client: client));
        Assert.Null(refusal); // admitted by Silo_0's activation, its record's write held there
        await held.Holding.WaitAsync(TimeSpan.FromSeconds(10));

        var survivorRefusing = _fixture.Cluster.GetSiloServiceProvider(_fixture.Silo("Silo_1")).GetRequiredService<UnreachableClientCalls>();
        survivorRefusing.FailNext(refusedBySurvivor);
        await _fixture.Cluster.KillSiloAsync(_fixture.Cluster.Silos.Single(s => s.Name == "Silo_0"));

        var completing = UploadAsync(handle!, data);
        Assert.Equal(TestBytes.Sha256Hex(data), await completing.WaitAsync(TimeSpan.FromSeconds(40)));
        Assert.Equal(refusedBySurvivor, survivorRefusing.Failed);

        // The survivor's activation of the client read its record, which never had the second upload, and was asked to count
        // it again before the completion released it: the day's bytes hold both uploads, and the second is no longer live.
        // (The first's release, written behind and lost with Silo_0 too, leaves its slot counted until the client next
        // reaches its limit and asks that session: too high, never too low.)
        var state = await _fixture.Client.GetGrain<IUploadClientGrain>(client.ClientId).GetState();
        Assert.Equal(first.Length + (long)data.Length, state.BytesToday);
        Assert.DoesNotContain(handle!.UploadId, state.LiveUploads);
    }

    [Fact]
    public async Task A_client_whose_record_cannot_be_written_for_a_while_is_confirmed_once_it_can()
    {
        var client = new UploadClient("key:storage-down", new ClientLimits(MaxConcurrentUploads: 4));
        var writes = _fixture.Cluster.GetSiloServiceProvider(_fixture.Silo("Silo_1")).GetRequiredService<FaultyClientWrites>();
        writes.FailNext(5); // the admission's write behind, and the confirmation's next four
        var data = TestBytes.Random(20_000, seed: 73);
        var (handle, refusal) = await PlaneOn("Silo_1").StartHereAsync(new UploadRequest("down.bin", data.Length, BodyFollows: true, Client: client));
        Assert.Null(refusal);

        Assert.Equal(TestBytes.Sha256Hex(data), await UploadAsync(handle!, data).WaitAsync(TimeSpan.FromSeconds(40)));

        // The completion answered only after a record that counts the upload had landed.
        Assert.Equal(5, writes.Failed);
        Assert.Contains(handle!.UploadId, writes.LandedLive);
        var state = await _fixture.Client.GetGrain<IUploadClientGrain>(client.ClientId).GetState();
        Assert.Equal((long)data.Length, state.BytesToday);
        Assert.Empty(state.LiveUploads);
    }
}
