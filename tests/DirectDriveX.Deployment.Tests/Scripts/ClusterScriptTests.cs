using System.Text.RegularExpressions;
using DirectDriveX.Deployment.Tests.Compose;

namespace DirectDriveX.Deployment.Tests.Scripts;

/// <summary>scripts/cluster-up starts the compose.yaml topology as processes: the same settings, spelled the same way.</summary>
public sealed partial class ClusterScriptTests
{
    private readonly string _script = File.ReadAllText(RepositoryRoot.File("scripts", "cluster-up"));
    private readonly string _settings = File.ReadAllText(RepositoryRoot.File("scripts", "lib", "cluster.sh"));
    private readonly ComposeFile _compose = ComposeFile.Load(RepositoryRoot.File("compose.yaml"));

    private HashSet<string> ScriptSettings() => SettingAssignment().Matches(_script).Select(m => m.Groups["key"].Value).ToHashSet();

    [Fact]
    public void Every_setting_the_script_gives_a_silo_is_one_compose_gives_its_silos()
    {
        var composeSilo = _compose.Services["silo-1"].Environment.Keys.ToHashSet();
        var script = ScriptSettings();
        Assert.NotEmpty(script);
        Assert.All(script, key => Assert.Contains(key, composeSilo));
    }

    [Fact]
    public void The_script_sets_what_makes_silos_distinct_and_joined()
    {
        Assert.Superset(new HashSet<string>
        {
            "ConnectionStrings__Redis", "Orleans__ClusterId", "Orleans__ServiceId", "Orleans__SiloName", "Orleans__SiloPort",
            "Orleans__GatewayPort", "Orleans__AdvertisedIP", "Urls", "MemoryBudget__MemoryLimitBytes", "FileStore__RootDirectory",
            "Orleans__Membership__ProbeTimeout", "Orleans__Membership__NumMissedProbesLimit", "Orleans__Membership__DeathVoteExpirationTimeout",
        }, ScriptSettings());
    }

    [Fact]
    public void Failure_detection_in_the_script_defaults_to_what_compose_gives_its_silos()
    {
        var silo = _compose.Services["silo-1"].Environment;
        Assert.Contains($"DDX_PROBE_TIMEOUT=${{DDX_PROBE_TIMEOUT:-{silo["Orleans__Membership__ProbeTimeout"]}}}", _settings);
        Assert.Contains($"DDX_MISSED_PROBES=${{DDX_MISSED_PROBES:-{silo["Orleans__Membership__NumMissedProbesLimit"]}}}", _settings);
        Assert.Contains($"DDX_DEATH_VOTE_EXPIRATION=${{DDX_DEATH_VOTE_EXPIRATION:-{silo["Orleans__Membership__DeathVoteExpirationTimeout"]}}}", _settings);
        Assert.Contains("--appendonly yes", _script);
    }

    [Fact]
    public void The_script_caps_its_three_silos_at_distinct_sizes()
    {
        var limits = MemoryLimits().Match(_settings).Groups["limits"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, limits.Length);
        Assert.Equal(3, limits.Distinct().Count());
    }

    [GeneratedRegex("\"(?<key>(ConnectionStrings|Orleans|MemoryBudget|FileStore|Urls)(__[A-Za-z]+)*)=")]
    private static partial Regex SettingAssignment();

    [GeneratedRegex("DDX_SILO_MEMORY_LIMITS:-\"(?<limits>[0-9 ]+)\"")]
    private static partial Regex MemoryLimits();
}
