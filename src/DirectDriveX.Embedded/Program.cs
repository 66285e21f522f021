namespace DirectDriveX.Embedded;

internal static class Program
{
    public static void Main(string[] args) => EmbeddedApplication.Build(EmbeddedApplication.CreateBuilder(args)).Run();
}
