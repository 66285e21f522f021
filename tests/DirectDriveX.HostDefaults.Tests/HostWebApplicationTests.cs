using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace DirectDriveX.HostDefaults.Tests;

/// <summary>Every host reads its configuration files once: watching them meant watching the store's directory when it is below the content root,
/// an event per file of every upload (issue 19, thirteenth round).</summary>
public sealed class HostWebApplicationTests
{
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

    private static List<JsonConfigurationSource> JsonFilesOf(IConfigurationBuilder configuration) =>
        configuration.Sources.OfType<JsonConfigurationSource>().ToList();
}
