using System.Net.Sockets;
using System.Text;

namespace DirectDriveX.Gateway.Tests.Infrastructure;

/// <summary>
/// An HTTP/1.1 request with a chunked body and trailers, written on a socket: HttpClient sends no request trailers, and
/// tus's checksum-trailer extension is about exactly those.
/// </summary>
public static class ChunkedRequest
{
    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers)
    {
        public string Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant()) ?? "";
    }

    /// <summary>Sends <paramref name="body"/> in chunks of <paramref name="chunkBytes"/>, then the trailer fields, and reads the
    /// answer's status and headers (the connection is closed after it).</summary>
    public static async Task<Response> SendAsync(Uri baseAddress, string method, string pathAndQuery, IEnumerable<(string Name, string Value)> headers,
        ReadOnlyMemory<byte> body, IEnumerable<(string Name, string Value)> trailers, int chunkBytes = 64 * 1024)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port);
        await using var stream = tcp.GetStream();
        var head = new StringBuilder($"{method} {pathAndQuery} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n");
        foreach (var (name, value) in headers) head.Append($"{name}: {value}\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
        for (var start = 0; start < body.Length; start += chunkBytes)
        {
            var chunk = body.Slice(start, Math.Min(chunkBytes, body.Length - start));
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"));
            await stream.WriteAsync(chunk);
            await stream.WriteAsync("\r\n"u8.ToArray());
        }
        var end = new StringBuilder("0\r\n");
        foreach (var (name, value) in trailers) end.Append($"{name}: {value}\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(end.Append("\r\n").ToString()));

        using var reader = new StreamReader(stream, Encoding.ASCII);
        var status = (await reader.ReadLineAsync())?.Split(' ') ?? throw new IOException("No response.");
        var fields = new Dictionary<string, string>();
        while (await reader.ReadLineAsync() is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':');
            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            fields[name] = fields.TryGetValue(name, out var earlier) ? $"{earlier},{value}" : value;
        }
        return new Response(int.Parse(status[1]), fields);
    }
}
