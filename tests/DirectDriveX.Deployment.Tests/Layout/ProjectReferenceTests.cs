using System.Xml.Linq;

namespace DirectDriveX.Deployment.Tests.Layout;

/// <summary>
/// Which project may reference which (ARCHITECTURE.md, "Projects and what they may reference"): a reference outside this
/// table fails the build's tests, so a layer cannot start leaking into another unnoticed. A project added under src/ or tools/
/// must be given its row.
/// </summary>
public class ProjectReferenceTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        // Grain interfaces, their DTOs and the pure rules every side shares; references nothing of ours.
        ["DirectDriveX.Grains.Interfaces"] = [],
        // Where bytes live: the store interface and its file-system, S3 and Azure implementations.
        ["DirectDriveX.Storage"] = ["DirectDriveX.Grains.Interfaces"],
        // What every host sets up and reads alike: logging, probes, telemetry, the management port, the cluster's identity
        // and the Redis connection string.
        ["DirectDriveX.HostDefaults"] = ["DirectDriveX.Grains.Interfaces"],
        // What the gateway and the node's adapters say alike over HTTP: refusals on the wire, the API's answers, who the
        // client is, tus's headers and creation without bytes, why a connection is told to reconnect.
        ["DirectDriveX.Http"] = ["DirectDriveX.Grains.Interfaces"],
        // The node's data plane: buffers, the staging writer, drain state, request validation; over the store, never grain code.
        ["DirectDriveX.Node"] = ["DirectDriveX.Grains.Interfaces", "DirectDriveX.Storage"],
        // The grains and their policies; they govern the node (the budget lends its buffers, sessions plan its chunks).
        ["DirectDriveX.Grains"] = ["DirectDriveX.Grains.Interfaces", "DirectDriveX.Storage", "DirectDriveX.Node"],
        // The protocol adapters that take an upload's bytes into the node's data plane, and the node's drain.
        ["DirectDriveX.Protocols"] = ["DirectDriveX.Node", "DirectDriveX.Http", "DirectDriveX.HostDefaults"],
        // The silo host and its wiring (clustering, Redis, grain storage, the dashboard's counters).
        ["DirectDriveX.Silo"] = ["DirectDriveX.Grains", "DirectDriveX.Protocols", "DirectDriveX.HostDefaults"],
        // Routing, forwarding, downloads, the page: the contracts, the store, the HTTP face and the host defaults only.
        ["DirectDriveX.Gateway"] = ["DirectDriveX.Grains.Interfaces", "DirectDriveX.Storage", "DirectDriveX.Http", "DirectDriveX.HostDefaults"],
        // The embedded default: the gateway and one silo in one process; the only project that references both.
        ["DirectDriveX.Embedded"] = ["DirectDriveX.Gateway", "DirectDriveX.Silo"],
        // The command-line client speaks HTTP and WebSocket only.
        ["DirectDriveX.Upload"] = [],
    };

    public static TheoryData<string> Projects()
    {
        var data = new TheoryData<string>();
        foreach (var project in ProjectFiles()) data.Add(Path.GetFileNameWithoutExtension(project));
        return data;
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void A_project_references_only_what_its_row_allows(string project)
    {
        Assert.True(Allowed.TryGetValue(project, out var allowed), $"{project} has no row in the table of allowed references.");
        var references = References(ProjectFiles().Single(p => Path.GetFileNameWithoutExtension(p) == project));
        Assert.All(references, reference => Assert.Contains(reference, allowed));
    }

    [Fact]
    public void The_gateway_reaches_neither_the_node_nor_the_grains_through_what_it_references()
    {
        var reached = new SortedSet<string>(StringComparer.Ordinal);
        var next = new Queue<string>(["DirectDriveX.Gateway"]);
        while (next.TryDequeue(out var project))
            foreach (var reference in References(ProjectFiles().Single(p => Path.GetFileNameWithoutExtension(p) == project)))
                if (reached.Add(reference)) next.Enqueue(reference);
        Assert.Equal(["DirectDriveX.Grains.Interfaces", "DirectDriveX.HostDefaults", "DirectDriveX.Http", "DirectDriveX.Storage"], reached);
    }

    [Fact]
    public void The_table_names_only_projects_that_exist()
    {
        var names = ProjectFiles().Select(Path.GetFileNameWithoutExtension).ToHashSet();
        Assert.All(Allowed.Keys, name => Assert.Contains(name, names));
        Assert.Equal(Allowed.Count, names.Count);
    }

    [Fact]
    public void Architecture_md_lists_every_project_with_what_it_may_reference()
    {
        var architecture = File.ReadAllText(RepositoryRoot.File("ARCHITECTURE.md"));
        foreach (var (project, allowed) in Allowed)
        {
            var row = architecture.Split('\n').SingleOrDefault(line => line.StartsWith($"| `{project}` |", StringComparison.Ordinal));
            Assert.True(row is not null, $"ARCHITECTURE.md has no row for {project}.");
            var cell = row.Split('|')[2];
            Assert.Equal(allowed.Order().ToArray(), cell.Split('`').Where((_, i) => i % 2 == 1).Order().ToArray());
        }
    }

    private static IEnumerable<string> ProjectFiles() =>
        new[] { "src", "tools" }.SelectMany(folder => Directory.EnumerateFiles(RepositoryRoot.File(folder), "*.csproj", SearchOption.AllDirectories))
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string[] References(string projectFile) =>
        XDocument.Load(projectFile).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToArray();
}
