using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace DirectDriveX.Protocols;

/// <summary>
/// Streams the file part of a multipart/form-data body without buffering it. An upload must reserve by its exact size
/// before its first byte, and <c>curl -F file=@x</c> or a browser's FormData declare none: when the file is the last part,
/// its length is the request's Content-Length less what precedes the file's bytes and the closing delimiter, which this
/// reader counts exactly as it reads the part headers (ASP.NET's MultipartReader buffers ahead and cannot say).
/// </summary>
public sealed class MultipartFileReader(PipeReader body, string boundary)
{
    private const int MaxHeaderBytes = 16 * 1024;
    private const int MaxFieldBytes = 64 * 1024;
    private readonly byte[] _delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
    private long _consumed;

    /// <summary>Length of the closing delimiter that follows a last part: CRLF "--" boundary "--" CRLF.</summary>
    public int ClosingDelimiterLength => _delimiter.Length + 4;

    /// <summary>Reads up to the first byte of the file part; form fields before it are returned. Null when there is no file part.</summary>
    public async Task<FilePart?> ReadToFileAsync(CancellationToken cancellationToken)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        // The body opens with "--boundary" (a delimiter without its leading CRLF); allow an ignored preamble before it.
        if (!await SkipPastAsync(Encoding.ASCII.GetBytes("--" + boundary), MaxFieldBytes, cancellationToken)) return null;
        while (true)
        {
            var next = await ReadLineAsync(cancellationToken);
            if (next is null || next.StartsWith("--", StringComparison.Ordinal)) return null; // "--": closing delimiter, no file
            var headers = await ReadHeadersAsync(cancellationToken);
            if (headers is null) return null;
            var disposition = headers.TryGetValue("Content-Disposition", out var d) && ContentDispositionHeaderValue.TryParse(d, out var parsed) ? parsed : null;
            var fileName = disposition?.FileNameStar.Value ?? HeaderUtilities.RemoveQuotes(disposition?.FileName ?? default).Value;
            if (!string.IsNullOrEmpty(fileName))
                return new FilePart(fileName, headers.GetValueOrDefault("Content-Type"), fields, _consumed);
            var value = await ReadUntilDelimiterAsync(MaxFieldBytes, cancellationToken);
            if (value is null) return null;
            var name = HeaderUtilities.RemoveQuotes(disposition?.Name ?? default).Value;
            if (!string.IsNullOrEmpty(name)) fields[name] = value;
        }
    }

    /// <summary>Copies exactly <paramref name="length"/> bytes of the file part to <paramref name="destination"/>; while no
    /// more bytes have arrived, <paramref name="whileWaiting"/> runs first (the writer gives its pooled buffer back).</summary>
    public async Task CopyFileAsync(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> destination, Func<ValueTask> whileWaiting,
        long length, CancellationToken cancellationToken)
    {
        var left = length;
        while (left > 0)
        {
            var pending = body.ReadAsync(cancellationToken);
            if (!pending.IsCompleted) await whileWaiting();
            var result = await pending;
            var buffer = result.Buffer;
            if (buffer.IsEmpty && result.IsCompleted) throw new EndOfStreamException($"The body ended {left} bytes before the file's declared end.");
            var take = buffer.Slice(0, Math.Min(left, buffer.Length));
            foreach (var segment in take) await destination(segment, cancellationToken);
            left -= take.Length;
            Consume(buffer, take.End, take.Length);
        }
    }

    /// <summary>True when the file's bytes are followed by the part delimiter, as they must be if the length was right.</summary>
    public async Task<bool> DelimiterFollowsAsync(CancellationToken cancellationToken)
    {
        var result = await body.ReadAtLeastAsync(_delimiter.Length, cancellationToken);
        var buffer = result.Buffer;
        var follows = buffer.Length >= _delimiter.Length && buffer.Slice(0, _delimiter.Length).ToArray().AsSpan().SequenceEqual(_delimiter);
        body.AdvanceTo(buffer.Start);
        return follows;
    }

    private async Task<Dictionary<string, string>?> ReadHeadersAsync(CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var start = _consumed;
        while (_consumed - start < MaxHeaderBytes)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (line is null) return null;
            if (line.Length == 0) return headers;
            var colon = line.IndexOf(':');
            if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return null;
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await body.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (new SequenceReader<byte>(buffer).TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
            {
                var text = Encoding.UTF8.GetString(line);
                Consume(buffer, buffer.GetPosition(line.Length + 2), line.Length + 2);
                return text;
            }
            if (result.IsCompleted || buffer.Length > MaxHeaderBytes) { body.AdvanceTo(buffer.Start, buffer.End); return null; }
            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async Task<string?> ReadUntilDelimiterAsync(int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await body.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (new SequenceReader<byte>(buffer).TryReadTo(out ReadOnlySequence<byte> value, _delimiter))
            {
                var text = Encoding.UTF8.GetString(value);
                Consume(buffer, buffer.GetPosition(value.Length + _delimiter.Length), value.Length + _delimiter.Length);
                return text;
            }
            if (result.IsCompleted || buffer.Length > limit) { body.AdvanceTo(buffer.Start, buffer.End); return null; }
            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async Task<bool> SkipPastAsync(byte[] marker, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await body.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (new SequenceReader<byte>(buffer).TryReadTo(out ReadOnlySequence<byte> skipped, marker))
            {
                Consume(buffer, buffer.GetPosition(skipped.Length + marker.Length), skipped.Length + marker.Length);
                return true;
            }
            if (result.IsCompleted || buffer.Length > limit) { body.AdvanceTo(buffer.Start, buffer.End); return false; }
            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private void Consume(ReadOnlySequence<byte> buffer, SequencePosition upTo, long count)
    {
        body.AdvanceTo(upTo, upTo.Equals(buffer.End) ? buffer.End : upTo);
        _consumed += count;
    }

    /// <param name="Offset">Bytes of the body before the file's first byte.</param>
    public sealed record FilePart(string FileName, string? ContentType, IReadOnlyDictionary<string, string> Fields, long Offset);
}
