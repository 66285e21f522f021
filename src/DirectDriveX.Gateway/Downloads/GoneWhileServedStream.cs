namespace DirectDriveX.Gateway.Downloads;

/// <summary>
/// A stored file's bytes as a download reads them, for the moment they go away mid-response (the file is deleted or expires
/// while it is served from object storage, whose ranged reads fail from then on): the failed read becomes an
/// <see cref="OperationCanceledException"/>, which ASP.NET's file result answers by aborting the connection quietly (the
/// client sees fewer bytes than Content-Length), rather than an unhandled exception logged as a server error. Everything
/// else, seeking and lengths for range processing included, is the inner stream's.
/// </summary>
public sealed partial class GoneWhileServedStream(Stream inner, string fileId, ILogger logger) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (IOException e)
        {
            LogGone(logger, fileId, inner.CanSeek ? inner.Position : -1, e.Message);
            throw new OperationCanceledException($"The bytes of file {fileId} went away while it was served.", e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Information, Message = "File {FileId} went away while it was served (near byte {Position}): the download is cut off ({Detail})")]
    private static partial void LogGone(ILogger logger, string fileId, long position, string detail);
}
