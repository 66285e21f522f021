using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DirectDriveX.HostDefaults.Tests;

/// <summary>Every host reads its configuration files once (watching them meant watching the store's directory when it is
/// below the content root, an event per file of every upload), and logs at the same levels wherever it is started from
/// (issue 19, thirteenth round).</summary>
public sealed class HostWebApplicationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ddx-host-").FullName;

    [Fact]
    public void Configuration_files_are_read_once_and_not_watched()
    {
        var files = JsonFilesOf(HostWebApplication.CreateBuilder([]).Configuration);

        Assert.Contains(files, file => file.Path == "appsettings.json");
        Assert.All(files, file => Assert.False(file.ReloadOnChange, $"{file.Path} is watched for changes"));
    }

    [Fact]
    public void The_command_line_can_turn_watching_back_on()
    {
        var files = JsonFilesOf(HostWebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=true"]).Configuration);

        Assert.Contains(files, file => file.Path == "appsettings.json");
        Assert.All(files, file => Assert.True(file.ReloadOnChange, $"{file.Path} is not watched for changes"));
    }

    [Fact]
    public async Task Started_from_a_folder_without_appsettings_it_logs_as_appsettings_says()
    {
        await using var app = HostWebApplication.CreateBuilder([$"--contentRoot={_folder}"]).Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();

        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Orleans.Runtime.Catalog").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Polly").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Polly").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("DirectDriveX.Grains.Sessions.UploadSessionGrain").IsEnabled(LogLevel.Information));
        Assert.True(app.Configuration.GetValue<bool>("Logging:Console:IncludeScopes"));
    }

    [Fact]
    public async Task Appsettings_and_the_command_line_still_set_each_level()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "appsettings.json"), """{ "Logging": { "LogLevel": { "Orleans": "Debug" } } }""");
        await using var app = HostWebApplication.CreateBuilder(
            [$"--contentRoot={_folder}", "--Logging:LogLevel:Microsoft.AspNetCore=Information"]).Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();

        Assert.True(loggers.CreateLogger("Orleans.Runtime.Catalog").IsEnabled(LogLevel.Debug));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Polly").IsEnabled(LogLevel.Information));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static List<JsonConfigurationSource> JsonFilesOf(IConfigurationBuilder configuration) =>
        configuration.Sources.OfType<JsonConfigurationSource>().ToList();
}
