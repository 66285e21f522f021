using DirectDriveX.Storage.Objects;

namespace DirectDriveX.Grains.Tests.Policy;

public class ObjectPartPlanTests
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [InlineData(0L, 8 * 1024 * 1024, 8 * MiB)]
    [InlineData(1L, 65_536, 5 * MiB)]                         // never under S3's 5 MiB minimum
    [InlineData(2L * 1024 * MiB, 32 * 1024 * 1024, 32 * MiB)]  // the chunk size, when the parts fit
    [InlineData(2_000_000_000_000L, 32 * 1024 * 1024, 224 * MiB)] // a 2 TB file: 9,000 parts at most, whole chunks
    [InlineData(10L * 1024 * MiB, 3 * 1024 * 1024, 6 * MiB)]         // whole chunks: 5 MiB rounds up to two of 3 MiB
    public void A_part_is_the_chunk_or_larger_and_never_under_5_MiB(long size, int chunkSize, long expected) =>
        Assert.Equal(expected, ObjectPartPlan.PartSize(size, chunkSize, maxParts: 9_000));

    [Theory]
    [InlineData(2_000_000_000_000L)]
    [InlineData(5_000_000_000_000L)] // S3's largest object: 5 TiB
    public void Every_file_up_to_S3s_largest_fits_in_its_part_numbers(long size)
    {
        var partSize = ObjectPartPlan.PartSize(size, 32 * 1024 * 1024, maxParts: 9_000);
        Assert.True((size + partSize - 1) / partSize <= 9_000);
        Assert.Equal(0, partSize % (32 * MiB));
    }

    [Fact]
    public void Bounds_cut_the_file_in_parts_of_one_size_but_the_last()
    {
        Assert.Equal((0, 5 * MiB), ObjectPartPlan.Bounds(0, 5 * MiB, 12 * MiB));
        Assert.Equal((10 * MiB, 12 * MiB), ObjectPartPlan.Bounds(2, 5 * MiB, 12 * MiB));
        Assert.Equal(2, ObjectPartPlan.IndexOf(10 * MiB, 5 * MiB));
    }
}
