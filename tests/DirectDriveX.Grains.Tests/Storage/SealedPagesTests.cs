using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;
using DirectDriveX.Grains.Tests.Cluster;
using DirectDriveX.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>
/// A session's committed parts in sealed pages (issue 16) on a real s3rver or Azurite: pages of two parts (and a margin of
/// one), so an upload of 64 MiB in 5 MiB parts or 4 MiB blocks has more than two pages. The session's record holds the pages'
/// list and a tail; a new activation grants its writer the tail and reads the pages for the completion, which asks for every
/// part; the upload completes byte-identical and its pages' records are deleted at the end.
/// </summary>
public abstract class SealedPagesTests(ObjectStoreServer server) : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private readonly OffsetClock _clock = new();
    private OwnTestCluster _silo = null!;

    public async Task InitializeAsync() => _silo = await OwnTestCluster.StartAsync("pages", root =>
    {
        var settings = server.NodeSettings(root);
        settings["Uploads:SessionPartsPerPage"] = "2";
        settings["Uploads:SessionRecordLifetime"] = "01:00:00";
        settings["Uploads:ResumeWindow"] = "01:00:00";
        return settings;
    }, (services, _) =>
    {
        services.AddSingleton<TimeProvider>(_clock);
        services.WrapGrainStorage(UploadSessionGrain.StorageName, inner => new FirstSealLostStorage(inner));
    });

    public Task DisposeAsync() => _silo.DisposeAsync().AsTask();

    private InProcessTestCluster Cluster => _silo.Cluster;

    private IServiceProvider Services => _silo.Services;

    private IGrainStorage Storage => Services.GetRequiredKeyedService<IGrainStorage>(UploadSessionGrain.StorageName);

    private async Task<UploadSessionState> StoredSession(IUploadSessionGrain grain) =>
        (await Storage.ReadRecordAsync<UploadSessionState>(UploadSessionGrain.StateName, grain.GetGrainId())).State!;

    private Task<GrainState<SealedPartsRecord>> PageRecord(IUploadSessionGrain grain, SealedPage page) =>
        Storage.ReadRecordAsync<SealedPartsRecord>(page.StateName, grain.GetGrainId());

    private async Task<(IUploadSessionGrain Grain, UploadSessionInfo Info, byte[] Data)> StartAsync(int seed)
    {
        var data = TestBytes.Random(64 * MiB + 321, seed);
        var (grain, info) = await UploadDriver.StartOn(Cluster.Client, _silo.Silo,
            new UploadRequest($"paged-{seed}.bin", data.Length, null, TestBytes.Sha256Hex(data)));
        return (grain, info, data);
    }

    [Fact]
    public async Task An_upload_of_more_than_two_pages_resumes_in_a_new_activation_from_its_pages_and_completes_byte_identical()
    {
        var (grain, info, data) = await StartAsync(seed: 171);
        var half = data.Length / 2 / info.ChunkSize * info.ChunkSize;
        await UploadDriver.SendAll(Cluster, info, data[..half]);
        var midway = await StoredSession(grain);
        Assert.True(midway.Pages.Length >= 1, $"{midway.Pages.Length} pages at {half} of {data.Length} bytes");
        Assert.All(midway.Pages, page => Assert.Equal(1, page.Epoch));
        Assert.Equal(midway.Pages[^1].End, midway.Parts[0].Offset); // the tail follows the last page

        await UploadDriver.MoveTo(Cluster, info, _silo.Silo); // a new activation: its writer is granted the tail it stored
        await UploadDriver.SendAll(Cluster, info, data, from: half);
        var whole = await StoredSession(grain);
        Assert.True(whole.Pages.Length > 2, $"{whole.Pages.Length} pages");
        Assert.Contains(whole.Pages, page => page.Epoch > 1); // sealed by the new activation, after the ones it read
        var pages = whole.Pages;

        await CompletesByteIdenticalAsync(info, data);
        Assert.Empty((await StoredSession(grain)).Pages);
        foreach (var page in pages) Assert.False((await PageRecord(grain, page)).RecordExists, $"{page.StateName} deleted at the end");
    }

    [Fact]
    public async Task A_page_whose_name_holds_a_record_already_is_written_over_with_the_live_parts()
    {
        var (grain, info, data) = await StartAsync(seed: 173);
        // What a seal whose session write did not land leaves: a record under the name the next seal of epoch 1 takes.
        var taken = new SealedPage(1, 0, 0, 1, 1, _clock.GetUtcNow());
        await Storage.WriteStateAsync(taken.StateName, grain.GetGrainId(),
            new GrainState<SealedPartsRecord>(new SealedPartsRecord { Parts = [new StagedPart(0, 1, "left", "over")] }));

        await UploadDriver.SendAll(Cluster, info, data);
        var session = await StoredSession(grain);
        Assert.Equal(taken.StateName, session.Pages[0].StateName);
        Assert.Equal(session.Pages[0].Count, (await PageRecord(grain, session.Pages[0])).State!.Parts.Length);
        await UploadDriver.MoveTo(Cluster, info, _silo.Silo); // completed from the pages read back
        await CompletesByteIdenticalAsync(info, data);
    }

    /// <summary>The page's record was written, the session's record that lists it was not: the parts stay in the stored tail, so
    /// the next activation (a new epoch) seals them again under its own name; the first page, listed nowhere, is left to expire.</summary>
    [Fact]
    public async Task Parts_whose_page_was_written_but_not_listed_are_sealed_again_by_the_next_activation()
    {
        var (grain, info, data) = await StartAsync(seed: 177);
        var losing = Services.GetRequiredService<FirstSealLostStorage>();
        losing.Armed = true;
        await Assert.ThrowsAnyAsync<Exception>(() => UploadDriver.SendAll(Cluster, info, data));
        var orphan = Assert.Single(losing.Lost!.Pages);
        Assert.Equal("upload/parts-1-0", orphan.StateName);
        Assert.True((await PageRecord(grain, orphan)).RecordExists);
        var stored = await StoredSession(grain);
        Assert.Empty(stored.Pages); // the record as stored: its parts all in the tail
        Assert.Equal(orphan.Start, stored.Parts[0].Offset);

        await UploadDriver.MoveTo(Cluster, info, _silo.Silo);
        var committed = (await grain.GetState()).CommittedOffset;
        Assert.Equal(stored.CommittedOffset, committed);
        await UploadDriver.SendAll(Cluster, info, data, from: committed);
        var resealed = await StoredSession(grain);
        Assert.Equal(orphan with { Epoch = resealed.Pages[0].Epoch, WrittenAt = resealed.Pages[0].WrittenAt }, resealed.Pages[0]);
        Assert.True(resealed.Pages[0].Epoch > 1, $"sealed again in epoch {resealed.Pages[0].Epoch}");

        await CompletesByteIdenticalAsync(info, data);
        Assert.True((await PageRecord(grain, orphan)).RecordExists); // listed nowhere: left to its expiry
        foreach (var page in resealed.Pages) Assert.False((await PageRecord(grain, page)).RecordExists);
    }

    [Fact]
    public async Task A_page_past_half_its_lifetime_is_written_again_while_the_upload_goes_on()
    {
        var (grain, info, data) = await StartAsync(seed: 175);
        var half = data.Length / 2 / info.ChunkSize * info.ChunkSize;
        await UploadDriver.SendAll(Cluster, info, data[..half]);
        var before = await StoredSession(grain);
        Assert.NotEmpty(before.Pages);
        var etags = new List<string?>();
        foreach (var page in before.Pages) etags.Add((await PageRecord(grain, page)).ETag);

        _clock.Advance(TimeSpan.FromMinutes(31)); // past half the record lifetime of an hour
        var moved = _clock.GetUtcNow();
        await UploadDriver.SendAll(Cluster, info, data, from: half);

        var after = await StoredSession(grain);
        for (var i = 0; i < before.Pages.Length; i++)
        {
            Assert.Equal(before.Pages[i] with { WrittenAt = after.Pages[i].WrittenAt }, after.Pages[i]);
            Assert.True(after.Pages[i].WrittenAt >= moved, $"{after.Pages[i].StateName} written again ({after.Pages[i].WrittenAt:O}, clock moved at {moved:O})");
            Assert.NotEqual(etags[i], (await PageRecord(grain, after.Pages[i])).ETag);
        }
        await CompletesByteIdenticalAsync(info, data);
    }

    /// <summary>A slow client's many short requests stage many pieces of one part (an S3 part not yet whole, Azure blocks): the
    /// pieces of the part being filled are never sealed, since the commit that makes the part whole replaces every one of them
    /// (<see cref="StagedCommit.ReplaceableFrom"/>). Sealed by the latest commit's first piece alone, the oldest pieces went into
    /// a page, and that commit, starting before the tail, was refused every time it came: the upload could never complete.</summary>
    [Fact]
    public async Task Pieces_of_a_part_staged_by_many_short_requests_stay_in_the_tail_until_the_part_is_whole()
    {
        var (grain, info, data) = await StartAsync(seed: 179);
        const int piece = 100 * 1024;
        for (var end = piece; end <= 6 * piece; end += piece) // six requests inside the first part: pieces, margin one
            await UploadDriver.SendAll(Cluster, info, data[..end], from: end - piece);
        var pieces = await StoredSession(grain);
        Assert.Equal(6 * piece, pieces.CommittedOffset);

        await UploadDriver.SendAll(Cluster, info, data, from: 6 * piece); // the part made whole, and the rest
        Assert.Equal(data.Length, (await grain.GetState()).CommittedOffset);
        Assert.NotEmpty((await StoredSession(grain)).Pages);
        await CompletesByteIdenticalAsync(info, data);
    }

    /// <summary>Completes the upload and reads its stored file back: its SHA-256 and every byte are the ones sent.</summary>
    private async Task CompletesByteIdenticalAsync(UploadSessionInfo info, byte[] data)
    {
        var done = await UploadDriver.Complete(Cluster, info);
        Assert.True(done.File is not null, done.Refusal?.Message);
        Assert.Equal(TestBytes.Sha256Hex(data), done.File.Sha256);
        await using var stored = await Services.GetRequiredService<IUploadStore>().OpenStoredAsync(done.File.FileId, data.Length);
        var read = new MemoryStream();
        await stored!.CopyToAsync(read);
        Assert.True(data.AsSpan().SequenceEqual(read.ToArray()), "the stored file differs from the bytes sent");
    }
}

public sealed class S3SealedPagesTests(S3rverServer server) : SealedPagesTests(server), IClassFixture<S3rverServer>;

public sealed class AzureBlobSealedPagesTests(AzuriteServer server) : SealedPagesTests(server), IClassFixture<AzuriteServer>;
