using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Node.DataPlane;
using Microsoft.Extensions.DependencyInjection;
using static DirectDriveX.Grains.Tests.Cluster.ClusterFixture;

namespace DirectDriveX.Grains.Tests.Cluster;

/// <summary>A session counts against its client before it reserves anything, and gives the count back on every way out,
/// including its own refusals.</summary>
[Collection(BudgetCluster.Name)]
public class UploadClientGrainTests(BudgetClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Client;

    private static UploadClient NewClient(int concurrent = 5, long? perDay = null) =>
        new($"addr:test-{Guid.NewGuid():N}", new ClientLimits(concurrent, BytesPerDay: perDay));

    private Task<ClientUsage> Usage(UploadClient client) => Grains.GetGrain<IUploadClientGrain>(client.ClientId).GetState();

    [Fact]
    public async Task A_session_is_counted_while_live_and_completion_keeps_its_bytes_for_the_day()
    {
        var client = NewClient(perDay: 10_000_000);
        var data = TestBytes.Random(100_000, seed: 21);
        var (_, info) = await UploadDriver.StartOn(Grains, fixture.Silo("Silo_1"), new UploadRequest("c.bin", data.Length, Client: client));
        var during = await Usage(client);
        Assert.Equal([info.UploadId], during.LiveUploads);
        Assert.Equal(100_000L, during.BytesToday);

        await UploadDriver.SendAll(fixture.Cluster, info, data);
        Assert.True((await UploadDriver.Complete(fixture.Cluster, info)).Completed);
        Assert.Equal((0, 100_000L), ((await Usage(client)).LiveUploads.Count, (await Usage(client)).BytesToday));
    }

    [Fact]
    public async Task An_abort_gives_back_the_bytes_never_received()
    {
        var client = NewClient(perDay: 10_000_000);
        var (grain, info) = await UploadDriver.StartOn(Grains, fixture.Silo("Silo_1"), new UploadRequest("c.bin", 1_000_000, Client: client));
        await UploadDriver.SendAll(fixture.Cluster, info, TestBytes.Random(50_000, seed: 22)); // the first 50,000 bytes only
        await grain.Abort();
        Assert.Equal((0, 50_000L), ((await Usage(client)).LiveUploads.Count, (await Usage(client)).BytesToday));
    }

    [Fact]
    public async Task A_session_refused_for_headroom_is_not_left_counted()
    {
        // Silo_0 has 512 MiB of headroom; each 4 GiB upload reserves 100 MiB: five fit, the sixth is refused.
        var client = NewClient(concurrent: 100, perDay: 100 * GiB);
        var accepted = new List<string>();
        UploadRefusal? refusal = null;
        while (refusal is null && accepted.Count < 10)
        {
            var grain = Grains.GetGrain<IUploadSessionGrain>(UploadIds.NewId());
            UploadStartResult result;
            using (UploadPlacementHint.Target(fixture.Silo("Silo_0")))
                result = await grain.Start(new UploadRequest("big.bin", 4 * GiB - 1, Client: client));
            if (result.Accepted) accepted.Add(result.Session!.UploadId);
            else refusal = result.Refusal;
        }
        Assert.Equal(RefusalReason.InsufficientHeadroom, refusal!.Reason);
        Assert.Equal(5, accepted.Count);
        var usage = await Usage(client);
        Assert.Equal(accepted.Order(), usage.LiveUploads.Order());
        Assert.Equal(5 * (4 * GiB - 1), usage.BytesToday);
        foreach (var id in accepted) await Grains.GetGrain<IUploadSessionGrain>(id).Abort();
        Assert.Equal((0, 0L), ((await Usage(client)).LiveUploads.Count, (await Usage(client)).BytesToday));
    }

    [Fact]
    public async Task Concurrent_admissions_interleave_and_still_admit_exactly_the_limit()
    {
        // The client's calls interleave while its writes are group-committed: every check and change is still one turn.
        var client = Grains.GetGrain<IUploadClientGrain>($"addr:test-{Guid.NewGuid():N}");
        var limits = new ClientLimits(5, BytesPerDay: 1000);
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => client.TryAdmit($"u{i}", 10, limits)));
        Assert.Equal(5, answers.Count(a => a is null));
        Assert.All(answers.OfType<UploadRefusal>(), a => Assert.Equal(RefusalReason.TooManyUploads, a.Reason));
        var usage = await client.GetState();
        Assert.Equal((5, 50L), (usage.LiveUploads.Count, usage.BytesToday));

        await Task.WhenAll(usage.LiveUploads.Select(id => client.Release(id, 10)));
        Assert.Null(await client.TryAdmit("after", 10, limits));
        Assert.Equal((1, 60L), ((await client.GetState()).LiveUploads.Count, (await client.GetState()).BytesToday));
        await client.Release("after", 10);
    }

    [Fact]
    public async Task An_admission_written_behind_counts_at_once_within_the_limits_and_Counts_answers_once_it_is_durable()
    {
        var client = Grains.GetGrain<IUploadClientGrain>($"addr:test-{Guid.NewGuid():N}");
        var limits = new ClientLimits(5, BytesPerDay: 1000);
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => client.TryAdmitWritingBehind($"u{i}", 10, limits)));
        Assert.Equal(5, answers.Count(a => a is null));
        Assert.All(answers.OfType<UploadRefusal>(), a => Assert.Equal(RefusalReason.TooManyUploads, a.Reason));
        var admitted = Enumerable.Range(0, 16).Where(i => answers[i] is null).Select(i => $"u{i}").ToArray();
        Assert.Equal((5, 50L), ((await client.GetState()).LiveUploads.Count, (await client.GetState()).BytesToday));

        Assert.All(await Task.WhenAll(admitted.Select(client.Counts)), Assert.True);
        Assert.False(await client.Counts(Enumerable.Range(0, 16).Select(i => $"u{i}").Except(admitted).First()));
        await Task.WhenAll(admitted.Select(id => client.Release(id, 10)));
        Assert.False(await client.Counts(admitted[0]));
    }

    [Fact]
    public async Task A_one_request_upload_is_counted_from_its_start_and_released_at_its_end_with_its_bytes_for_the_day()
    {
        // Its admission is written while its bytes arrive (TryAdmitWritingBehind), and confirmed before its end is told.
        var client = NewClient(perDay: 10_000_000);
        var data = TestBytes.Random(50_000, seed: 23);
        var plane = fixture.Cluster.GetSiloServiceProvider(fixture.Silo("Silo_1")).GetRequiredService<UploadDataPlane>();
        var (handle, refused) = await plane.StartHereAsync(new UploadRequest("one.bin", data.Length, Client: client, BodyFollows: true));
        Assert.Null(refused);
        var during = await Usage(client);
        Assert.Equal([handle!.UploadId], during.LiveUploads);
        Assert.Equal(50_000L, during.BytesToday);
        Assert.True(await Grains.GetGrain<IUploadClientGrain>(client.ClientId).Counts(handle.UploadId));

        await using (var writer = await handle.OpenWriterAsync(onCommitted: null))
        {
            await writer.WriteAsync(data, CancellationToken.None);
            Assert.Equal(TestBytes.Sha256Hex(data), (await handle.CompleteAsync(writer, CancellationToken.None)).File.Sha256);
        }
        Assert.Equal((0, 50_000L), ((await Usage(client)).LiveUploads.Count, (await Usage(client)).BytesToday));
    }

    [Fact]
    public async Task Admission_is_idempotent_per_upload_and_release_is_too()
    {
        var client = Grains.GetGrain<IUploadClientGrain>($"addr:test-{Guid.NewGuid():N}");
        var limits = new ClientLimits(1, BytesPerDay: 1000);
        Assert.Null(await client.TryAdmit("u1", 600, limits));
        Assert.Null(await client.TryAdmit("u1", 600, limits));
        Assert.Equal(RefusalReason.TooManyUploads, (await client.TryAdmit("u2", 1, limits))!.Reason);
        await client.Release("u1", 600);
        await client.Release("u1", 600);
        Assert.Equal(RefusalReason.QuotaExceeded, (await client.TryAdmit("u3", 401, limits))!.Reason);
        Assert.Null(await client.TryAdmit("u3", 400, limits));
    }
}

/// <summary>A parked upload (idle past its lease) holds no live slot: the count frees it at once and takes it again when the
/// upload resumes, against the concurrent limit only; its bytes stay counted for their day until it ends.</summary>
[Collection(BudgetCluster.Name)]
public class UploadClientParkingTests(BudgetClusterFixture fixture)
{
    [Fact]
    public async Task A_parked_upload_frees_its_slot_keeps_its_bytes_for_the_day_and_resumes_within_the_concurrent_limit()
    {
        var client = fixture.Client.GetGrain<IUploadClientGrain>($"addr:park-{Guid.NewGuid():N}");
        var limits = new ClientLimits(1, BytesPerDay: 1000);
        Assert.Null(await client.TryAdmit("u1", 600, limits));
        await client.Park("u1");
        await client.Park("u1");
        Assert.Equal((0, 600L), ((await client.GetState()).LiveUploads.Count, (await client.GetState()).BytesToday));

        Assert.Null(await client.TryAdmit("u2", 400, limits)); // the slot is free; the day has 400 bytes left
        var refused = await client.TryResume("u1", limits);
        Assert.Equal((RefusalReason.TooManyUploads, "concurrentUploads"), (refused!.Reason, refused.Quota!.Quota));
        await client.Release("u2", 0);

        Assert.Null(await client.TryResume("u1", limits));
        Assert.Null(await client.TryResume("u1", limits));
        Assert.Equal(["u1"], (await client.GetState()).LiveUploads);
        Assert.Equal(600L, (await client.GetState()).BytesToday); // resuming costs no bytes again
        await client.Park("u1");
        await client.Release("u1", 100);                           // a parked upload that ends gives back what never came
        Assert.Equal((0, 100L), ((await client.GetState()).LiveUploads.Count, (await client.GetState()).BytesToday));
    }
}

/// <summary>A count whose release never came is put right when the client reaches its limit.</summary>
[Collection(ExpiryCluster.Name)]
public class UploadClientRecheckTests(ExpiryClusterFixture fixture)
{
    [Fact]
    public async Task At_its_limit_a_client_forgets_a_counted_upload_that_never_started_and_keeps_a_live_one()
    {
        var client = fixture.Client.GetGrain<IUploadClientGrain>($"addr:recheck-{Guid.NewGuid():N}");
        var limits = new ClientLimits(2);
        var ghost = UploadIds.NewId(); // counted, but its session was never started (its creator died in between)
        Assert.Null(await client.TryAdmit(ghost, 1000, limits));
        var (session, info) = await UploadDriver.StartOn(fixture.Client, fixture.Silo("Silo_0"),
            new UploadRequest("live.bin", 1000, Client: new UploadClient(client.GetPrimaryKeyString(), limits)));

        // Every answer until the recheck is TooManyUploads; then the ghost is forgotten and the live session kept.
        await Eventually.Holds(() => client.TryAdmit("after-recheck", 1000, limits), r =>
        {
            Assert.True(r is null || r.Reason == RefusalReason.TooManyUploads, r?.Message);
            return r is null;
        }, TimeSpan.FromSeconds(10), "the ghost forgotten at the limit");
        Assert.Equal(new[] { info.UploadId, "after-recheck" }.Order(StringComparer.Ordinal),
            (await client.GetState()).LiveUploads.Order(StringComparer.Ordinal)); // the live session still counted
        await session.Abort();
        await client.Release("after-recheck", 0);
    }
}
