using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>A request Kestrel cannot read is the client's error: a create whose chunked body is malformed is answered 400
/// InvalidRequest, never 500 StorageFailure (issue 20).</summary>
[Collection(GatewayCollection.Name)]
public class MalformedRequestTests(DefaultGatewayFixture fixture)
{
    [Fact]
    public async Task A_create_with_a_malformed_chunked_body_is_400_InvalidRequest()
    {
        var address = fixture.Http.BaseAddress!;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /api/v1/uploads HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n" +
            "Connection: close\r\n\r\nzz\r\n{\"fileName\":\"a.bin\",\"size\":1}\r\n0\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 400 ", response);
        using var problem = JsonDocument.Parse(response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..].Trim() is var body && body.StartsWith('{') ? body : Unchunk(body));
        Assert.Equal("InvalidRequest", problem.RootElement.GetProperty("reason").GetString());
        Assert.Equal("The request could not be read: Bad chunk size data.", problem.RootElement.GetProperty("detail").GetString());
    }

    private static string Unchunk(string body)
    {
        var text = new StringBuilder();
        var lines = body.Split("\r\n");
        for (var i = 0; i + 1 < lines.Length; i += 2)
        {
            if (Convert.ToInt32(lines[i], 16) == 0) break;
            text.Append(lines[i + 1]);
        }
        return text.ToString();
    }
}
