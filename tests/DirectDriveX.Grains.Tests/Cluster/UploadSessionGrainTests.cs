using DirectDriveX.Grains.Interfaces;
using static DirectDriveX.Grains.Tests.Cluster.ClusterFixture;

namespace DirectDriveX.Grains.Tests.Cluster;

[Collection(BudgetCluster.Name)]
public class UploadSessionGrainTests(BudgetClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Client;
    private SiloAddress Secondary => fixture.Silo("Silo_1");

    [Fact]
    public async Task A_full_upload_round_trips_byte_identical_on_the_hinted_silo_and_leaves_no_lease()
    {
        var data = TestBytes.Random(30 * 1024 * 1024 + 123, seed: 1);
        var sha = TestBytes.Sha256Hex(data);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("video.bin", data.Length, "video/mp4", sha));

        Assert.Equal(MemoryBudgetKey.For(Secondary), info.NodeId);
        Assert.Equal("Silo_1", info.NodeName);
        Assert.Equal(data.Length / 5, info.ReservedBytes);           // under 100 MiB: 20%
        Assert.Equal((int)info.ReservedBytes > 8 * MiB ? 8 * MiB : info.ReservedBytes, info.ChunkSize);
        var during = await UploadDriver.Budget(Grains, Secondary);
        Assert.Equal(1, during.LeaseCount);
        Assert.Equal(info.ReservedBytes, during.LeasedBytes);

        await UploadDriver.SendAll(grain, data, info.ChunkSize);
        var result = await grain.Complete();

        Assert.True(result.Completed, result.Refusal?.Message);
        Assert.Equal(new StoredFileRecord(info.UploadId, "video.bin", data.Length, sha, "video/mp4", result.File!.CreatedAt, "Silo_1"), result.File);
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId)));
        Assert.False(File.Exists(fixture.StagingPath(info.UploadId)));
        var status = await grain.GetStatus();
        Assert.Equal((UploadState.Completed, (long)data.Length, info.UploadId), (status.State, status.CommittedOffset, status.FileId));
        Assert.Equal(0, (await UploadDriver.Budget(Grains, Secondary)).LeaseCount);

        var stored = Grains.GetGrain<IStoredFileGrain>(info.UploadId);
        Assert.Equal(result.File, await stored.GetRecord());
        Assert.Equal(data.AsMemory(1000, 5000).ToArray(), (await stored.Read(1000, 5000)).ToArray());
        Assert.Equal(data.AsMemory(data.Length - 10).ToArray(), (await stored.Read(data.Length - 10, 5000)).ToArray());
    }

    [Fact]
    public async Task The_resume_token_authorises_only_its_own_session()
    {
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", 1000));
        Assert.True(await grain.Authorize(info.ResumeToken));
        Assert.False(await grain.Authorize(UploadIds.NewResumeToken()));
        Assert.False(await Grains.GetGrain<IUploadSessionGrain>(UploadIds.NewId()).Authorize(info.ResumeToken));
        await grain.Abort();
    }

    [Fact]
    public async Task A_chunk_at_the_wrong_offset_is_refused_with_the_expected_offset()
    {
        var data = TestBytes.Random(300_000, seed: 2);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", data.Length));
        Assert.Equal(65_536, info.ChunkSize);
        await UploadDriver.SendAll(grain, data[..131_072], info.ChunkSize);

        var gap = await grain.WriteChunk(196_608, data.AsMemory(196_608, 65_536));

        Assert.Equal(new UploadRefusal(RefusalReason.OffsetMismatch, "Chunk at offset 196608; the upload continues at 131072.", ExpectedOffset: 131_072), gap.Refusal);
        Assert.Equal(131_072, gap.CommittedOffset);
        await grain.Abort();
    }

    [Fact]
    public async Task A_chunk_already_committed_is_acknowledged_again_and_a_different_one_is_refused()
    {
        var data = TestBytes.Random(200_000, seed: 3);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", data.Length));
        await UploadDriver.SendAll(grain, data[..131_072], info.ChunkSize);

        var duplicate = await grain.WriteChunk(65_536, data.AsMemory(65_536, 65_536));
        Assert.Equal(new ChunkAck(131_072, true, null), duplicate);

        var tampered = data.AsMemory(65_536, 65_536).ToArray();
        tampered[7] ^= 0xFF;
        var different = await grain.WriteChunk(65_536, tampered);
        Assert.Equal(RefusalReason.OffsetMismatch, different.Refusal!.Reason);
        Assert.Equal(131_072, different.Refusal.ExpectedOffset);
        await grain.Abort();
    }

    [Fact]
    public async Task Oversized_chunks_and_writes_past_the_declared_size_are_refused()
    {
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", 100_000));
        var tooBig = await grain.WriteChunk(0, new byte[info.ChunkSize + 1]);
        Assert.Equal(new UploadRefusal(RefusalReason.ChunkTooLarge, $"Chunk of {info.ChunkSize + 1} bytes is over this upload's chunk size of {info.ChunkSize} bytes."), tooBig.Refusal);

        await UploadDriver.SendAll(grain, new byte[65_536], info.ChunkSize);
        var pastEnd = await grain.WriteChunk(65_536, new byte[40_000]);
        Assert.Equal(new UploadRefusal(RefusalReason.ChunkTooLarge, "Chunk [65536, 105536) is outside the declared size of 100000 bytes."), pastEnd.Refusal);
        await grain.Abort();
    }

    [Fact]
    public async Task A_file_over_the_maximum_size_is_refused_before_any_reservation()
    {
        var grain = Grains.GetGrain<IUploadSessionGrain>(UploadIds.NewId());
        var before = await UploadDriver.Budget(Grains, fixture.Silo("Silo_0"));
        UploadStartResult result;
        using (UploadPlacementHint.Target(fixture.Silo("Silo_0")))
            result = await grain.Start(new UploadRequest("huge.iso", 4 * GiB + 1));

        Assert.Equal(new UploadRefusal(RefusalReason.FileTooLarge, $"size: {4 * GiB + 1} bytes is over the maximum of {4 * GiB} bytes."), result.Refusal);
        Assert.Equal(before.LeaseCount, (await UploadDriver.Budget(Grains, fixture.Silo("Silo_0"))).LeaseCount);
    }

    [Fact]
    public async Task An_upload_whose_reservation_exceeds_the_headroom_is_refused_with_figures()
    {
        // 4 GiB reserves 100 MiB; fill Silo_0 (512 MiB headroom) with a 450 MiB lease first.
        var silo = fixture.Silo("Silo_0");
        var blocker = UploadIds.NewId();
        Assert.True((await Grains.BudgetOf(silo).TryReserve(blocker, 450 * MiB)).Granted);
        try
        {
            var grain = Grains.GetGrain<IUploadSessionGrain>(UploadIds.NewId());
            UploadStartResult result;
            using (UploadPlacementHint.Target(silo))
                result = await grain.Start(new UploadRequest("big.iso", 4 * GiB));

            Assert.Equal(RefusalReason.InsufficientHeadroom, result.Refusal!.Reason);
            Assert.Equal(new BudgetFigures(MemoryBudgetKey.For(silo), 100 * MiB, 62 * MiB, 1 * GiB, 512 * MiB, 1 * GiB * 80 / 100, 450 * MiB), result.Refusal.Figures);
            Assert.Equal(UploadState.Created, (await grain.GetStatus()).State);
        }
        finally
        {
            await Grains.BudgetOf(silo).Release(blocker);
        }
    }

    [Fact]
    public async Task Writes_after_completion_are_refused_and_completion_is_idempotent()
    {
        var data = TestBytes.Random(10_000, seed: 4);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", data.Length));
        await UploadDriver.SendAll(grain, data, info.ChunkSize);
        var first = await grain.Complete();

        var late = await grain.WriteChunk(0, data);
        Assert.Equal(new UploadRefusal(RefusalReason.InvalidState, $"Upload {info.UploadId} is already completed."), late.Refusal);
        Assert.Equal(first.File, (await grain.Complete()).File);
    }

    [Fact]
    public async Task Completing_before_all_bytes_arrived_says_where_to_continue()
    {
        var data = TestBytes.Random(100_000, seed: 5);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", data.Length));
        await UploadDriver.SendAll(grain, data[..65_536], info.ChunkSize);

        var result = await grain.Complete();

        Assert.Equal(new UploadRefusal(RefusalReason.Incomplete, "65536 of 100000 bytes received; send the rest from offset 65536.", ExpectedOffset: 65_536), result.Refusal);
        await UploadDriver.SendAll(grain, data, info.ChunkSize, from: 65_536);
        Assert.True((await grain.Complete()).Completed);
    }

    [Fact]
    public async Task A_wrong_hash_fails_the_upload_deletes_the_data_and_releases_the_lease()
    {
        var data = TestBytes.Random(150_000, seed: 6);
        var declared = new string('0', 64);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", data.Length, null, declared));
        await UploadDriver.SendAll(grain, data, info.ChunkSize);

        var result = await grain.Complete();

        var expected = new UploadRefusal(RefusalReason.HashMismatch,
            $"SHA-256 of the received bytes is {TestBytes.Sha256Hex(data)}; the client declared {declared}.");
        Assert.Equal(expected, result.Refusal);
        var status = await grain.GetStatus();
        Assert.Equal((UploadState.Failed, expected), (status.State, status.Failure));
        Assert.False(File.Exists(fixture.StagingPath(info.UploadId)));
        Assert.False(File.Exists(fixture.StoredPath(info.UploadId)));
        Assert.False(await Grains.BudgetOf(Secondary).Renew(info.UploadId));
        Assert.Equal(expected, (await grain.WriteChunk(0, data.AsMemory(0, 10))).Refusal);
    }

    [Fact]
    public async Task Abort_deletes_the_staged_data_releases_the_lease_and_is_idempotent()
    {
        var data = TestBytes.Random(150_000, seed: 7);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", data.Length));
        await UploadDriver.SendAll(grain, data[..65_536], info.ChunkSize);
        Assert.True(File.Exists(fixture.StagingPath(info.UploadId)));

        await grain.Abort();
        await grain.Abort();

        Assert.Equal(UploadState.Aborted, (await grain.GetStatus()).State);
        Assert.False(File.Exists(fixture.StagingPath(info.UploadId)));
        Assert.False(await Grains.BudgetOf(Secondary).Renew(info.UploadId));
        Assert.Equal(new UploadRefusal(RefusalReason.Aborted, $"Upload {info.UploadId} was aborted."), (await grain.WriteChunk(65_536, data.AsMemory(65_536, 10))).Refusal);
    }

    [Fact]
    public async Task A_session_that_moves_to_a_new_activation_resumes_and_verifies_from_disk()
    {
        var data = TestBytes.Random(400_000, seed: 8);
        var sha = TestBytes.Sha256Hex(data);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", data.Length, null, sha));
        await UploadDriver.SendAll(grain, data[..196_608], info.ChunkSize);

        await fixture.Cluster.DeactivateAsync(grain);   // the running hash is gone; the staged bytes and state are not

        var status = await grain.GetStatus();
        Assert.Equal((UploadState.Receiving, 196_608L), (status.State, status.CommittedOffset));
        await UploadDriver.SendAll(grain, data, info.ChunkSize, from: status.CommittedOffset);
        var result = await grain.Complete();
        Assert.Equal(sha, result.File!.Sha256);
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId)));
    }

    [Fact]
    public async Task A_path_like_file_name_is_only_metadata()
    {
        var data = TestBytes.Random(1_000, seed: 9);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("../../etc/passwd", data.Length));
        await UploadDriver.SendAll(grain, data, info.ChunkSize);
        var result = await grain.Complete();

        Assert.Equal("../../etc/passwd", result.File!.FileName);
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId)));
        Assert.Empty(Directory.GetFiles(fixture.StoreRoot, "passwd", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetDirectories(fixture.StoreRoot, "etc", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Starting_twice_is_refused()
    {
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", 1_000));
        var again = await grain.Start(new UploadRequest("a.bin", 1_000));
        Assert.Equal(new UploadRefusal(RefusalReason.InvalidState, $"Upload {info.UploadId} has already been started."), again.Refusal);
        await grain.Abort();
    }

    [Fact]
    public async Task An_unknown_session_says_not_found()
    {
        var grain = Grains.GetGrain<IUploadSessionGrain>(UploadIds.NewId());
        Assert.Equal(RefusalReason.NotFound, (await grain.WriteChunk(0, new byte[1])).Refusal!.Reason);
        Assert.Equal(RefusalReason.NotFound, (await grain.Complete()).Refusal!.Reason);
        Assert.Equal(RefusalReason.NotFound, (await grain.GetStatus()).Failure!.Reason);
        Assert.Null(await Grains.GetGrain<IStoredFileGrain>(UploadIds.NewId()).GetRecord());
    }
}

[Collection(ExpiryCluster.Name)]
public class UploadSessionExpiryTests(ExpiryClusterFixture fixture)
{
    [Fact]
    public async Task A_session_that_stops_sending_expires_deletes_its_data_and_returns_its_lease()
    {
        var silo = fixture.Silo("Silo_0");
        var data = TestBytes.Random(200_000, seed: 10);
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, silo, new UploadRequest("a.bin", data.Length));
        await UploadDriver.SendAll(grain, data[..65_536], info.ChunkSize);

        var status = await Eventually.Holds(grain.GetStatus, s => s.State == UploadState.Expired, TimeSpan.FromSeconds(10), "the session expires");

        Assert.Equal(65_536, status.CommittedOffset);
        Assert.False(File.Exists(fixture.StagingPath(info.UploadId)));
        Assert.Equal(0, (await fixture.Client.BudgetOf(silo).GetSnapshot()).LeaseCount);
        var late = await grain.WriteChunk(65_536, data.AsMemory(65_536, 65_536));
        Assert.Equal(RefusalReason.Expired, late.Refusal!.Reason);
    }
}
