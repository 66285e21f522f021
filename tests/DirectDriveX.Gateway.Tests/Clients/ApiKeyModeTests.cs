using System.Net;
using DirectDriveX.Gateway.Tests.Infrastructure;

namespace DirectDriveX.Gateway.Tests.Clients;

/// <summary><c>Auth:Mode=ApiKey</c>: creating needs a key; the resume token alone carries the upload itself.</summary>
public sealed class ApiKeyModeFixture : GatewayFixture
{
    public const string Key = "only-key-0123456789abcdef";

    protected override IReadOnlyDictionary<string, string?> EdgeSettings => new Dictionary<string, string?>
    {
        ["Auth:Mode"] = "ApiKey",
        ["Auth:ApiKeys:0:Name"] = "only",
        ["Auth:ApiKeys:0:Key"] = Key,
    };
}

public class ApiKeyModeTests(ApiKeyModeFixture fixture) : IClassFixture<ApiKeyModeFixture>
{
    private const string NeedsKey = "Creating an upload needs an API key: send it as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.";

    [Fact]
    public async Task Every_protocol_refuses_a_create_without_a_key_with_401()
    {
        var anonymous = new ClientRequests(fixture.Http);
        var answers = new[]
        {
            await anonymous.CreateAsync(1000),
            await anonymous.LegacyInitiateAsync(1000),
            await anonymous.MultipartAsync(TestBytes.Random(1000, seed: 7)),
            await anonymous.TusCreateAsync(1000),
            await anonymous.TusCreateAsync(1000, TestBytes.Random(1000, seed: 8)),
        };
        Assert.All(answers, a =>
        {
            Assert.True(a.Status == HttpStatusCode.Unauthorized, a.ToString());
            Assert.Equal(("Unauthenticated", NeedsKey), (a.Reason, a.Detail));
            Assert.Equal("Bearer", a.Headers.WwwAuthenticate.Single().Scheme);
        });
    }

    [Fact]
    public async Task With_a_key_every_protocol_creates_and_the_resume_token_alone_carries_the_upload()
    {
        var keyed = new ClientRequests(fixture.Http, apiKey: ApiKeyModeFixture.Key);
        var data = TestBytes.Random(3000, seed: 9);
        var multipart = await keyed.MultipartAsync(data);
        var tus = await keyed.TusCreateAsync(data.Length, data);
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (multipart.Status, tus.Status));

        var created = await keyed.CreateAsync(data.Length);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/uploads/{created.UploadId}/chunks?offset=0")
        {
            Content = new ByteArrayContent(data) { Headers = { ContentType = new("application/octet-stream") } },
            Headers = { { "Upload-Token", created.ResumeToken } },
        };
        using var response = await fixture.Http.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var legacy = await keyed.LegacyInitiateAsync(1000);
        Assert.Equal(HttpStatusCode.OK, legacy.Status);
        await fixture.Grains.GetGrain<DirectDriveX.Grains.Interfaces.IUploadSessionGrain>(legacy.Body.GetProperty("file_id").GetString()!).Abort();
    }
}
