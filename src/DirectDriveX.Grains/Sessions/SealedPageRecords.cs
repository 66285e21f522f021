using DirectDriveX.Grains.Interfaces;
using Orleans.Storage;

namespace DirectDriveX.Grains.Sessions;

/// <summary>The records of one session's sealed pages (<see cref="SealedPage"/>: parts, or for a level above 0 the pages it
/// folded) in the session's own grain storage: what the session's record lives in, so they share its expiry and its store.
/// Failures of the storage are thrown as they come; a record that is gone or does not hold what its page lists is an
/// <see cref="IOException"/>.</summary>
internal sealed class SealedPageRecords(IGrainStorage storage, GrainId session)
{
    /// <summary>Writes <paramref name="page"/>'s record. A record of its name may be there already: a page's name fixes its parts
    /// (one epoch, one place among the parts), so it is this activation's own, written by a seal whose session write did not land
    /// or written before: it is written over, from its ETag.</summary>
    public Task WriteAsync(SealedPage page, StagedPart[] parts) =>
        WriteOverAsync(page.StateName, new SealedPartsRecord { Parts = parts });

    /// <summary>Writes list page <paramref name="list"/>'s record, listing <paramref name="pages"/>; over one of its name, as
    /// <see cref="WriteAsync"/> does.</summary>
    public Task WriteListAsync(SealedPage list, SealedPage[] pages) =>
        WriteOverAsync(list.StateName, new SealedPageListRecord { Pages = pages });

    private async Task WriteOverAsync<T>(string stateName, T state)
    {
        var record = new GrainState<T>(state);
        try
        {
            await storage.WriteStateAsync(stateName, session, record);
        }
        catch (InconsistentStateException)
        {
            var stored = new GrainState<T>();
            await storage.ReadStateAsync(stateName, session, stored);
            record.ETag = stored.ETag;
            await storage.WriteStateAsync(stateName, session, record);
        }
    }

    /// <summary>The parts of <paramref name="page"/> (level 0), which follows the page that ends at <paramref name="before"/>.</summary>
    public async Task<StagedPart[]> ReadAsync(SealedPage page, long before)
    {
        var stored = await ReadRecordAsync<SealedPartsRecord>(page);
        var parts = stored.Parts;
        if (!PartPaging.Holds(page, parts, before))
            throw new IOException($"The record {page.StateName} does not hold the {page.Count} parts [{page.Start}, {page.End}) it was sealed with.");
        return parts;
    }

    /// <summary>The pages list page <paramref name="list"/> folded.</summary>
    public async Task<SealedPage[]> ReadListAsync(SealedPage list)
    {
        var pages = (await ReadRecordAsync<SealedPageListRecord>(list)).Pages;
        if (!PartPaging.HoldsPages(list, pages))
            throw new IOException($"The record {list.StateName} does not hold the pages of the {list.Count} parts [{list.Start}, {list.End}) it was folded from.");
        return pages;
    }

    private async Task<T> ReadRecordAsync<T>(SealedPage page) where T : new()
    {
        var stored = new GrainState<T>();
        await storage.ReadStateAsync(page.StateName, session, stored);
        if (!stored.RecordExists)
            throw new IOException($"The record of the parts [{page.Start}, {page.End}) ({page.StateName}) is gone.");
        return stored.State ?? new T();
    }

    /// <summary>Writes <paramref name="page"/>'s record again so that it expires a record lifetime from <paramref name="now"/>,
    /// and for a list page first the records under it that would expire within <paramref name="horizon"/> (each expires
    /// <paramref name="lifetime"/> after it was written); the page's entry as written.</summary>
    public async Task<SealedPage> RewriteAsync(SealedPage page, DateTimeOffset now, TimeSpan lifetime, TimeSpan horizon)
    {
        if (page.Level == 0)
        {
            var stored = new GrainState<SealedPartsRecord>();
            await storage.ReadStateAsync(page.StateName, session, stored);
            if (!stored.RecordExists) throw new IOException($"The record of the parts [{page.Start}, {page.End}) ({page.StateName}) is gone.");
            await storage.WriteStateAsync(page.StateName, session, stored);
            return page with { WrittenAt = now };
        }
        var list = new GrainState<SealedPageListRecord>();
        await storage.ReadStateAsync(page.StateName, session, list);
        if (!list.RecordExists || !PartPaging.HoldsPages(page, list.State?.Pages ?? []))
            throw new IOException($"The record of the pages of [{page.Start}, {page.End}) ({page.StateName}) is gone or not theirs.");
        var rewritten = new Dictionary<SealedPage, SealedPage>();
        foreach (var stale in PartPaging.Stale(list.State!.Pages, now, lifetime, horizon))
            rewritten[stale] = await RewriteAsync(stale, now, lifetime, horizon);
        var pages = PartPaging.Rewritten(list.State.Pages, rewritten);
        list.State = new SealedPageListRecord { Pages = pages };
        await storage.WriteStateAsync(page.StateName, session, list);
        return PartPaging.Relisted(page, pages, now);
    }

    /// <summary>Deletes <paramref name="page"/>'s record, if it is there, and for a list page the records under it first.</summary>
    public async Task ClearAsync(SealedPage page)
    {
        if (page.Level == 0)
        {
            var stored = new GrainState<SealedPartsRecord>();
            await storage.ReadStateAsync(page.StateName, session, stored);
            if (stored.RecordExists) await storage.ClearStateAsync(page.StateName, session, stored);
            return;
        }
        var list = new GrainState<SealedPageListRecord>();
        await storage.ReadStateAsync(page.StateName, session, list);
        if (!list.RecordExists) return; // what it listed is left to expire
        foreach (var listed in list.State?.Pages ?? []) await ClearAsync(listed);
        await storage.ClearStateAsync(page.StateName, session, list);
    }
}
