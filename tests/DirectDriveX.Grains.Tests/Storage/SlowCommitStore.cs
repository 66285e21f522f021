using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>
/// A real store whose commits are slow on demand: each commit waits until <see cref="MayCommit"/> holds, and every write and
/// commit samples the bytes in the node's scratch directory (the files themselves, as <c>du</c> would count them) for
/// <see cref="PeakScratchBytes"/>. <see cref="WrittenEnd"/> is how far the writer has written.
/// </summary>
public sealed class SlowCommitStore(IUploadStore inner, string scratchDirectory) : IUploadStore
{
    private long _peak;
    private long _written;
    private int _inFlight;
    private int _peakInFlight;
    private long _largestPart;
    private int _commitsDone;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, int> _waiting = new();

    /// <summary>Asked with the end of the commit waiting; the commit goes ahead once it answers true.</summary>
    public Func<long, bool> MayCommit { get; set; } = _ => true;

    public long PeakScratchBytes => Interlocked.Read(ref _peak);
    public long WrittenEnd => Interlocked.Read(ref _written);

    /// <summary>Commits started and not yet answered, now and at most.</summary>
    public int CommitsInFlight => Volatile.Read(ref _inFlight);
    public int PeakCommitsInFlight => Volatile.Read(ref _peakInFlight);

    /// <summary>Whether a commit up to <paramref name="end"/> is waiting for <see cref="MayCommit"/> now.</summary>
    public bool IsWaiting(long end) => _waiting.ContainsKey(end);

    /// <summary>Commits the store has answered: their bytes are in it (recorded by the session or not).</summary>
    public int CommitsDone => Volatile.Read(ref _commitsDone);

    /// <summary>The longest part a commit returned: what one request body to the store held.</summary>
    public long LargestPart => Interlocked.Read(ref _largestPart);

    /// <summary>The real store behind.</summary>
    public IUploadStore Inner => inner;

    public StoreKind Kind => inner.Kind;
    public long? AvailableBytes() => inner.AvailableBytes();

    public Task CheckAsync(CancellationToken cancellationToken) => inner.CheckAsync(cancellationToken);
    public async Task<IStagingFile> OpenStagingAsync(StagingTarget target, CancellationToken cancellationToken) =>
        new StagingFile(await inner.OpenStagingAsync(target, cancellationToken), this);
    public int PartsForStaging(IReadOnlyList<StagedPart> parts) => inner.PartsForStaging(parts);
    public Task<int> ReadStagedAsync(string uploadId, IReadOnlyList<StagedPart> parts, long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        inner.ReadStagedAsync(uploadId, parts, offset, buffer, cancellationToken);
    public Task AssembleAsync(StagingTarget target, CancellationToken cancellationToken) => inner.AssembleAsync(target, cancellationToken);
    public Task<Stream> OpenAssembledAsync(StagingTarget target, CancellationToken cancellationToken) => inner.OpenAssembledAsync(target, cancellationToken);
    public Task PublishAsync(StagingTarget target, StoredFileRecord record, CancellationToken cancellationToken) => inner.PublishAsync(target, record, cancellationToken);
    public Task DeleteStagingAsync(StagingRemains remains, bool published, CancellationToken cancellationToken) =>
        inner.DeleteStagingAsync(remains, published, cancellationToken);
    public IAsyncEnumerable<StagedFile> ListStagingAsync(CancellationToken cancellationToken) => inner.ListStagingAsync(cancellationToken);
    public IAsyncEnumerable<StoredFileEntry> ListStoredAsync(CancellationToken cancellationToken) => inner.ListStoredAsync(cancellationToken);
    public Task<StoredFileRecord?> ReadRecordAsync(string fileId, CancellationToken cancellationToken = default) => inner.ReadRecordAsync(fileId, cancellationToken);
    public Task<Uri?> LinkToStoredAsync(StoredFileLink link, CancellationToken cancellationToken = default) =>
        inner.LinkToStoredAsync(link, cancellationToken);

    public Task<Stream?> OpenStoredAsync(string fileId, long length, CancellationToken cancellationToken = default) =>
        inner.OpenStoredAsync(fileId, length, cancellationToken);
    public Task<bool> DeleteStoredAsync(string fileId, CancellationToken cancellationToken = default) => inner.DeleteStoredAsync(fileId, cancellationToken);

    /// <summary>The bytes in the scratch directory now. A file deleted between the listing and its length counts nothing: a commit
    /// that ends beside the writer drops its windows while the writer's sample lists them.</summary>
    public long ScratchBytes() => new DirectoryInfo(scratchDirectory).GetFiles().Sum(LengthOrNothing);

    private static long LengthOrNothing(FileInfo file)
    {
        try
        {
            return file.Length;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private void Sample()
    {
        var now = ScratchBytes();
        long peak;
        while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak) { }
    }

    private sealed class StagingFile(IStagingFile file, SlowCommitStore store) : IStagingFile
    {
        public bool KeepsBytesUntilCommitted => file.KeepsBytesUntilCommitted;

        public bool CommitsConcurrently => file.CommitsConcurrently;

        public ValueTask DiscardAsync(long offset, CancellationToken cancellationToken) => file.DiscardAsync(offset, cancellationToken);

        public int LastPartNumber(long from, long to) => file.LastPartNumber(from, to);

        public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            await file.WriteAsync(offset, data, cancellationToken);
            var end = offset + data.Length;
            long written;
            while (end > (written = store.WrittenEnd) && Interlocked.CompareExchange(ref store._written, end, written) != written) { }
            store.Sample();
        }

        public async Task<StagedCommit> CommitAsync(long from, long to, CancellationToken cancellationToken)
        {
            var inFlight = Interlocked.Increment(ref store._inFlight);
            int peak;
            while (inFlight > (peak = store.PeakCommitsInFlight) && Interlocked.CompareExchange(ref store._peakInFlight, inFlight, peak) != peak) { }
            try
            {
                store._waiting.AddOrUpdate(to, 1, (_, count) => count + 1);
                try
                {
                    await Eventually.Holds(() => Task.FromResult(store.MayCommit(to)), may => may, TimeSpan.FromSeconds(60), $"the commit up to {to} may go");
                }
                finally
                {
                    if (store._waiting.AddOrUpdate(to, 0, (_, count) => count - 1) == 0) store._waiting.TryRemove(KeyValuePair.Create(to, 0));
                }
                store.Sample();
                var commit = await file.CommitAsync(from, to, cancellationToken);
                Interlocked.Increment(ref store._commitsDone);
                store.Sample();
                var longest = commit.Parts.Max(part => part.Length);
                long largest;
                while (longest > (largest = store.LargestPart) && Interlocked.CompareExchange(ref store._largestPart, longest, largest) != largest) { }
                return commit;
            }
            finally
            {
                Interlocked.Decrement(ref store._inFlight);
            }
        }

        public ValueTask DisposeAsync() => file.DisposeAsync();
    }
}
