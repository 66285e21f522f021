using System.Globalization;
using System.Text.RegularExpressions;

namespace DirectDriveX.HostDefaults.Tests;

/// <summary>Reads samples out of a Prometheus text exposition (enough of the format for assertions).</summary>
internal sealed partial class PrometheusText(string body)
{
    /// <summary>The value of the one sample named <paramref name="name"/> whose labels include <paramref name="labels"/>
    /// ("key=value" pairs); null when there is none.</summary>
    public double? Sample(string name, params string[] labels)
    {
        var matches = body.Split('\n')
            .Select(line => SampleLine().Match(line))
            .Where(m => m.Success && m.Groups["name"].Value == name)
            .Where(m => labels.All(label => LabelsOf(m.Groups["labels"].Value).Contains(label)))
            .ToList();
        return matches.Count switch
        {
            0 => null,
            1 => double.Parse(matches[0].Groups["value"].Value, CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException($"{matches.Count} samples of {name} match {string.Join(",", labels)}"),
        };
    }

    private static HashSet<string> LabelsOf(string labels) =>
        LabelPair().Matches(labels).Select(m => $"{m.Groups["key"].Value}={m.Groups["value"].Value}").ToHashSet();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>\S+)""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=\"(?<value>[^\"]*)\"")]
    private static partial Regex LabelPair();
}
