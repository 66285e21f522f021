using DirectDriveX.HostDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DirectDriveX.Deployment.Tests.Logging;

/// <summary>
/// What the shipped appsettings.json of the gateway, the silo and the embedded host make of their logs: Polly's two Information lines per
/// grain placement (Orleans' placement pipeline) are filtered out, our own Information lines are kept, and scopes stay on
/// whichever console formatter is chosen (simple by default, json by Logging:Console:FormatterName).
/// </summary>
public sealed class LoggingSettingsTests
{
    public static TheoryData<string> Processes => new() { "DirectDriveX.Gateway", "DirectDriveX.Silo", "DirectDriveX.Embedded" };

    private static IConfiguration Settings(string project) =>
        new ConfigurationBuilder().AddJsonFile(RepositoryRoot.File("src", project, "appsettings.json"), optional: false).Build();

    private static ILoggerFactory LoggerFactoryOf(IConfiguration configuration) =>
        new ServiceCollection()
            // The console provider, as the processes have it (its own Logging:Console:LogLevel rules would apply too).
            .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddConsole())
            .BuildServiceProvider()
            .GetRequiredService<ILoggerFactory>();

    [Theory]
    [MemberData(nameof(Processes))]
    public void Pollys_placement_lines_are_at_Warning_and_our_own_at_Information(string project)
    {
        using var factory = LoggerFactoryOf(Settings(project));

        var polly = factory.CreateLogger("Polly");
        Assert.False(polly.IsEnabled(LogLevel.Information));
        Assert.True(polly.IsEnabled(LogLevel.Warning));
        Assert.True(factory.CreateLogger("DirectDriveX.Grains.Sessions.UploadSessionGrain").IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger("DirectDriveX.Gateway.Uploads.UploadStarter").IsEnabled(LogLevel.Information));
    }

    /// <summary>A process started from a folder without its appsettings.json logs by the hosts' built-in defaults: the two
    /// must say the same.</summary>
    [Theory]
    [MemberData(nameof(Processes))]
    public void The_built_in_defaults_are_what_appsettings_says(string project)
    {
        var shipped = Settings(project).GetSection("Logging").AsEnumerable(makePathsRelative: false)
            .Where(setting => setting.Value is not null)
            .ToDictionary(setting => setting.Key, setting => setting.Value);

        Assert.Equal(shipped.OrderBy(setting => setting.Key), HostWebApplication.LoggingDefaults.OrderBy(setting => setting.Key));
    }

    [Theory]
    [MemberData(nameof(Processes))]
    public void Scopes_are_on_for_the_default_formatter_and_for_json(string project)
    {
        var settings = Settings(project);
        // The simple formatter chosen by default reads the top-level flag; a named formatter (json) reads FormatterOptions.
        Assert.True(settings.GetValue<bool>("Logging:Console:IncludeScopes"));
        Assert.True(settings.GetValue<bool>("Logging:Console:FormatterOptions:IncludeScopes"));
        Assert.Null(settings["Logging:Console:FormatterName"]);
    }
}
