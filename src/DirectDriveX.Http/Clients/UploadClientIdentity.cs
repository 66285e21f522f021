using System.Net;
using System.Security.Cryptography;
using System.Text;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Http.Clients;

/// <summary>
/// Who is creating an upload: the API key it presents (<c>Authorization: Bearer …</c> or <c>X-Api-Key</c>), else its remote
/// address (which <see cref="TrustedProxies"/> has already taken from <c>X-Forwarded-For</c> when the connection comes from
/// a trusted proxy); and the limits that apply. A key is compared by its SHA-256 against every configured key's, in
/// constant time and without stopping at a match, so neither the time nor the order tells anything about the keys.
/// </summary>
public sealed class UploadClientIdentity
{
    public const string ApiKeyHeader = "X-Api-Key";

    private readonly AuthMode _mode;
    private readonly (byte[] Hash, UploadClient Client)[] _keys;
    private readonly ClientLimits _keyless;

    public UploadClientIdentity(IOptions<AuthOptions> auth, IOptions<ClientOptions> clients, IOptions<UploadOptions> uploads)
    {
        var c = clients.Value;
        _mode = auth.Value.Mode;
        _keyless = new ClientLimits(c.MaxConcurrentUploads, c.KeylessMaxFileBytes, c.KeylessBytesPerDay);
        _keys = [.. auth.Value.ApiKeys.Select(k => (Hash(k.Key), new UploadClient("key:" + k.Name,
            new ClientLimits(k.MaxConcurrentUploads ?? c.MaxConcurrentUploads, k.MaxFileBytes, k.BytesPerDay))))];
    }

    /// <summary>The client of <paramref name="request"/>, or the <see cref="RefusalReason.Unauthenticated"/> refusal: a key was
    /// presented and is not valid, or none was and <c>Auth:Mode</c> is <c>ApiKey</c>.</summary>
    public (UploadClient? Client, UploadRefusal? Refusal) Identify(HttpRequest request)
    {
        if (PresentedKey(request) is { } presented)
        {
            var hash = Hash(presented);
            UploadClient? match = null;
            foreach (var (known, client) in _keys)
                if (CryptographicOperations.FixedTimeEquals(hash, known)) match = client;
            return match is null
                ? (null, new UploadRefusal(RefusalReason.Unauthenticated, "The API key presented is not valid."))
                : (match, null);
        }
        if (_mode == AuthMode.ApiKey)
            return (null, new UploadRefusal(RefusalReason.Unauthenticated,
                $"Creating an upload needs an API key: send it as 'Authorization: Bearer <key>' or '{ApiKeyHeader}: <key>'."));
        return (new UploadClient("addr:" + AddressOf(request.HttpContext.Connection.RemoteIpAddress), _keyless), null);
    }

    /// <summary>The API key client of <paramref name="request"/> when it presents a key (null when it presents none, whatever
    /// <c>Auth:Mode</c>), or the <see cref="RefusalReason.Unauthenticated"/> refusal of a key that is not valid: what a request
    /// about a file already stored presents (deleting it), where no address counts.</summary>
    public (UploadClient? KeyClient, UploadRefusal? Refusal) IdentifyKey(HttpRequest request) =>
        PresentedKey(request) is null ? (null, null) : Identify(request);

    private static string? PresentedKey(HttpRequest request)
    {
        var header = request.Headers[ApiKeyHeader].ToString();
        if (!string.IsNullOrWhiteSpace(header)) return header.Trim();
        var authorization = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        return authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) && authorization.Length > bearer.Length
            ? authorization[bearer.Length..].Trim()
            : null;
    }

    private static string AddressOf(IPAddress? address) => address switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } => address.MapToIPv4().ToString(),
        _ => address.ToString(),
    };

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
