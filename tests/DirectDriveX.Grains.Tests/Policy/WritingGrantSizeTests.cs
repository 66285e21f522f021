using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;
using DirectDriveX.Storage.S3;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Xunit.Abstractions;

namespace DirectDriveX.Grains.Tests.Policy;

/// <summary>
/// What a writer's grant weighs in Orleans' serialised form (a size, not a speed; issue 16, round 9): an S3 upload of 8 MiB
/// parts committed a part at a time under the default paging (64 parts a page, 8 pages a list), granted every part as before
/// and its tail (<see cref="GrantedParts"/>) now, at 128 parts (1 GiB) and at 10,000 (the most S3 numbers).
/// </summary>
public class WritingGrantSizeTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    private readonly Serializer _serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(WritingGrant).Assembly)).BuildServiceProvider().GetRequiredService<Serializer>();

    [Theory]
    [InlineData(128)]
    [InlineData(10_000)]
    public void A_writer_is_granted_the_tail_of_a_paged_upload_not_every_part(int partCount)
    {
        var (session, every) = Committed(partCount);
        var granted = GrantedParts.OfTail(session.Parts, PartPaging.TailStart(session.Pages), S3StagingFile.FirstPartRead(session.Parts));

        Assert.NotNull(granted);
        Assert.Equal(session.Parts, granted.Value.Parts);
        Assert.Equal(every[^granted.Value.Parts.Length..], granted.Value.Parts);
        Assert.True(granted.Value.Parts.Length <= 64 + PartPaging.Margin(64) + 1, $"{granted.Value.Parts.Length} parts granted");
        var before = Size(every, 0);
        var after = Size(granted.Value.Parts, granted.Value.From);
        output.WriteLine($"{partCount} parts: every part {every.Length} = {before} bytes; the tail {granted.Value.Parts.Length} = {after} bytes");
        Assert.True(after < 6_000, $"{after} bytes granted at {partCount} parts");
        if (partCount == 10_000) Assert.True(before > 500_000, $"{before} bytes for every part");
    }

    /// <summary>A session's state after <paramref name="count"/> commits of one S3 part each, and every part committed.</summary>
    private static (UploadSessionState Session, StagedPart[] Every) Committed(int count)
    {
        var session = new UploadSessionState();
        var every = new List<StagedPart>();
        for (var i = 0; i < count; i++)
        {
            var part = new StagedPart(8L * 1024 * 1024 * i, 8 * 1024 * 1024, $"p{i + 1}@1", $"\"{Guid.NewGuid():N}\""); // an S3 ETag
            every.Add(part);
            session = session with { Parts = StagedLayout.AfterCommit(session.Parts, part.Offset, part.End, [part], PartPaging.TailStart(session.Pages)) };
            if (PartPaging.SealCount(session.Parts, replaceableFrom: part.Offset, 64) is > 0 and var sealing)
                session = PartPaging.Seal(session, epoch: 1, sealing, Now).Session;
            for (var at = PartPaging.FoldAt(session.Pages, 8); at >= 0; at = PartPaging.FoldAt(session.Pages, 8))
                session = PartPaging.Fold(session, epoch: 1, at, 8).Session;
        }
        return (session, [.. every]);
    }

    private int Size(StagedPart[] parts, long from) => _serializer.SerializeToArray(new WritingGrant(3,
        new UploadStatus("AAAAAAAAAAAAAAAAAAAAAA", UploadState.Receiving, 1L << 30, 2L << 40, 64L << 20, 8 << 20, "node", "big.bin", null, null, null, Now), parts, null,
        "a-multipart-upload-id", TimeSpan.FromSeconds(10), 0, from)).Length;
}
