using DirectDriveX.Gateway.Hosting;

namespace DirectDriveX.Gateway;

internal static class Program
{
    public static void Main(string[] args) => GatewayApplication.Build(GatewayApplication.CreateBuilder(args)).Run();
}
