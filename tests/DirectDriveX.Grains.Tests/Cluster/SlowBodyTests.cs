using DirectDriveX.Testing;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Tests.Cluster;

/// <summary>
/// A body that keeps coming slowly outlives both deadlines of its session (the first-byte deadline and the lease timeout) as long
/// as its bytes keep coming: its writer checks in every third of the shorter deadline. The deadlines here are seconds long so that
/// a loaded test machine's stall of a second or two (a GC, an fsync behind other tests' gigabytes) is not taken for a client that
/// went quiet: with the two-second deadline of <see cref="ExpiryClusterFixture"/>, a stall of 1.2 s expired the session once in CI.
/// </summary>
public sealed class SlowBodyTests : IAsyncLifetime
{
    private static readonly TimeSpan FirstByteTimeout = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan LeaseTimeout = TimeSpan.FromSeconds(5);
    private OwnTestCluster _silo = null!;

    public async Task InitializeAsync() => _silo = await OwnTestCluster.StartAsync("slow-body", root => new()
    {
        ["FileStore:RootDirectory"] = root,
        ["Uploads:FirstByteTimeout"] = FirstByteTimeout.ToString(),
        ["MemoryBudget:LeaseTimeout"] = LeaseTimeout.ToString(),
        ["MemoryBudget:SweepInterval"] = "00:00:00.100",
    });

    public Task DisposeAsync() => _silo.DisposeAsync().AsTask();

    [Fact]
    public async Task A_body_held_for_its_checksum_that_keeps_coming_past_both_deadlines_neither_expires_nor_parks_its_session()
    {
        var data = TestBytes.Random(48 * 16 * 1024, seed: 12);
        var (grain, info) = await UploadDriver.StartOn(_silo.Cluster.Client, _silo.Silo, new UploadRequest("held-slowly.bin", data.Length));
        var handle = await UploadDriver.Open(_silo.Cluster, info);
        var started = DateTime.UtcNow;
        await using (var writer = await handle.OpenHeldWriterAsync()) // nothing is committed before the whole body is verified
        {
            // A slow client: 16 KiB every 150 ms, so its body takes longer than either deadline.
            for (var offset = 0; offset < data.Length; offset += 16 * 1024)
            {
                await writer.WriteAsync(data.AsMemory(offset, 16 * 1024), CancellationToken.None);
                await Task.Delay(150); // the client's pace: the test is about time passing, not waiting for a condition
                var status = await grain.GetState();
                Assert.True(status.State == UploadState.Reserved && status.LeaseNodeId == info.NodeId,
                    $"{status.State} with lease node '{status.LeaseNodeId}' after {DateTime.UtcNow - started}");
            }
            Assert.True(DateTime.UtcNow - started > LeaseTimeout + TimeSpan.FromSeconds(1));
            Assert.Equal(data.Length, await writer.CompleteAsync());
        }
        var result = await UploadDriver.Complete(_silo.Cluster, info);
        Assert.Equal(TestBytes.Sha256Hex(data), result.File!.Sha256);
    }
}
