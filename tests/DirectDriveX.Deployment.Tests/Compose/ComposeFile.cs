using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace DirectDriveX.Deployment.Tests.Compose;

/// <summary>The parts of a compose.yaml these tests check. Environment must be written as a map (KEY: "value").</summary>
public sealed class ComposeFile
{
    public Dictionary<string, ComposeService> Services { get; set; } = [];
    public Dictionary<string, object?> Volumes { get; set; } = [];
    public Dictionary<string, ComposeNetwork> Networks { get; set; } = [];

    public static ComposeFile Load(string path)
    {
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .IgnoreUnmatchedProperties()
            .Build();
        return deserializer.Deserialize<ComposeFile>(File.ReadAllText(path));
    }
}

public sealed class ComposeService
{
    public string? Image { get; set; }
    public ComposeBuild? Build { get; set; }
    public List<string> Command { get; set; } = [];
    public List<string> Entrypoint { get; set; } = [];
    public string? MemLimit { get; set; }
    public string? Restart { get; set; }
    public Dictionary<string, string> Environment { get; set; } = [];
    public List<string> Volumes { get; set; } = [];
    public List<string> Ports { get; set; } = [];
    public Dictionary<string, ComposeServiceNetwork?> Networks { get; set; } = [];
    public Dictionary<string, ComposeDependency> DependsOn { get; set; } = [];
    public ComposeHealthcheck? Healthcheck { get; set; }
}

public sealed class ComposeBuild
{
    public string? Context { get; set; }
    public string? Dockerfile { get; set; }
    public string? Target { get; set; }
}

public sealed class ComposeServiceNetwork
{
    public string? Ipv4Address { get; set; }
}

public sealed class ComposeDependency
{
    public string? Condition { get; set; }
}

public sealed class ComposeHealthcheck
{
    public List<string> Test { get; set; } = [];
    public string? Interval { get; set; }
}

public sealed class ComposeNetwork
{
    public ComposeIpam? Ipam { get; set; }
}

public sealed class ComposeIpam
{
    public List<Dictionary<string, string>> Config { get; set; } = [];
}
