using DirectDriveX.Grains.Interfaces;
using Orleans.Storage;

namespace DirectDriveX.Grains.Sessions;

/// <summary>The records of one session's sealed pages (<see cref="SealedPage"/>) in the session's own grain storage: what the
/// session's record lives in, so they share its expiry and its store. Failures of the storage are thrown as they come; a record
/// that is gone or does not hold what its page lists is an <see cref="IOException"/>.</summary>
internal sealed class SealedPageRecords(IGrainStorage storage, GrainId session)
{
    /// <summary>Writes <paramref name="page"/>'s record. A record of its name may be there already: a page's name fixes its parts
    /// (one epoch, one place among the pages), so it is this activation's own, written by a seal whose session write did not land
    /// or written before: it is written over, from its ETag.</summary>
    public async Task WriteAsync(SealedPage page, StagedPart[] parts)
    {
        var record = new GrainState<SealedPartsRecord>(new SealedPartsRecord { Parts = parts });
        try
        {
            await storage.WriteStateAsync(page.StateName, session, record);
        }
        catch (InconsistentStateException)
        {
            var stored = new GrainState<SealedPartsRecord>();
            await storage.ReadStateAsync(page.StateName, session, stored);
            record.ETag = stored.ETag;
            await storage.WriteStateAsync(page.StateName, session, record);
        }
    }

    /// <summary>The parts of <paramref name="page"/>, which follows the page that ends at <paramref name="before"/>.</summary>
    public async Task<StagedPart[]> ReadAsync(SealedPage page, long before)
    {
        var stored = new GrainState<SealedPartsRecord>();
        await storage.ReadStateAsync(page.StateName, session, stored);
        if (!stored.RecordExists)
            throw new IOException($"The record of the parts [{page.Start}, {page.End}) ({page.StateName}) is gone.");
        var parts = stored.State?.Parts ?? [];
        if (!PartPaging.Holds(page, parts, before))
            throw new IOException($"The record {page.StateName} does not hold the {page.Count} parts [{page.Start}, {page.End}) it was sealed with.");
        return parts;
    }

    /// <summary>Writes <paramref name="page"/>'s record again as it is (its expiry runs from now).</summary>
    public async Task RewriteAsync(SealedPage page)
    {
        var stored = new GrainState<SealedPartsRecord>();
        await storage.ReadStateAsync(page.StateName, session, stored);
        if (!stored.RecordExists) throw new IOException($"The record of the parts [{page.Start}, {page.End}) ({page.StateName}) is gone.");
        await storage.WriteStateAsync(page.StateName, session, stored);
    }

    /// <summary>Deletes <paramref name="page"/>'s record, if it is there.</summary>
    public async Task ClearAsync(SealedPage page)
    {
        var stored = new GrainState<SealedPartsRecord>();
        await storage.ReadStateAsync(page.StateName, session, stored);
        if (stored.RecordExists) await storage.ClearStateAsync(page.StateName, session, stored);
    }
}
