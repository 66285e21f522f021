using System.Collections.Concurrent;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;
using DirectDriveX.Grains.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>A new upload's first start, marked by whoever drew its id (<see cref="NewUploadMark"/>), activates its session
/// without a read of the sessions' storage; an unmarked start reads as before; and a mark on an id that has a record cannot
/// overwrite that record: the session's first write is refused by the storage's version check.</summary>
public sealed class NewUploadStorageTests : IAsyncLifetime
{
    private OwnTestCluster _silo = null!;

    /// <summary>The sessions' storage, counting the reads of each grain's session record that reach it.</summary>
    private sealed class CountingReads(IGrainStorage inner) : IGrainStorage
    {
        public ConcurrentDictionary<GrainId, int> SessionReads { get; } = new();

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (stateName == UploadSessionGrain.StateName) SessionReads.AddOrUpdate(grainId, 1, (_, n) => n + 1);
            return inner.ReadStateAsync(stateName, grainId, grainState);
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            inner.WriteStateAsync(stateName, grainId, grainState);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            inner.ClearStateAsync(stateName, grainId, grainState);
    }

    public async Task InitializeAsync() => _silo = await OwnTestCluster.StartAsync("new-upload",
        root => new Dictionary<string, string?> { ["FileStore:RootDirectory"] = root },
        (services, _) => services.WrapGrainStorage(UploadSessionGrain.StorageName, inner => new CountingReads(inner)));

    public Task DisposeAsync() => _silo.DisposeAsync().AsTask();

    private CountingReads Storage => _silo.Services.GetRequiredService<CountingReads>();

    private static UploadRequest Request() => new("new.bin", 4096, null, null);

    private async Task<UploadStartResult> StartAsync(IUploadSessionGrain grain, bool marked)
    {
        using (UploadPlacementHint.Target(_silo.Silo))
        using (marked ? NewUploadMark.For(grain.GetPrimaryKeyString()) : null)
            return await grain.Start(Request());
    }

    [Fact]
    public async Task A_marked_first_start_activates_its_session_without_reading_the_storage()
    {
        var grain = _silo.Cluster.Client.GetGrain<IUploadSessionGrain>(UploadIds.NewId());

        var started = await StartAsync(grain, marked: true);

        Assert.True(started.Accepted, started.Refusal?.Message);
        Assert.False(Storage.SessionReads.ContainsKey(grain.GetGrainId()));
        Assert.Equal(UploadState.Reserved, (await grain.GetState()).State);
        var stored = await Storage.ReadRecordAsync<UploadSessionState>(UploadSessionGrain.StateName, grain.GetGrainId());
        Assert.Equal((true, UploadState.Reserved), (stored.RecordExists, stored.State!.State));
        await grain.Abort();
    }

    [Fact]
    public async Task An_unmarked_start_reads_the_record_once()
    {
        var grain = _silo.Cluster.Client.GetGrain<IUploadSessionGrain>(UploadIds.NewId());

        var started = await StartAsync(grain, marked: false);

        Assert.True(started.Accepted, started.Refusal?.Message);
        Assert.Equal(1, Storage.SessionReads[grain.GetGrainId()]);
        await grain.Abort();
    }

    [Fact]
    public async Task A_mark_on_an_id_with_a_record_cannot_overwrite_it()
    {
        var grain = _silo.Cluster.Client.GetGrain<IUploadSessionGrain>(UploadIds.NewId());
        Assert.True((await StartAsync(grain, marked: false)).Accepted);
        var before = await Storage.ReadRecordAsync<UploadSessionState>(UploadSessionGrain.StateName, grain.GetGrainId());
        await grain.AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();

        await Assert.ThrowsAsync<InconsistentStateException>(() => StartAsync(grain, marked: true));

        var after = await Storage.ReadRecordAsync<UploadSessionState>(UploadSessionGrain.StateName, grain.GetGrainId());
        Assert.Equal(before.ETag, after.ETag);
        Assert.Equal(before.State!.ResumeTokenHash, after.State!.ResumeTokenHash);
    }
}
