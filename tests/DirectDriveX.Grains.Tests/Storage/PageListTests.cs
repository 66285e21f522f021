using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;
using DirectDriveX.Grains.Tests.Cluster;
using DirectDriveX.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>
/// A session's pages folded into pages of pages (issue 16) on a real s3rver or Azurite: pages of two parts (and a margin of one)
/// and lists of two pages, so an upload of 96 MiB seals 4 pages or more and folds them into
/// lists of lists. The session's records keep a bounded count of pages as the parts grow; a new activation reads the parts
/// through the lists; the upload completes byte-identical, and every record, lists and pages under them, is deleted at the end.
/// </summary>
public abstract class PageListTests(ObjectStoreServer server) : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private readonly OffsetClock _clock = new();
    private OwnTestCluster _silo = null!;

    public async Task InitializeAsync() => _silo = await OwnTestCluster.StartAsync("lists", root =>
    {
        var settings = server.NodeSettings(root);
        settings["Uploads:SessionPartsPerPage"] = "2";
        settings["Uploads:SessionPagesPerList"] = "2";
        settings["Uploads:SessionRecordLifetime"] = "01:00:00";
        settings["Uploads:ResumeWindow"] = "01:00:00";
        return settings;
    }, (services, _) =>
    {
        services.AddSingleton<TimeProvider>(_clock);
        services.WrapGrainStorage(UploadSessionGrain.StorageName, inner => new RecordingSessionStorage(inner));
    });

    public Task DisposeAsync() => _silo.DisposeAsync().AsTask();

    private InProcessTestCluster Cluster => _silo.Cluster;

    private IServiceProvider Services => _silo.Services;

    private RecordingSessionStorage Storage => Services.GetRequiredService<RecordingSessionStorage>();

    private async Task<UploadSessionState> StoredSession(IUploadSessionGrain grain) =>
        (await Storage.ReadRecordAsync<UploadSessionState>(UploadSessionGrain.StateName, grain.GetGrainId())).State!;

    /// <summary>Every record under <paramref name="page"/>, itself first, with its ETag: lists read as lists, pages as parts.</summary>
    private async Task<List<(SealedPage Page, string? ETag)>> RecordsUnder(IUploadSessionGrain grain, SealedPage page)
    {
        if (page.Level == 0)
        {
            var parts = await Storage.ReadRecordAsync<SealedPartsRecord>(page.StateName, grain.GetGrainId());
            Assert.True(parts.RecordExists, $"{page.StateName} is there");
            Assert.Equal(page.Count, parts.State!.Parts.Length);
            return [(page, parts.ETag)];
        }
        var list = await Storage.ReadRecordAsync<SealedPageListRecord>(page.StateName, grain.GetGrainId());
        Assert.True(list.RecordExists, $"{page.StateName} is there");
        Assert.True(PartPaging.HoldsPages(page, list.State!.Pages), $"{page.StateName} lists the pages it folded");
        var records = new List<(SealedPage, string?)> { (page, list.ETag) };
        foreach (var listed in list.State.Pages) records.AddRange(await RecordsUnder(grain, listed));
        return records;
    }

    private async Task<List<(SealedPage Page, string? ETag)>> AllRecords(IUploadSessionGrain grain, UploadSessionState session)
    {
        var records = new List<(SealedPage, string?)>();
        foreach (var page in session.Pages) records.AddRange(await RecordsUnder(grain, page));
        return records;
    }

    [Fact]
    public async Task Lists_keep_the_session_records_pages_bounded_as_parts_grow_and_a_new_activation_completes_through_them()
    {
        var data = TestBytes.Random(96 * MiB + 123, seed: 181);
        var (grain, info) = await UploadDriver.StartOn(Cluster.Client, _silo.Silo,
            new UploadRequest("listed.bin", data.Length, null, TestBytes.Sha256Hex(data)));
        var half = data.Length / 2 / info.ChunkSize * info.ChunkSize;
        await UploadDriver.SendAll(Cluster, info, data[..half]);
        await UploadDriver.MoveTo(Cluster, info, _silo.Silo); // a new activation: its writer's parts come through the lists
        await UploadDriver.SendAll(Cluster, info, data, from: half);

        var whole = await StoredSession(grain);
        var records = await AllRecords(grain, whole);
        var leaves = records.Count(r => r.Page.Level == 0);
        Assert.True(leaves >= 4, $"{leaves} pages of parts");
        Assert.Contains(whole.Pages, page => page.Level >= 2); // lists of lists
        Assert.Contains(records, r => r.Page.Level >= 1 && r.Page.Epoch > 1); // folded by the new activation too
        Assert.Equal(PartPaging.SealedParts(whole.Pages), records.Where(r => r.Page.Level == 0).Sum(r => r.Page.Count));
        // Lists of two: at most one page per level, and log2 of the pages levels, in every session record written.
        var mostPages = Storage.SessionWrites.Max();
        Assert.True(mostPages <= (int)Math.Ceiling(Math.Log2(leaves + 1)), $"{mostPages} pages in a session record for {leaves} pages of parts");
        Assert.Equal(Storage.PageWrites.Count, Storage.PageWrites.Distinct().Count()); // each record written once

        var done = await UploadDriver.Complete(Cluster, info);
        Assert.True(done.File is not null, done.Refusal?.Message);
        Assert.Equal(TestBytes.Sha256Hex(data), done.File.Sha256);
        await using (var stored = await Services.GetRequiredService<IUploadStore>().OpenStoredAsync(done.File.FileId, data.Length))
        {
            var read = new MemoryStream();
            await stored!.CopyToAsync(read);
            Assert.True(data.AsSpan().SequenceEqual(read.ToArray()), "the stored file differs from the bytes sent");
        }
        Assert.Empty((await StoredSession(grain)).Pages);
        foreach (var (page, _) in records)
        {
            var gone = await Storage.ReadRecordAsync<object>(page.StateName, grain.GetGrainId());
            Assert.False(gone.RecordExists, $"{page.StateName} deleted at the end");
        }
    }

    [Fact]
    public async Task A_list_past_half_its_lifetime_is_written_again_with_every_page_under_it()
    {
        var data = TestBytes.Random(96 * MiB + 7, seed: 183);
        var (grain, info) = await UploadDriver.StartOn(Cluster.Client, _silo.Silo,
            new UploadRequest("listed-aging.bin", data.Length, null, TestBytes.Sha256Hex(data)));
        var most = data.Length * 3 / 4 / info.ChunkSize * info.ChunkSize;
        await UploadDriver.SendAll(Cluster, info, data[..most]);
        var before = await StoredSession(grain);
        Assert.Contains(before.Pages, page => page.Level >= 1);
        var recordsBefore = await AllRecords(grain, before);

        _clock.Advance(TimeSpan.FromMinutes(31)); // past half the record lifetime of an hour
        var moved = _clock.GetUtcNow();
        await UploadDriver.SendAll(Cluster, info, data, from: most);

        var after = await StoredSession(grain);
        Assert.All(after.Pages, page => Assert.True(page.WrittenAt >= moved, $"{page.StateName} written at {page.WrittenAt:O}, clock moved at {moved:O}"));
        var etagsAfter = (await AllRecords(grain, after)).ToDictionary(r => r.Page.StateName, r => r.ETag);
        foreach (var (page, etag) in recordsBefore)
            if (etagsAfter.TryGetValue(page.StateName, out var now)) Assert.NotEqual(etag, now); // every record still listed was written again
        Assert.Contains(recordsBefore, r => r.Page.Level >= 1 && etagsAfter.ContainsKey(r.Page.StateName));

        var done = await UploadDriver.Complete(Cluster, info);
        Assert.True(done.File is not null, done.Refusal?.Message);
        Assert.Equal(TestBytes.Sha256Hex(data), done.File.Sha256);
    }
}

public sealed class S3PageListTests(S3rverServer server) : PageListTests(server), IClassFixture<S3rverServer>;

public sealed class AzureBlobPageListTests(AzuriteServer server) : PageListTests(server), IClassFixture<AzuriteServer>;
