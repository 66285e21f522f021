using System.Net.Sockets;
using System.Text;

namespace DirectDriveX.Gateway.Tests.Infrastructure;

/// <summary>
/// An HTTP/1.1 request on a socket whose body the client has begun and not finished, as a slow client's: it declares its
/// length, sends part of the body, and then reads whatever answer comes (HttpClient reads none before its body is sent).
/// </summary>
public sealed class UnfinishedRequest : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private UnfinishedRequest(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public sealed record Answer(string StatusLine, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public string Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant()) ?? "";
    }

    /// <summary>Sends the request line, <paramref name="headers"/> and Content-Length <paramref name="contentLength"/>, then
    /// <paramref name="firstBytes"/> of the body.</summary>
    public static async Task<UnfinishedRequest> BeginAsync(Uri server, string method, string pathAndQuery,
        IEnumerable<(string Name, string Value)> headers, long contentLength, ReadOnlyMemory<byte> firstBytes)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var request = new UnfinishedRequest(tcp);
        var head = new StringBuilder($"{method} {pathAndQuery} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Length: {contentLength}\r\n");
        foreach (var (name, value) in headers) head.Append($"{name}: {value}\r\n");
        await request._stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
        await request._stream.WriteAsync(firstBytes);
        return request;
    }

    /// <summary>The answer that comes while the body is unfinished: status line, headers (names lower-case), and the body
    /// (by Content-Length, chunked, or up to the close), within <paramref name="timeout"/>.</summary>
    public async Task<Answer> AnswerAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var reader = new StreamReader(_stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync(deadline.Token) ?? throw new IOException("The connection closed without an answer.");
        var fields = new Dictionary<string, string>();
        while (await reader.ReadLineAsync(deadline.Token) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':');
            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            fields[name] = fields.TryGetValue(name, out var earlier) ? $"{earlier},{value}" : value;
        }
        string body;
        if (fields.TryGetValue("content-length", out var length))
        {
            var chars = new char[int.Parse(length)];
            await reader.ReadBlockAsync(chars, deadline.Token);
            body = new string(chars);
        }
        else if (fields.GetValueOrDefault("transfer-encoding") == "chunked")
        {
            var text = new StringBuilder();
            while (Convert.ToInt32((await reader.ReadLineAsync(deadline.Token))!.Split(';')[0], 16) is var size and > 0)
            {
                var chars = new char[size];
                await reader.ReadBlockAsync(chars, deadline.Token);
                text.Append(chars);
                await reader.ReadLineAsync(deadline.Token);
            }
            body = text.ToString();
        }
        else body = await reader.ReadToEndAsync(deadline.Token);
        return new Answer(statusLine, fields, body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
