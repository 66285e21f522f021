namespace DirectDriveX.Deployment.Tests.Compose;

public class ByteSizeTests
{
    [Theory]
    [InlineData("2g", 2147483648)]
    [InlineData("3G", 3221225472)]
    [InlineData("512m", 536870912)]
    [InlineData("64k", 65536)]
    [InlineData("1073741824", 1073741824)]
    [InlineData("1073741824b", 1073741824)]
    [InlineData("4gb", 4294967296)]
    public void Reads_compose_byte_values_as_binary_multiples(string text, long bytes) => Assert.Equal(bytes, ByteSize.Parse(text));

    [Fact]
    public void Refuses_an_unknown_unit() => Assert.Throws<FormatException>(() => ByteSize.Parse("2x"));
}
