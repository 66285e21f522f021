using DirectDriveX.Testing;
using DirectDriveX.Node.DataPlane;
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
        Assert.Equal((int)info.ReservedBytes / 2, info.ChunkSize);    // half the reservation: a window of two chunks
        Assert.Equal(2, info.MaxChunksInFlight);
        var during = await UploadDriver.Budget(Grains, Secondary);
        Assert.Equal(1, during.LeaseCount);
        Assert.Equal(info.ReservedBytes, during.LeasedBytes);

        await UploadDriver.SendAll(fixture.Cluster, info, data);
        var result = await UploadDriver.Complete(fixture.Cluster, info);

        Assert.True(result.Completed, result.Refusal?.Message);
        Assert.Equal(new StoredFileRecord(info.UploadId, "video.bin", data.Length, sha, "video/mp4", result.File!.CreatedAt, "Silo_1"), result.File);
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId)));
        Assert.Empty(fixture.StagedFiles(info.UploadId));
        var status = await grain.GetState();
        Assert.Equal((UploadState.Completed, (long)data.Length, info.UploadId), (status.State, status.CommittedOffset, status.FileId));
        Assert.Equal(0, (await UploadDriver.Budget(Grains, Secondary)).LeaseCount);
        Assert.Equal(result.File, await Grains.GetGrain<IStoredFileGrain>(info.UploadId).GetRecord());
    }

    [Fact]
    public async Task An_empty_upload_is_stored_as_it_starts_and_reserves_nothing_even_on_a_node_without_headroom()
    {
        var silo = fixture.Silo("Silo_0");
        var blocker = UploadIds.NewId();
        Assert.True((await Grains.BudgetOf(silo).TryReserve(blocker, (await UploadDriver.Budget(Grains, silo)).HeadroomBytes)).Granted);
        try
        {
            var before = await UploadDriver.Budget(Grains, silo);
            var grain = Grains.GetGrain<IUploadSessionGrain>(UploadIds.NewId());
            UploadStartResult result;
            using (UploadPlacementHint.Target(silo))
                result = await grain.Start(new UploadRequest("empty.txt", 0, "text/plain"));

            Assert.True(result.Accepted, result.Refusal?.Message);
            Assert.Equal((0L, 1), (result.Session!.ReservedBytes, result.Session.MaxChunksInFlight));
            var file = result.Completion!.File!;
            Assert.Equal(new StoredFileRecord(result.Session.UploadId, "empty.txt", 0, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([])),
                "text/plain", file.CreatedAt, "Silo_0"), file);
            Assert.Empty(await File.ReadAllBytesAsync(fixture.StoredPath(file.FileId)));
            Assert.Empty(fixture.StagedFiles(file.FileId));
            Assert.Equal(UploadState.Completed, (await grain.GetState()).State);
            Assert.Equal(file, await Grains.GetGrain<IStoredFileGrain>(file.FileId).GetRecord());
            Assert.Equal(before.LeaseCount, (await UploadDriver.Budget(Grains, silo)).LeaseCount);
        }
        finally
        {
            await Grains.BudgetOf(silo).Release(blocker);
        }
    }

    [Fact]
    public async Task The_resume_token_opens_only_its_own_session()
    {
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", 1000));
        Assert.True((await grain.Open(info.ResumeToken, requireToken: true)).Opened);
        Assert.Equal(new UploadRefusal(RefusalReason.Unauthorized, $"The resume token does not match upload {info.UploadId}."),
            (await grain.Open(UploadIds.NewResumeToken(), requireToken: true)).Refusal);
        Assert.Equal(RefusalReason.Unauthorized, (await grain.Open(null, requireToken: true)).Refusal!.Reason);
        Assert.True((await grain.Open(null, requireToken: false)).Opened);
        var stranger = UploadIds.NewId();
        Assert.Equal(new UploadRefusal(RefusalReason.NotFound, $"No upload {stranger}."),
            (await Grains.GetGrain<IUploadSessionGrain>(stranger).Open(info.ResumeToken, requireToken: true)).Refusal);
        await grain.Abort();
    }

    [Fact]
    public async Task A_commit_at_the_wrong_offset_is_refused_with_the_expected_offset()
    {
        var data = TestBytes.Random(300_000, seed: 2);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", data.Length));
        Assert.Equal(65_536, info.ChunkSize);
        await UploadDriver.SendAll(fixture.Cluster, info, data[..131_072]);

        var gap = await grain.Commit(1, 196_608, 65_536, info.NodeId, StagedParts.InFile(1, 196_608, 65_536));

        Assert.Equal(new UploadRefusal(RefusalReason.OffsetMismatch, "Chunk at offset 196608; the upload continues at 131072.", ExpectedOffset: 131_072), gap.Refusal);
        Assert.Equal(131_072, gap.CommittedOffset);
        await grain.Abort();
    }

    [Fact]
    public async Task Only_the_data_plane_of_the_sessions_own_node_may_commit()
    {
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", 100_000));

        var elsewhere = await grain.Commit(1, 0, 1_000, MemoryBudgetKey.For(fixture.Silo("Silo_0")), StagedParts.InFile(1, 0, 1_000));

        Assert.Equal(new UploadRefusal(RefusalReason.NodeUnavailable,
            $"Upload {info.UploadId} is now served by node Silo_1; reconnect to continue from 0."), elsewhere.Refusal);
        Assert.Equal(0, (await grain.GetState()).CommittedOffset);
        await grain.Abort();
    }

    [Fact]
    public async Task Bytes_sent_again_from_zero_are_acknowledged_when_equal_and_refused_when_different()
    {
        var data = TestBytes.Random(200_000, seed: 3);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", data.Length));
        await UploadDriver.SendAll(fixture.Cluster, info, data[..131_072]);

        var handle = await UploadDriver.Open(fixture.Cluster, info);
        var acknowledged = new List<long>();
        await using (var again = await handle.OpenWriterAsync(offset => { acknowledged.Add(offset); return ValueTask.CompletedTask; }, streamOffset: 0))
        {
            await again.WriteAsync(data, CancellationToken.None); // the reference client sends from byte 0 on every connection
            Assert.Equal(data.Length, await again.CompleteAsync());
        }
        Assert.Equal(200_000L, acknowledged[^1]);                     // acknowledgements queued together go as one
        Assert.Equal(acknowledged.Order(), acknowledged);

        var (other, otherInfo) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("b.bin", data.Length));
        await UploadDriver.SendAll(fixture.Cluster, otherInfo, data[..131_072]);
        var tampered = data.ToArray();
        tampered[65_543] ^= 0xFF;
        await using var writer = await (await UploadDriver.Open(fixture.Cluster, otherInfo)).OpenWriterAsync(null, streamOffset: 0);
        var refused = await Assert.ThrowsAsync<UploadRefusedException>(async () => await writer.WriteAsync(tampered, CancellationToken.None));
        Assert.Equal(new UploadRefusal(RefusalReason.OffsetMismatch,
            "The bytes at offset 65536 differ from the ones already committed there; the upload continues at 131072.", ExpectedOffset: 131_072), refused.Refusal);
        await grain.Abort();
        await other.Abort();
    }

    [Fact]
    public async Task Commits_and_writes_past_the_declared_size_are_refused()
    {
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", 100_000));
        await UploadDriver.SendAll(fixture.Cluster, info, new byte[65_536]);

        var pastEnd = await grain.Commit(1, 65_536, 40_000, info.NodeId, StagedParts.InFile(1, 65_536, 40_000));
        Assert.Equal(new UploadRefusal(RefusalReason.PastDeclaredSize, "Bytes [65536, 105536) run past the declared size of 100000 bytes."), pastEnd.Refusal);

        await using var writer = await (await UploadDriver.Open(fixture.Cluster, info)).OpenWriterAsync(null);
        var refused = await Assert.ThrowsAsync<UploadRefusedException>(async () => await writer.WriteAsync(new byte[40_000], CancellationToken.None));
        Assert.Equal(new UploadRefusal(RefusalReason.PastDeclaredSize, "The data runs past the declared size of 100000 bytes."), refused.Refusal);
        await grain.Abort();
    }

    [Fact]
    public async Task A_start_that_names_its_node_is_refused_by_an_activation_elsewhere_which_records_nothing_and_moves_there()
    {
        var grain = Grains.GetGrain<IUploadSessionGrain>(UploadIds.NewId());
        var wanted = MemoryBudgetKey.For(fixture.Silo("Silo_1"));
        var request = new UploadRequest("final.bin", 1000, RequiredNodeId: wanted);
        UploadStartResult elsewhere;
        using (UploadPlacementHint.Target(fixture.Silo("Silo_0")))
            elsewhere = await grain.Start(request);
        Assert.Equal((RefusalReason.NodeUnavailable, $"Upload {grain.GetPrimaryKeyString()} was activated on node Silo_0, not on the node that must write it; start it again."),
            (elsewhere.Refusal!.Reason, elsewhere.Refusal.Message));

        var started = await Eventually.Holds(async () =>
        {
            using (UploadPlacementHint.Target(fixture.Silo("Silo_1")))
                return await grain.Start(request);
        }, result => result.Accepted, TimeSpan.FromSeconds(10), "the next start lands on the node it names");
        Assert.Equal(wanted, started.Session!.NodeId);
        Assert.Equal(wanted, (await grain.GetState()).ActiveNodeId);
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
            Assert.Equal(UploadState.Created, (await grain.GetState()).State);
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
        await UploadDriver.SendAll(fixture.Cluster, info, data);
        var first = await UploadDriver.Complete(fixture.Cluster, info);

        var late = await grain.Commit(1, 0, data.Length, info.NodeId, StagedParts.InFile(1, 0, data.Length));
        Assert.Equal(new UploadRefusal(RefusalReason.InvalidState, $"Upload {info.UploadId} is already completed."), late.Refusal);
        Assert.Equal(first.File, (await grain.Complete(1, first.File!.Sha256)).File);
    }

    [Fact]
    public async Task Completing_before_all_bytes_arrived_says_where_to_continue()
    {
        var data = TestBytes.Random(100_000, seed: 5);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", data.Length));
        await UploadDriver.SendAll(fixture.Cluster, info, data[..65_536]);

        var result = await grain.Complete(1, TestBytes.Sha256Hex(data));

        Assert.Equal(new UploadRefusal(RefusalReason.Incomplete, "65536 of 100000 bytes received; send the rest from offset 65536.", ExpectedOffset: 65_536), result.Refusal);
        await UploadDriver.SendAll(fixture.Cluster, info, data, from: 65_536);
        Assert.True((await UploadDriver.Complete(fixture.Cluster, info)).Completed);
    }

    [Fact]
    public async Task A_wrong_hash_fails_the_upload_deletes_the_data_and_releases_the_lease()
    {
        var data = TestBytes.Random(150_000, seed: 6);
        var declared = new string('0', 64);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", data.Length, null, declared));
        await UploadDriver.SendAll(fixture.Cluster, info, data);

        var result = await UploadDriver.Complete(fixture.Cluster, info);

        var expected = new UploadRefusal(RefusalReason.HashMismatch,
            $"SHA-256 of the received bytes is {TestBytes.Sha256Hex(data)}; the client declared {declared}.");
        Assert.Equal(expected, result.Refusal);
        var status = await grain.GetState();
        Assert.Equal((UploadState.Failed, expected), (status.State, status.Failure));
        Assert.Empty(fixture.StagedFiles(info.UploadId));
        Assert.False(File.Exists(fixture.StoredPath(info.UploadId)));
        Assert.False(await Grains.BudgetOf(Secondary).Renew(info.UploadId));
        Assert.Equal(expected, (await grain.Commit(1, 0, 10, info.NodeId, StagedParts.InFile(1, 0, 10))).Refusal);
    }

    [Fact]
    public async Task Abort_deletes_the_staged_data_releases_the_lease_and_is_idempotent()
    {
        var data = TestBytes.Random(150_000, seed: 7);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", data.Length));
        await UploadDriver.SendAll(fixture.Cluster, info, data[..65_536]);
        Assert.NotEmpty(fixture.StagedFiles(info.UploadId));

        await grain.Abort();
        await grain.Abort();

        Assert.Equal(UploadState.Aborted, (await grain.GetState()).State);
        Assert.Empty(fixture.StagedFiles(info.UploadId));
        Assert.False(await Grains.BudgetOf(Secondary).Renew(info.UploadId));
        Assert.Equal(new UploadRefusal(RefusalReason.Aborted, $"Upload {info.UploadId} was aborted; start a new upload."), (await grain.Commit(1, 65_536, 10, info.NodeId, StagedParts.InFile(1, 65_536, 10))).Refusal);
    }

    [Fact]
    public async Task A_session_that_moves_to_a_new_activation_resumes_and_verifies_from_disk()
    {
        var data = TestBytes.Random(400_000, seed: 8);
        var sha = TestBytes.Sha256Hex(data);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("a.bin", data.Length, null, sha));
        await UploadDriver.SendAll(fixture.Cluster, info, data[..196_608]);

        await fixture.Cluster.DeactivateAsync(grain);   // the state is durable; the staged bytes are in the shared store

        var status = await grain.GetState();
        Assert.Equal((UploadState.Receiving, 196_608L), (status.State, status.CommittedOffset));
        await UploadDriver.SendAll(fixture.Cluster, info, data, from: status.CommittedOffset); // on whichever silo it reactivated
        var result = await UploadDriver.Complete(fixture.Cluster, info);
        Assert.Equal(sha, result.File!.Sha256);
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId)));
    }

    [Fact]
    public async Task A_path_like_file_name_is_stored_as_its_last_segment_and_never_reaches_a_path()
    {
        var data = TestBytes.Random(1_000, seed: 9);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("../../etc/passwd", data.Length));
        await UploadDriver.SendAll(fixture.Cluster, info, data);
        var result = await UploadDriver.Complete(fixture.Cluster, info);

        Assert.Equal("passwd", result.File!.FileName);
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
        Assert.Equal(RefusalReason.NotFound, (await grain.Commit(1, 0, 1, "any", StagedParts.InFile(1, 0, 1))).Refusal!.Reason);
        Assert.Equal(RefusalReason.NotFound, (await grain.Complete(1, new string('0', 64))).Refusal!.Reason);
        Assert.Equal(RefusalReason.NotFound, (await grain.GetState()).Failure!.Reason);
        Assert.Null(await Grains.GetGrain<IStoredFileGrain>(UploadIds.NewId()).GetRecord());
    }
}

/// <summary>Uploads outlive their lease (issue 18): an idle upload with committed bytes gives its lease and its client's slot back
/// and keeps its bytes, resumable on the node its session is active on when it resumes.</summary>
[Collection(ExpiryCluster.Name)]
public class UploadSessionParkingTests(ExpiryClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Client;

    [Fact]
    public async Task A_session_that_stops_sending_parks_keeping_its_bytes_and_giving_back_its_lease_and_its_clients_slot()
    {
        var silo = fixture.Silo("Silo_0");
        var client = new UploadClient($"addr:park-{Guid.NewGuid():N}", new ClientLimits(1));
        var data = TestBytes.Random(200_000, seed: 10);
        var (grain, info) = await UploadDriver.StartOn(Grains, silo, new UploadRequest("a.bin", data.Length, Client: client));
        await UploadDriver.SendAll(fixture.Cluster, info, data[..65_536]);

        var status = await Eventually.Holds(grain.GetState, s => s.State == UploadState.Parked, TimeSpan.FromSeconds(10), "the session parks");

        Assert.Equal((65_536L, "", info.ReservedBytes), (status.CommittedOffset, status.LeaseNodeId, status.ReservedBytes));
        Assert.NotEmpty(fixture.StagedFiles(info.UploadId));
        Assert.False(await Grains.BudgetOf(silo).Renew(info.UploadId));
        Assert.Empty((await Grains.GetGrain<IUploadClientGrain>(client.ClientId).GetState()).LiveUploads);
        Assert.True(await grain.HasEnded()); // it holds no live slot: a client at its limit stops counting it

        // The slot is another upload's now; resuming needs it back: refused, retryable, with where to continue.
        var (other, _) = await UploadDriver.StartOn(Grains, silo, new UploadRequest("b.bin", 1_000, Client: client));
        var refused = await grain.BeginWriting(info.NodeId);
        Assert.Equal((RefusalReason.TooManyUploads, 65_536L), (refused.Refusal!.Reason, refused.Refusal.ExpectedOffset));
        Assert.Equal(UploadState.Parked, (await grain.GetState()).State);
        await other.Abort();

        await UploadDriver.SendAll(fixture.Cluster, info, data, from: 65_536);
        Assert.Equal(UploadState.Receiving, (await grain.GetState()).State);
        var result = await UploadDriver.Complete(fixture.Cluster, info);
        Assert.Equal(TestBytes.Sha256Hex(data), result.File!.Sha256);
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId)));
        Assert.False(await Grains.BudgetOf(silo).Renew(info.UploadId));
        Assert.Empty((await Grains.GetGrain<IUploadClientGrain>(client.ClientId).GetState()).LiveUploads);
    }

    [Fact]
    public async Task A_parked_session_that_finds_no_room_on_its_node_leaves_it_and_resumes_on_the_node_chosen_then()
    {
        var (first, second) = (fixture.Silo("Silo_0"), fixture.Silo("Silo_1"));
        var data = TestBytes.Random(300_000, seed: 11);
        var (grain, info) = await UploadDriver.StartOn(Grains, first, new UploadRequest("a.bin", data.Length));
        await UploadDriver.SendAll(fixture.Cluster, info, data[..131_072]);
        await Eventually.Holds(grain.GetState, s => s.State == UploadState.Parked, TimeSpan.FromSeconds(10), "the session parks");

        var blocker = UploadIds.NewId();
        Assert.True((await Grains.BudgetOf(first).TryReserve(blocker, (await UploadDriver.Budget(Grains, first)).HeadroomBytes)).Granted);
        try
        {
            var refused = (await grain.BeginWriting(info.NodeId)).Refusal!;
            Assert.Equal((RefusalReason.InsufficientHeadroom, 131_072L), (refused.Reason, refused.ExpectedOffset));
            Assert.StartsWith($"Upload {info.UploadId} is parked with 131072 committed bytes, kept until it resumes:", refused.Message);

            Assert.EndsWith("It moves to node Silo_1, which has room: retry.", refused.Message);
            // It leaves the full node for the one with room, where the retry resumes it.
            var moved = await Eventually.Holds(grain.GetState, s => s.ActiveNodeId == MemoryBudgetKey.For(second), TimeSpan.FromSeconds(30),
                "the parked session is active on Silo_1");
            Assert.Equal((UploadState.Parked, 131_072L), (moved.State, moved.CommittedOffset));
        }
        finally
        {
            await Grains.BudgetOf(first).Release(blocker);
        }

        await UploadDriver.SendAll(fixture.Cluster, info, data, from: 131_072);
        var result = await UploadDriver.Complete(fixture.Cluster, info);
        Assert.Equal(("Silo_1", TestBytes.Sha256Hex(data)), (result.File!.StoredByNode, result.File.Sha256));
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId)));
        Assert.Empty(fixture.StagedFiles(info.UploadId));
    }
}

/// <summary>After its resume window a parked upload expires and its staged bytes go, whether its activation's timer sees it
/// or a caller touches it hours later.</summary>
[Collection(ResumeWindowCluster.Name)]
public class ResumeWindowTests(ResumeWindowClusterFixture fixture)
{
    [Fact]
    public async Task A_parked_session_expires_at_the_end_of_its_resume_window_and_its_staging_is_deleted()
    {
        var (grain, info) = await ParkedAsync(seed: 12);
        fixture.Clock.Advance(ResumeWindowClusterFixture.ResumeWindow);

        var status = await Eventually.Holds(grain.GetState, s => s.State == UploadState.Expired, TimeSpan.FromSeconds(10), "the session expires");

        Assert.Equal(new UploadRefusal(RefusalReason.Expired,
            $"Upload {info.UploadId} expired: it was not resumed within 00:01:00 of its last commit, and its 65536 committed bytes were deleted; start a new upload."),
            status.Failure);
        Assert.Empty(fixture.StagedFiles(info.UploadId));
        Assert.Equal(status.Failure, (await grain.BeginWriting(info.NodeId)).Status is { } final ? UploadSessionHandle.RefusalFor(final) : null);
        Assert.Equal(status.Failure, (await grain.Commit(1, 65_536, 10, info.NodeId, StagedParts.InFile(1, 65_536, 10))).Refusal);
    }

    [Fact]
    public async Task A_parked_session_first_asked_after_its_window_expires_before_it_answers()
    {
        var (grain, info) = await ParkedAsync(seed: 13);
        await fixture.Cluster.DeactivateAsync(grain); // no timer of its own any more: hours later, a client asks
        fixture.Clock.Advance(ResumeWindowClusterFixture.ResumeWindow);

        var status = await grain.GetState();

        Assert.Equal((UploadState.Expired, RefusalReason.Expired), (status.State, status.Failure!.Reason));
        Assert.Empty(fixture.StagedFiles(info.UploadId));
    }

    private async Task<(IUploadSessionGrain Grain, UploadSessionInfo Info)> ParkedAsync(int seed)
    {
        var data = TestBytes.Random(200_000, seed);
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, fixture.Silo("Silo_0"), new UploadRequest("a.bin", data.Length));
        await UploadDriver.SendAll(fixture.Cluster, info, data[..65_536]);
        await Eventually.Holds(grain.GetState, s => s.State == UploadState.Parked, TimeSpan.FromSeconds(10), "the session parks");
        Assert.NotEmpty(fixture.StagedFiles(info.UploadId));
        return (grain, info);
    }
}

[Collection(ExpiryCluster.Name)]
public class FirstByteDeadlineTests(ExpiryClusterFixture fixture)
{
    [Fact]
    public async Task A_session_that_never_receives_a_byte_gives_its_lease_back_at_the_first_byte_deadline()
    {
        var silo = fixture.Silo("Silo_1");
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, silo, new UploadRequest("never.bin", 200 * 1024 * 1024));
        Assert.Equal(1, (await fixture.Client.BudgetOf(silo).GetSnapshot()).LeaseCount);

        var status = await Eventually.Holds(grain.GetState, s => s.State == UploadState.Expired, TimeSpan.FromSeconds(10), "the session expires without a byte");

        Assert.Equal(0, status.CommittedOffset);
        Assert.Equal(0, (await fixture.Client.BudgetOf(silo).GetSnapshot()).LeaseCount);
        Assert.Equal(new UploadRefusal(RefusalReason.Expired, $"Upload {info.UploadId} expired without data; start a new upload."),
            (await grain.Commit(1, 0, 1, info.NodeId, StagedParts.InFile(1, 0, 1))).Refusal);
    }
}

/// <summary>An upload created without its length (tus creation-defer-length): it reserves as the largest file it may become
/// and streams within that; its declared length re-tiers it and is checked then.</summary>
[Collection(BudgetCluster.Name)]
public class DeferredLengthTests(BudgetClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Client;
    private SiloAddress Secondary => fixture.Silo("Silo_1");

    private async Task<long> LeaseOf(string uploadId) =>
        (await Grains.BudgetOf(Secondary).GetState()).Leases.Single(l => l.SessionId == uploadId).Bytes;

    [Fact]
    public async Task A_deferred_upload_reserves_the_top_tier_and_its_declared_length_shrinks_the_lease_and_completes_it()
    {
        var client = new UploadClient($"addr:defer-{Guid.NewGuid():N}", new ClientLimits(5, BytesPerDay: 10 * MiB));
        var data = TestBytes.Random(3 * (int)MiB + 5, seed: 60);
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("stream.bin", 0, Client: client, DeferLength: true));

        Assert.Equal((4 * GiB, 100 * MiB, 8 * (int)MiB), (info.Size, info.ReservedBytes, info.ChunkSize)); // as the largest file admitted
        Assert.Equal(100 * MiB, await LeaseOf(info.UploadId));
        Assert.True((await grain.GetState()).LengthDeferred);
        Assert.Equal(0L, (await Grains.GetGrain<IUploadClientGrain>(client.ClientId).GetState()).BytesToday); // counted when declared
        await UploadDriver.SendAll(fixture.Cluster, info, data[..(int)MiB]);
        Assert.Equal(RefusalReason.Incomplete, (await UploadDriver.Complete(fixture.Cluster, info)).Refusal!.Reason);

        Assert.Equal((RefusalReason.InvalidRequest, MiB), ((await grain.DeclareLength(MiB - 1))!.Reason, (await grain.DeclareLength(MiB - 1))!.ExpectedOffset!.Value));
        Assert.Equal(RefusalReason.FileTooLarge, (await grain.DeclareLength(4 * GiB + 1))!.Reason);
        Assert.Equal(RefusalReason.QuotaExceeded, (await grain.DeclareLength(10 * MiB + 1))!.Reason);
        Assert.Null(await grain.DeclareLength(data.Length));
        Assert.Null(await grain.DeclareLength(data.Length)); // the same again: nothing changes
        Assert.Equal(RefusalReason.InvalidRequest, (await grain.DeclareLength(data.Length + 1))!.Reason); // and it never changes

        var declared = await grain.GetState();
        Assert.Equal((false, (long)data.Length, 8 * MiB, 1), (declared.LengthDeferred, declared.Size, declared.ReservedBytes, declared.MaxChunksInFlight));
        Assert.Equal(8 * MiB, await LeaseOf(info.UploadId)); // one 8 MiB chunk holds the file: the chunk stays, the rest went back
        Assert.Equal((long)data.Length, (await Grains.GetGrain<IUploadClientGrain>(client.ClientId).GetState()).BytesToday);

        await UploadDriver.SendAll(fixture.Cluster, info, data, from: MiB);
        var result = await UploadDriver.Complete(fixture.Cluster, info);
        Assert.Equal((TestBytes.Sha256Hex(data), (long)data.Length), (result.File!.Sha256, result.File.Size));
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId)));
    }

    [Fact]
    public async Task A_deferred_upload_that_runs_past_the_largest_file_it_may_become_is_refused_FileTooLarge()
    {
        var client = new UploadClient($"addr:defer-{Guid.NewGuid():N}", new ClientLimits(5, MaxFileBytes: 100_000));
        var (grain, info) = await UploadDriver.StartOn(Grains, Secondary, new UploadRequest("pipe.bin", 0, Client: client, DeferLength: true));
        Assert.Equal(100_000L, info.Size);

        await using var writer = await (await UploadDriver.Open(fixture.Cluster, info)).OpenWriterAsync(null);
        var refused = await Assert.ThrowsAsync<DirectDriveX.Node.DataPlane.UploadRefusedException>(async () => await writer.WriteAsync(new byte[150_000], CancellationToken.None));
        Assert.Equal(new UploadRefusal(RefusalReason.FileTooLarge,
            "The data runs past 100000 bytes, the largest file this upload may become; its length was never declared."), refused.Refusal);
        await grain.Abort();
    }
}
