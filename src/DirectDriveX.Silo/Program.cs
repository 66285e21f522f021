namespace DirectDriveX.Silo;

internal static class Program
{
    public static void Main(string[] args) => SiloApplication.Build(SiloApplication.CreateBuilder(args)).Run();
}
