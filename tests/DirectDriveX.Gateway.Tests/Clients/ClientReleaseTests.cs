using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Tests.Clients;

/// <summary>Key <c>solo</c> may hold one upload at a time; sessions expire one second after creation without a byte and park
/// two seconds after their last byte; a client at its limit rechecks sessions counted for half a second.</summary>
public sealed class ClientReleaseFixture : GatewayFixture
{
    public const string SoloKey = "solo-key-0123456789abcdef";

    protected override IDictionary<string, string?> SiloSettings => new Dictionary<string, string?>
    {
        ["Uploads:FirstByteTimeout"] = "00:00:01",
        ["Uploads:ClientRecheckAfter"] = "00:00:00.500",
        ["MemoryBudget:LeaseTimeout"] = "00:00:02",
        ["MemoryBudget:SweepInterval"] = "00:00:00.100",
    };

    protected override IReadOnlyDictionary<string, string?> EdgeSettings => new Dictionary<string, string?>
    {
        ["Auth:ApiKeys:0:Name"] = "solo",
        ["Auth:ApiKeys:0:Key"] = SoloKey,
        ["Auth:ApiKeys:0:MaxConcurrentUploads"] = "1",
    };

    public ClientRequests Solo => new(Http, apiKey: SoloKey);

    public async Task<ClientRequests.Answer> CreateAsync(long size)
    {
        var created = await Solo.CreateAsync(size);
        Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
        return created;
    }

    public async Task<JsonElement> PutAsync(ClientRequests.Answer created, long offset, ReadOnlyMemory<byte> bytes)
    {
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/uploads/{created.UploadId}/chunks?offset={offset}")
        {
            Content = new ReadOnlyMemoryContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
            Headers = { { "Upload-Token", created.ResumeToken } },
        };
        using var response = await Http.SendAsync(put);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<string?> StateAsync(ClientRequests.Answer created) =>
        (await Grains.GetGrain<IUploadSessionGrain>(created.UploadId).GetState()).State.ToString();

    /// <summary>Creates again until the client is admitted; every answer meanwhile must be TooManyUploads.</summary>
    public Task<ClientRequests.Answer> AdmittedAgainAsync(TimeSpan deadline) =>
        Eventually.Holds(async () =>
        {
            var answer = await Solo.CreateAsync(1000);
            if (answer.Status != HttpStatusCode.Created) Assert.Equal("TooManyUploads", answer.Reason);
            return answer;
        }, a => a.Status == HttpStatusCode.Created, deadline, "the client admitted again");
}

/// <summary>A counted session is released on every way out of it.</summary>
public class ClientReleaseTests(ClientReleaseFixture fixture) : IClassFixture<ClientReleaseFixture>
{
    [Fact]
    public async Task Completion_frees_the_slot()
    {
        var data = TestBytes.Random(5000, seed: 3);
        var created = await fixture.CreateAsync(data.Length);
        Assert.Equal("TooManyUploads", (await fixture.Solo.CreateAsync(1000)).Reason);
        await fixture.PutAsync(created, 0, data);
        var next = await fixture.Solo.CreateAsync(1000);
        Assert.Equal(HttpStatusCode.Created, next.Status);
        await fixture.Grains.GetGrain<IUploadSessionGrain>(next.UploadId).Abort();
    }

    [Fact]
    public async Task The_first_byte_deadline_frees_the_slot()
    {
        var created = await fixture.CreateAsync(1000);
        Assert.Equal("TooManyUploads", (await fixture.Solo.CreateAsync(1000)).Reason);
        var next = await fixture.AdmittedAgainAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("Expired", await fixture.StateAsync(created));
        await fixture.Grains.GetGrain<IUploadSessionGrain>(next.UploadId).Abort();
    }

    [Fact]
    public async Task Parking_after_the_first_byte_frees_the_slot_and_a_resume_needs_it_back()
    {
        var data = TestBytes.Random(5000, seed: 4);
        var created = await fixture.CreateAsync(data.Length);
        await fixture.PutAsync(created, 0, data.AsMemory(0, 1000));
        Assert.Equal("TooManyUploads", (await fixture.Solo.CreateAsync(1000)).Reason);
        var next = await fixture.AdmittedAgainAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("Parked", await fixture.StateAsync(created)); // its bytes are kept; its slot is another upload's now

        using (var put = Put(created, 1000, data.AsMemory(1000)))
        {
            var refused = await fixture.Solo.SendAsync(put);
            Assert.Equal((HttpStatusCode.TooManyRequests, "TooManyUploads", "5"), (refused.Status, refused.Reason, refused.Headers.RetryAfter?.ToString()));
            Assert.Equal(1000, refused.Body.GetProperty("expectedOffset").GetInt64());
        }
        await fixture.Grains.GetGrain<IUploadSessionGrain>(next.UploadId).Abort();
        var stored = await fixture.PutAsync(created, 1000, data.AsMemory(1000));
        Assert.Equal(TestBytes.Sha256Hex(data), stored.GetProperty("sha256").GetString());
    }

    private static HttpRequestMessage Put(ClientRequests.Answer created, long offset, ReadOnlyMemory<byte> bytes) =>
        new(HttpMethod.Put, $"/api/v1/uploads/{created.UploadId}/chunks?offset={offset}")
        {
            Content = new ReadOnlyMemoryContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
            Headers = { { "Upload-Token", created.ResumeToken } },
        };
}

/// <summary>A session whose node dies is still live (it can be resumed on a survivor), so it keeps its client's slot; when
/// nobody resumes it, its lease timeout parks it on the survivor that the client's count reactivated, and the slot is free.</summary>
public sealed class ClientNodeDeathTests : IAsyncLifetime
{
    private readonly ClientReleaseFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task A_session_stranded_by_a_killed_node_is_released_when_its_deadline_passes_on_a_survivor()
    {
        var created = await _fixture.CreateAsync(8 * GatewayFixture.MiB);
        await _fixture.PutAsync(created, 0, TestBytes.Random(1000, seed: 5));
        var node = created.Body.GetProperty("node").GetString();
        await _fixture.Cluster.KillSiloAsync(_fixture.Cluster.Silos.Single(s => s.Name == node));

        var next = await _fixture.AdmittedAgainAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("Parked", await _fixture.StateAsync(created));
        Assert.Equal([next.UploadId], (await _fixture.Grains.GetGrain<IUploadClientGrain>("key:solo").GetState()).LiveUploads);
    }
}
