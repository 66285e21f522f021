using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace DirectDriveX.Grains.Sessions;

/// <summary>The committed parts in sealed pages and a tail (<see cref="PartPaging"/>, issue 16): a commit writes the tail and the
/// pages' short list, and a page's record once (runs of pages folded into pages of pages, so the list stays short); this
/// activation reads the pages when it needs every part (a writer's grant, the completion, the end) and keeps them.</summary>
public sealed partial class UploadSessionGrain
{
    private SealedPageRecords? _pageRecords;

    /// <summary>The sealed parts from the first on, as far as this activation read or sealed them.</summary>
    private readonly List<StagedPart> _sealedParts = [];

    /// <summary>Where the parts this activation holds of the pages end.</summary>
    private long SealedPartsEnd => _sealedParts.Count == 0 ? 0 : _sealedParts[^1].End;

    private SealedPageRecords PageRecords => _pageRecords ??=
        new(ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageName), this.GetGrainId());

    /// <summary>Every committed part, in order: the pages' (read once by this activation) and the tail.</summary>
    /// <exception cref="IOException">A page's record is gone or does not hold its parts.</exception>
    private async Task<StagedPart[]> AllPartsAsync()
    {
        if (S.Pages.Length == 0) return S.Parts;
        foreach (var page in S.Pages) await ReadSealedAsync(page);
        return [.. _sealedParts, .. S.Parts];
    }

    /// <summary>Reads the parts of <paramref name="page"/> and of the pages under it that this activation does not hold yet.</summary>
    private async Task ReadSealedAsync(SealedPage page)
    {
        if (page.End <= SealedPartsEnd) return;
        if (page.Level == 0)
        {
            _sealedParts.AddRange(await PageRecords.ReadAsync(page, SealedPartsEnd));
            return;
        }
        foreach (var listed in await PageRecords.ReadListAsync(page)) await ReadSealedAsync(listed);
    }

    /// <summary>After a commit is taken into the state and before the state is written: seals the tail's oldest page when it is
    /// due and folds the runs of pages due (each record written first, so the state that lists it is written only once it is
    /// durable), and writes again the pages past half their lifetime. All best effort: a page not written now is sealed, folded
    /// or written again at a later commit.</summary>
    /// <param name="replaceableFrom">The first byte of the commit's first part: a later commit may replace parts from there on.</param>
    private async Task SealDueAsync(long replaceableFrom)
    {
        var count = PartPaging.SealCount(S.Parts, replaceableFrom, _uploads.SessionPartsPerPage);
        if (count > 0 && _epoch is { } epoch)
        {
            var (sealedState, page, parts) = PartPaging.Seal(S, epoch, count, clock.GetUtcNow());
            try
            {
                await PageRecords.WriteAsync(page, parts);
                if (SealedPartsEnd == page.Start) _sealedParts.AddRange(parts);
                state.State = sealedState;
            }
            catch (Exception e) when (e is not InconsistentStateException)
            {
                LogPageNotWritten(UploadId, page.StateName, e.Message);
            }
        }
        await FoldDueAsync();
        await RewriteStalePagesAsync(_uploads.SessionRecordLifetime / 2);
    }

    /// <summary>Folds every run of pages that fills a list into a page of the level above, its record written first.</summary>
    private async Task FoldDueAsync()
    {
        var perList = _uploads.SessionPagesPerList;
        for (var at = PartPaging.FoldAt(S.Pages, perList); at >= 0 && _epoch is { } epoch; at = PartPaging.FoldAt(S.Pages, perList))
        {
            var (folded, list, pages) = PartPaging.Fold(S, epoch, at, perList);
            try
            {
                await PageRecords.WriteListAsync(list, pages);
                state.State = folded;
            }
            catch (Exception e) when (e is not InconsistentStateException)
            {
                LogPageNotWritten(UploadId, list.StateName, e.Message);
                return;
            }
        }
    }

    /// <summary>Writes again the pages whose records would expire within <paramref name="horizon"/>, and notes when.</summary>
    private async Task RewriteStalePagesAsync(TimeSpan horizon)
    {
        var now = clock.GetUtcNow();
        var stale = PartPaging.Stale(S.Pages, now, _uploads.SessionRecordLifetime, horizon);
        if (stale.Length == 0) return;
        var rewritten = new Dictionary<SealedPage, SealedPage>();
        foreach (var page in stale)
        {
            try
            {
                rewritten[page] = await PageRecords.RewriteAsync(page, now, _uploads.SessionRecordLifetime, horizon);
            }
            catch (Exception e) when (e is not InconsistentStateException)
            {
                LogPageNotWritten(UploadId, page.StateName, e.Message);
            }
        }
        state.State = S with { Pages = PartPaging.Rewritten(S.Pages, rewritten) };
    }

    /// <summary>Deletes the records of <paramref name="pages"/> and of the pages under them once the session has ended (best
    /// effort: they expire anyway).</summary>
    private async Task ClearPagesAsync(SealedPage[] pages)
    {
        foreach (var page in pages)
        {
            try
            {
                await PageRecords.ClearAsync(page);
            }
            catch (Exception e)
            {
                LogPageNotCleared(UploadId, page.StateName, e.Message);
            }
        }
    }

    /// <summary>The upload as the store stages it for epoch <paramref name="epoch"/>, with every part.</summary>
    private async Task<StagingTarget> StagingOfAsync(int epoch) =>
        new(UploadId, epoch, S.Size, S.ChunkSize, S.CommittedOffset, await AllPartsAsync(), S.StoreUploadId, S.PlanSize);
}
