using System.Text;
using System.Web;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>
/// A blob client's pipeline policy that stalls the first Put Block of the block at <see cref="Offset"/> after its body has been
/// read: the body is taken from the writer's scratch as it was then, and the request goes on to the store only once
/// <see cref="Release"/> is called. What a request stuck on the network does: the bytes it carries are the ones read before.
/// </summary>
public sealed class PutBlockHold : HttpPipelinePolicy
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;

    /// <summary>The offset of the block to hold (its id ends with it); null: none.</summary>
    public long? Offset { get; set; }

    /// <summary>Whether the block's request has been read and is being held.</summary>
    public bool Holding => Volatile.Read(ref _held) == 2;

    public void Release() => _release.TrySetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (IsTheBlock(message) && Interlocked.CompareExchange(ref _held, 1, 0) == 0)
        {
            using var body = new MemoryStream();
            await message.Request.Content!.WriteToAsync(body, message.CancellationToken);
            message.Request.Content = RequestContent.Create(body.ToArray());
            Volatile.Write(ref _held, 2);
            await _release.Task;
        }
        await ProcessNextAsync(message, pipeline);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    private bool IsTheBlock(HttpMessage message)
    {
        if (Offset is not { } offset || message.Request.Method != RequestMethod.Put) return false;
        var query = HttpUtility.ParseQueryString(message.Request.Uri.Query);
        if (query["comp"] != "block" || query["blockid"] is not { } id) return false;
        return Encoding.ASCII.GetString(Convert.FromBase64String(id)).EndsWith($"-{offset:D20}", StringComparison.Ordinal);
    }
}
