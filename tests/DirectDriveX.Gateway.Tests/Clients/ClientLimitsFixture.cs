using DirectDriveX.Gateway.Tests.Infrastructure;

namespace DirectDriveX.Gateway.Tests.Clients;

/// <summary>
/// The cluster of issue 11's report: three silos with caps of 2, 3 and 4 GiB, with client limits as a production service
/// sets them: 5 live uploads per client (the default); clients without a key may send files of at most 3 GiB and 4 GiB a
/// day; key <c>ci</c> may hold 2 uploads at once, key <c>bulk</c> has the defaults and no file or day limit. The test
/// process (127.0.0.1) is a trusted proxy, so each test poses as its own clients by X-Forwarded-For.
/// </summary>
public sealed class ClientLimitsFixture : GatewayFixture
{
    public const string CiKey = "ci-key-0123456789abcdef";
    public const string BulkKey = "bulk-key-0123456789abcdef";
    public const long KeylessMaxFile = 3 * GiB;
    public const long KeylessPerDay = 4 * GiB;

    protected override IReadOnlyDictionary<string, long> Caps =>
        new Dictionary<string, long> { ["Silo_0"] = 2 * GiB, ["Silo_1"] = 3 * GiB, ["Silo_2"] = 4 * GiB };

    protected override IReadOnlyDictionary<string, string?> EdgeSettings => new Dictionary<string, string?>
    {
        ["Clients:TrustedProxies:0"] = "127.0.0.1",
        ["Clients:KeylessMaxFileBytes"] = KeylessMaxFile.ToString(),
        ["Clients:KeylessBytesPerDay"] = KeylessPerDay.ToString(),
        ["Auth:ApiKeys:0:Name"] = "ci",
        ["Auth:ApiKeys:0:Key"] = CiKey,
        ["Auth:ApiKeys:0:MaxConcurrentUploads"] = "2",
        ["Auth:ApiKeys:1:Name"] = "bulk",
        ["Auth:ApiKeys:1:Key"] = BulkKey,
    };
}
