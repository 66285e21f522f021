using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.WebSockets;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;
using DirectDriveX.Protocols;
using DirectDriveX.Http.Clients;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using DirectDriveX.Node.Uploads;
using DirectDriveX.Http;

namespace DirectDriveX.Gateway.Tests.Clients;

public class ClientIdentityTests
{
    private static UploadClientIdentity Identity(AuthMode mode = AuthMode.None) => new(
        Options.Create(new AuthOptions
        {
            Mode = mode,
            ApiKeys = [new() { Name = "a", Key = "key-a-0123456789abcdef", MaxConcurrentUploads = 9, BytesPerDay = 77 }, new() { Name = "b", Key = "key-b-0123456789abcdef" }],
        }),
        Options.Create(new ClientOptions { MaxConcurrentUploads = 3, KeylessMaxFileBytes = 100, KeylessBytesPerDay = 1000 }),
        Options.Create(new UploadOptions()));

    private static HttpRequest Request(string? remote = "192.0.2.1", params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        if (remote is not null) context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        foreach (var (name, value) in headers) context.Request.Headers[name] = value;
        return context.Request;
    }

    [Fact]
    public void Without_a_key_the_client_is_its_address_with_the_keyless_limits()
    {
        Assert.Equal(new UploadClient("addr:192.0.2.1", new ClientLimits(3, 100, 1000)), Identity().Identify(Request()).Client);
        Assert.Equal("addr:192.0.2.9", Identity().Identify(Request("::ffff:192.0.2.9")).Client!.ClientId);
        Assert.Equal("addr:2001:db8::1", Identity().Identify(Request("2001:db8::1")).Client!.ClientId);
    }

    [Theory]
    [InlineData("Authorization", "Bearer key-a-0123456789abcdef")]
    [InlineData("Authorization", "bearer key-a-0123456789abcdef")]
    [InlineData("X-Api-Key", "key-a-0123456789abcdef")]
    public void A_valid_key_is_the_client_with_its_own_limits_over_the_defaults(string header, string value) =>
        Assert.Equal(new UploadClient("key:a", new ClientLimits(9, null, 77)), Identity().Identify(Request("192.0.2.1", (header, value))).Client);

    [Fact]
    public void A_key_without_overrides_has_the_default_concurrency_and_no_size_or_day_limit() =>
        Assert.Equal(new UploadClient("key:b", new ClientLimits(3)), Identity().Identify(Request(null, ("X-Api-Key", "key-b-0123456789abcdef"))).Client);

    [Theory]
    [InlineData(AuthMode.None)]
    [InlineData(AuthMode.ApiKey)]
    public void A_wrong_key_is_Unauthenticated_in_either_mode(AuthMode mode) =>
        Assert.Equal(new UploadRefusal(RefusalReason.Unauthenticated, "The API key presented is not valid."),
            Identity(mode).Identify(Request("192.0.2.1", ("X-Api-Key", "key-a-0123456789abcdeX"))).Refusal);

    [Fact]
    public void In_ApiKey_mode_no_key_is_Unauthenticated() =>
        Assert.Equal(RefusalReason.Unauthenticated, Identity(AuthMode.ApiKey).Identify(Request()).Refusal!.Reason);

    [Fact]
    public void The_new_refusals_have_their_rows_in_the_table()
    {
        Assert.Equal((429, (WebSocketCloseStatus)1013, true),
            (RefusalMapping.HttpStatus(RefusalReason.TooManyUploads), RefusalMapping.CloseStatus(RefusalReason.TooManyUploads), RefusalMapping.IsRetryable(RefusalReason.TooManyUploads)));
        Assert.Equal((429, WebSocketCloseStatus.PolicyViolation, false),
            (RefusalMapping.HttpStatus(RefusalReason.QuotaExceeded), RefusalMapping.CloseStatus(RefusalReason.QuotaExceeded), RefusalMapping.IsRetryable(RefusalReason.QuotaExceeded)));
        Assert.Equal((401, WebSocketCloseStatus.PolicyViolation),
            (RefusalMapping.HttpStatus(RefusalReason.Unauthenticated), RefusalMapping.CloseStatus(RefusalReason.Unauthenticated)));
        Assert.Equal((429, 429, 401), (RefusalMapping.TusHttpStatus(RefusalReason.TooManyUploads), RefusalMapping.TusHttpStatus(RefusalReason.QuotaExceeded),
            RefusalMapping.TusHttpStatus(RefusalReason.Unauthenticated)));
    }

    [Fact]
    public void A_quota_refusal_says_to_retry_when_the_quota_resets()
    {
        var now = new DateTimeOffset(2026, 11, 23, 23, 0, 0, TimeSpan.Zero);
        var quota = new UploadRefusal(RefusalReason.QuotaExceeded, "x", Quota: new ClientQuotaFigures("a", "bytesPerDay", 1, 1, now.AddHours(1)));
        Assert.Equal(TimeSpan.FromHours(1), RefusalMapping.RetryAfter(quota, TimeSpan.FromSeconds(5), now));
        Assert.Equal(TimeSpan.FromSeconds(5), RefusalMapping.RetryAfter(new UploadRefusal(RefusalReason.TooManyUploads, "x"), TimeSpan.FromSeconds(5), now));
        Assert.Null(RefusalMapping.RetryAfter(new UploadRefusal(RefusalReason.Unauthenticated, "x"), TimeSpan.FromSeconds(5), now));
    }

    [Fact]
    public void Options_refuse_ApiKey_mode_without_keys_short_or_repeated_keys_and_bad_proxies()
    {
        static List<string?> Errors(object options)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
            return [.. results.Select(r => r.ErrorMessage)];
        }
        Assert.Contains("Auth:Mode=ApiKey needs at least one entry in Auth:ApiKeys.", Errors(new AuthOptions { Mode = AuthMode.ApiKey }));
        Assert.Contains(Errors(new AuthOptions { ApiKeys = [new() { Name = "a", Key = "short" }] }), e => e!.StartsWith("Auth:ApiKeys:0:"));
        Assert.Contains("Auth:ApiKeys: the name a is used more than once.", Errors(new AuthOptions
        {
            ApiKeys = [new() { Name = "a", Key = "key-1-0123456789abcdef" }, new() { Name = "a", Key = "key-2-0123456789abcdef" }],
        }));
        Assert.Contains("Clients:TrustedProxies: proxy.example is neither an address nor a network (CIDR).",
            Errors(new ClientOptions { TrustedProxies = ["10.0.0.0/8", "127.0.0.1", "proxy.example"] }));
        Assert.Empty(Errors(new ClientOptions { TrustedProxies = ["10.0.0.0/8", "::1"] }));
    }
}
