using DirectDriveX.Gateway.Hosting;

var app = GatewayApplication.Build(GatewayApplication.CreateBuilder(args));
app.Run();

/// <summary>Visible to tests.</summary>
public partial class Program;
