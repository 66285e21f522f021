using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Tests.Cluster;

/// <summary>Every grain interface <see cref="GrainReferences"/> lists names the grain type and interface type that Orleans
/// itself resolves for it, so a reference built from the list reaches the same grain as one Orleans built.</summary>
[Collection(BudgetCluster.Name)]
public class GrainReferencesTests(BudgetClusterFixture fixture)
{
    public static TheoryData<string> Listed => [.. GrainReferences.Listed.Keys.Select(type => type.FullName!)];

    [Theory]
    [MemberData(nameof(Listed))]
    public void A_listed_interface_has_the_types_Orleans_resolves(string interfaceName)
    {
        var type = GrainReferences.Listed.Keys.Single(t => t.FullName == interfaceName);
        var resolved = (GrainReference)(typeof(IGrainWithIntegerKey).IsAssignableFrom(type)
            ? fixture.Client.GetGrain(type, 7L)
            : fixture.Client.GetGrain(type, "some-key"));

        Assert.Equal(resolved.GrainId.Type, GrainReferences.Listed[type].Grain);
        Assert.Equal(resolved.InterfaceType, GrainReferences.Listed[type].Interface);
    }

    [Fact]
    public async Task A_reference_from_the_list_reaches_the_grain_Orleans_resolves()
    {
        var listed = fixture.Client.ReferenceTo<IUploadSessionGrain>("NoSuchUpload0000000000");
        Assert.Equal(fixture.Client.GetGrain<IUploadSessionGrain>("NoSuchUpload0000000000").GetGrainId(), listed.GetGrainId());
        Assert.Equal(RefusalReason.NotFound, (await listed.GetState()).Failure?.Reason);
        var space = fixture.Client.ReferenceTo<IStoreSpaceGrain>(0);
        Assert.Equal(fixture.Client.GetGrain<IStoreSpaceGrain>(0).GetGrainId(), space.GetGrainId());
    }
}
