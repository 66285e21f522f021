using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;
using DirectDriveX.Grains.Tests.Cluster;
using DirectDriveX.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>
/// A writer is granted only its upload's tail (issue 16, round 9): on two silos with pages of two parts (and a margin of
/// one), an upload of 64 MiB is sent in eight connections, its session moved to the other silo after each (a new activation,
/// a new epoch, whose writer resumes from the parts it is granted). Once the session has sealed pages, every writer is granted
/// the session's tail, from where it begins, and not every part; the session gives every part to the writer's epoch only; the
/// last writer's completion asks for them, and the stored file is the bytes sent.
/// </summary>
public abstract class TailGrantTests : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private const int Connections = 8;
    private OwnTestCluster _silos = null!;

    protected abstract Dictionary<string, string?> StoreSettings(string root);

    /// <summary>The silos share their settings: one directory, and one prefix in an object store.</summary>
    public async Task InitializeAsync()
    {
        Dictionary<string, string?>? shared = null;
        _silos = await OwnTestCluster.StartAsync("tail", root =>
        {
            if (shared is null)
            {
                shared = StoreSettings(root);
                shared["Uploads:SessionPartsPerPage"] = "2";
            }
            return new Dictionary<string, string?>(shared);
        }, (services, _) =>
        {
            services.AddSingleton<PartsCalls>();
            services.AddSingleton<IIncomingGrainCallFilter>(sp => sp.GetRequiredService<PartsCalls>());
        }, silos: 2);
    }

    public Task DisposeAsync() => _silos.DisposeAsync().AsTask();

    private Orleans.TestingHost.InProcessTestCluster Cluster => _silos.Cluster;

    /// <summary>The <see cref="IUploadSessionGrain.GetParts"/> calls both silos have taken.</summary>
    private int PartsCallsTaken => Cluster.Silos.Sum(silo => Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<PartsCalls>().Count);

    private async Task<UploadSessionState> StoredSession(IUploadSessionGrain grain) =>
        (await _silos.Services.GetRequiredKeyedService<IGrainStorage>(UploadSessionGrain.StorageName)
            .ReadRecordAsync<UploadSessionState>(UploadSessionGrain.StateName, grain.GetGrainId())).State!;

    [Fact]
    public async Task Writers_of_a_paged_upload_moved_between_silos_are_granted_its_tail_and_it_completes_byte_identical()
    {
        var data = TestBytes.Random(64 * MiB + 321, seed: 191);
        var silos = Cluster.Silos.Select(silo => silo.SiloAddress).ToArray();
        var (grain, info) = await UploadDriver.StartOn(Cluster.Client, silos[0],
            new UploadRequest("tail.bin", data.Length, null, TestBytes.Sha256Hex(data)));
        var step = data.Length / Connections / info.ChunkSize * info.ChunkSize;
        Assert.True(step > 0, $"chunks of {info.ChunkSize} bytes");
        var paged = 0;
        StoredFileRecord? stored = null;
        for (var connection = 0; connection < Connections; connection++)
        {
            var session = await StoredSession(grain);
            var handle = await UploadDriver.Open(Cluster, info);
            var end = connection == Connections - 1 ? data.Length : session.CommittedOffset + step;
            await using (var writer = await handle.OpenWriterAsync(onCommitted: null))
            {
                Assert.Equal(session.CommittedOffset, writer.CommittedOffset);
                if (session.Pages.Length > 0)
                {
                    paged++;
                    var every = PartPaging.SealedParts(session.Pages) + session.Parts.Length;
                    Assert.Equal(PartPaging.TailStart(session.Pages), writer.PartsFrom); // the tail, from where it begins
                    Assert.Equal(session.Parts, writer.Parts);
                    Assert.True(writer.Parts.Length <= 2 + PartPaging.Margin(2) + 1 && writer.Parts.Length < every,
                        $"connection {connection}: {writer.Parts.Length} parts granted of {every}");
                    // Every part is the session's to give, to this epoch only.
                    var parts = await grain.GetParts(writer.Epoch);
                    Assert.Null(parts.Refusal);
                    Assert.Equal(every, parts.Parts.Length);
                    Assert.True(StagedLayout.Covers(parts.Parts, session.CommittedOffset));
                    Assert.Equal(writer.Parts, parts.Parts[^writer.Parts.Length..]);
                    Assert.Equal(CommitRules.Superseded(info.UploadId, session.CommittedOffset), (await grain.GetParts(writer.Epoch - 1)).Refusal);
                }
                else
                {
                    Assert.Equal(0, writer.PartsFrom); // no pages: every part
                }
                await writer.WriteAsync(data.AsMemory((int)writer.CommittedOffset, (int)(end - writer.CommittedOffset)), CancellationToken.None);
                if (connection == Connections - 1)
                {
                    var asked = PartsCallsTaken;
                    stored = (await handle.CompleteAsync(writer, CancellationToken.None)).File;
                    Assert.Equal(asked + 1, PartsCallsTaken); // the completion asked the session for every part
                    break;
                }
                Assert.Equal(end, await writer.CompleteAsync());
            }
            await UploadDriver.MoveTo(Cluster, info, silos[(connection + 1) % silos.Length]);
        }
        Assert.True(paged >= 3, $"{paged} of {Connections} writers opened on a paged session");
        Assert.NotNull(stored);
        Assert.Equal(TestBytes.Sha256Hex(data), stored.Sha256);
        await using var bytes = await _silos.Services.GetRequiredService<IUploadStore>().OpenStoredAsync(stored.FileId, data.Length);
        var read = new MemoryStream();
        await bytes!.CopyToAsync(read);
        Assert.True(data.AsSpan().SequenceEqual(read.ToArray()), "the stored file differs from the bytes sent");
    }

    [Fact]
    public async Task A_small_upload_started_with_its_body_is_granted_every_part_and_completes_without_asking_for_them()
    {
        var data = TestBytes.Random(4096, seed: 193);
        var plane = _silos.Services.GetRequiredService<DirectDriveX.Node.DataPlane.UploadDataPlane>();
        var (handle, refusal) = await plane.StartHereAsync(new UploadRequest("small.bin", data.Length, null, TestBytes.Sha256Hex(data), BodyFollows: true));
        Assert.True(handle is not null, refusal?.Message);
        StoredFileRecord stored;
        await using (var writer = await handle.OpenWriterAsync(onCommitted: null))
        {
            Assert.Equal(0, writer.PartsFrom);
            await writer.WriteAsync(data, CancellationToken.None);
            stored = (await handle.CompleteAsync(writer, CancellationToken.None)).File;
        }
        Assert.Equal(TestBytes.Sha256Hex(data), stored.Sha256);
        Assert.Equal(0, PartsCallsTaken);
    }
}

public sealed class FileSystemTailGrantTests : TailGrantTests
{
    protected override Dictionary<string, string?> StoreSettings(string root) => new() { ["FileStore:RootDirectory"] = root };
}

public sealed class S3TailGrantTests(S3rverServer server) : TailGrantTests, IClassFixture<S3rverServer>
{
    protected override Dictionary<string, string?> StoreSettings(string root) => server.NodeSettings(root);
}

public sealed class AzureBlobTailGrantTests(AzuriteServer server) : TailGrantTests, IClassFixture<AzuriteServer>
{
    protected override Dictionary<string, string?> StoreSettings(string root) => server.NodeSettings(root);
}
