using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Tests.Cluster;
using Xunit.Abstractions;

namespace DirectDriveX.Grains.Tests.DataPlane;

/// <summary>Three silos whose state lives in the store's files (so a killed silo loses none), failure detected within seconds.</summary>
public sealed class MoveSequenceClusterFixture : ClusterFixture
{
    protected override IReadOnlyDictionary<string, long> MemoryCaps { get; } =
        new Dictionary<string, long> { ["Silo_0"] = 2 * GiB, ["Silo_1"] = 2 * GiB, ["Silo_2"] = 2 * GiB };

    protected override bool StateInFiles => true;

    /// <summary>The silos deployed first (Silo_0..2): sessions are moved among those not killed. A silo started to replace a
    /// killed one takes a while before placement sees it, and is there to keep the cluster's size only.</summary>
    public SiloAddress[] FirstSilos => _first ??= [.. Cluster.Silos.Select(s => s.SiloAddress)];

    /// <summary>Silos killed by earlier seeds (the seeds share this cluster).</summary>
    public HashSet<SiloAddress> Killed { get; } = [];

    private SiloAddress[]? _first;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Orleans:Membership:ProbeTimeout"] = "00:00:01",
        ["Orleans:Membership:NumMissedProbesLimit"] = "2",
    };
}

/// <summary>
/// Issue 21, randomised: an upload goes through a seeded sequence of moves (graceful, as a silo stop deactivates its
/// sessions; and kill -9 of its silo), drops (mid-chunk, after the last acknowledgement), half-open connections taken
/// over, and writers of earlier activations that go on sending other bytes; then it completes. Every upload's stored
/// bytes and SHA-256 must be the file's, with and without a declared SHA-256.
/// </summary>
public class MoveSequenceTests(MoveSequenceClusterFixture fixture, ITestOutputHelper output) : IClassFixture<MoveSequenceClusterFixture>
{
    private const int Chunk = 65_536;

    /// <summary>Steps during which the sequence moves, kills, drops and takes over; after them the upload only goes on.</summary>
    private const int Disruptive = 40;

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 8)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Whatever_the_sequence_the_stored_bytes_and_sha256_are_the_files(int seed)
    {
        var random = new Random(seed);
        var data = TestBytes.Random(random.Next(8 * Chunk, 20 * Chunk), seed: 2100 + seed);
        var declare = seed % 2 == 0;
        var mayKill = seed % 3 == 0;
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, LiveSilos()[random.Next(LiveSilos().Length)],
            new UploadRequest($"sequence-{seed}.bin", data.Length, null, declare ? TestBytes.Sha256Hex(data) : null));
        var log = new List<string>();
        var lingering = new List<StagingWriter>(); // half-open connections nothing has superseded yet: their bytes are the client's
        var stale = new List<StagingWriter>();     // superseded by a later connection, a deactivation or a kill
        StagingWriter? writer = null;
        UploadSessionHandle? handle = null;
        StoredFileRecord? stored = null;
        try
        {
            for (var step = 0; stored is null; step++)
            {
                Assert.True(step < 400, $"seed {seed}: no completion after 400 steps: {string.Join(", ", log)}");
                if (writer is not null && writer.ReceivedOffset == data.Length && random.Next(3) > 0)
                {
                    log.Add("complete");
                    stored = (await TryAsync(() => handle!.CompleteAsync(writer, CancellationToken.None)))?.File;
                    if (stored is null) (writer, handle) = (Stale(stale, writer), null);
                    continue;
                }
                switch (step < Disruptive ? random.Next(12) : 0) // then it settles: connect, send and complete
                {
                    case < 5 when writer is null:
                        log.Add("connect");
                        Supersede(lingering, stale);
                        handle = await OpenAsync(info);
                        writer = await TryAsync(() => handle.OpenWriterAsync(onCommitted: null));
                        if (writer is null && (await grain.GetState()).CommittedOffset == data.Length)
                        {
                            try
                            {
                                stored = (await handle.CompleteAsync(CancellationToken.None)).File;
                                log.Add("complete committed");
                            }
                            catch (UploadRefusedException e)
                            {
                                log.Add($"complete committed refused: {e.Refusal}");
                            }
                        }
                        break;
                    case < 5:
                        var count = (int)Math.Min(random.Next(1, 3 * Chunk / 2), data.Length - writer.ReceivedOffset);
                        log.Add($"send {writer.ReceivedOffset}+{count}");
                        if (count > 0 && !await SentAsync(writer, data.AsMemory((int)writer.ReceivedOffset, count)))
                            (writer, handle) = (Stale(stale, writer), null);
                        break;
                    case 5 when writer is not null:
                        log.Add($"drop at {writer.ReceivedOffset}"); // what reached the node is committed, as a dropped socket's
                        await TryAsync(writer.CompleteAsync);
                        await writer.DisposeAsync();
                        (writer, handle) = (null, null);
                        break;
                    case 6 when writer is not null:
                        log.Add($"half-open at {writer.ReceivedOffset}"); // the client reconnects; the old connection lingers
                        (writer, handle) = (Stale(lingering, writer), null);
                        break;
                    case 7:
                        var target = LiveSilos()[random.Next(LiveSilos().Length)];
                        log.Add($"deactivate, toward {target}"); // as a graceful stop of its silo does
                        using (UploadPlacementHint.Target(target))
                            await grain.AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
                        if (writer is not null) (writer, handle) = (Stale(stale, writer), null);
                        Supersede(lingering, stale);
                        break;
                    case 8 or 9 when mayKill:
                        mayKill = false;
                        var host = MemoryBudgetKey.ToSilo((await grain.GetState()).ActiveNodeId!);
                        if (host.Equals(fixture.FirstSilos[0])) break; // Silo_0 holds the test cluster's membership
                        log.Add($"kill {host}");
                        fixture.Killed.Add(host);
                        await fixture.Cluster.KillSiloAsync(fixture.Cluster.Silos.Single(s => s.SiloAddress.Equals(host)));
                        if (writer is not null) (writer, handle) = (Stale(stale, writer), null);
                        Supersede(lingering, stale);
                        await fixture.Cluster.StartAdditionalSiloAsync();
                        break;
                    case 10 when lingering.Count > 0:
                        var late = lingering[random.Next(lingering.Count)];
                        var due = (int)Math.Min(Chunk, data.Length - late.ReceivedOffset);
                        log.Add($"lingering connection delivers the file's bytes at {late.ReceivedOffset}+{due}");
                        if (due > 0) await SentAsync(late, data.AsMemory((int)late.ReceivedOffset, due));
                        break;
                    case >= 10 when stale.Count > 0:
                        var old = stale[random.Next(stale.Count)];
                        var length = (int)Math.Min(2 * Chunk, data.Length - old.ReceivedOffset);
                        log.Add($"stale writer sends other bytes at {old.ReceivedOffset}+{length}");
                        if (length > 0) await SentAsync(old, Other(data, old.ReceivedOffset, length));
                        break;
                }
            }
        }
        finally
        {
            if (writer is not null) stale.Add(writer);
            foreach (var old in stale.Concat(lingering))
            {
                try { await old.DisposeAsync(); }
                catch (Exception e) when (e is UploadRefusedException or OrleansException or TimeoutException) { }
            }
        }

        var sequence = $"seed {seed} ({data.Length} bytes, {(declare ? "SHA-256 declared" : "no SHA-256")}): {string.Join(", ", log)}";
        output.WriteLine(sequence);
        Assert.True(TestBytes.Sha256Hex(data) == stored.Sha256, sequence);
        var storedBytes = await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId));
        Assert.True(data.AsSpan().SequenceEqual(storedBytes), sequence);
        Assert.Equal(UploadState.Completed, (await grain.GetState()).State);
        Assert.Empty(fixture.StagedFiles(info.UploadId));
    }

    /// <summary>The silos a session is moved to: the first three, less any killed (a silo started to replace one takes a while
    /// before placement sees it, and is there to keep the cluster's size only).</summary>
    private SiloAddress[] LiveSilos() => [.. fixture.FirstSilos.Where(s => !fixture.Killed.Contains(s))];

    /// <summary>Opens the upload on the node it is active on, once the cluster answers for it (after a kill it may take seconds).</summary>
    private async Task<UploadSessionHandle> OpenAsync(UploadSessionInfo info)
    {
        var opened = await Eventually.Holds(async () =>
        {
            try
            {
                var plane = await UploadDriver.PlaneOf(fixture.Cluster, info);
                return (await plane.OpenAsync(info.UploadId, info.ResumeToken, requireToken: true)).Handle;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException or InvalidOperationException)
            {
                return null; // a killed silo not yet declared dead
            }
        }, handle => handle is not null, TimeSpan.FromSeconds(60), $"upload {info.UploadId} opens on a live node");
        return opened!;
    }

    private static void Supersede(List<StagingWriter> lingering, List<StagingWriter> stale)
    {
        stale.AddRange(lingering);
        lingering.Clear();
    }

    private static StagingWriter? Stale(List<StagingWriter> stale, StagingWriter writer)
    {
        stale.Add(writer);
        return null;
    }

    /// <summary>Bytes other than the file's: what the worst stale writer could send.</summary>
    private static byte[] Other(byte[] data, long offset, int length) =>
        [.. data.Skip((int)offset).Take(length).Select(b => (byte)(b ^ 0xA5))];

    private static async Task<bool> SentAsync(StagingWriter writer, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await writer.WriteAsync(bytes, CancellationToken.None);
            return true;
        }
        catch (UploadRefusedException)
        {
            return false;
        }
    }

    private static async Task<T?> TryAsync<T>(Func<Task<T>> action) where T : class
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is UploadRefusedException or OrleansException or TimeoutException)
        {
            return null;
        }
    }

    private static async Task<long?> TryAsync(Func<Task<long>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is UploadRefusedException or OrleansException or TimeoutException)
        {
            return null;
        }
    }
}
