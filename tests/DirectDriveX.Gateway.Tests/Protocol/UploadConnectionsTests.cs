using System.Reflection;
using DirectDriveX.Node.Draining;
using DirectDriveX.Protocols;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>A connection that reaches a draining node while the upload's earlier connection there is still ending waits for
/// that one to end (its commits are done then) before the session is deactivated, so that the client's next reconnect
/// activates it on a survivor; and it does not wait past <see cref="UploadConnections.LetGoWait"/>.</summary>
public class UploadConnectionsTests
{
    [Fact]
    public async Task A_late_connection_lets_the_session_go_once_the_earlier_connection_has_ended()
    {
        var (connections, drain, deactivations) = NewConnections();
        var earlier = connections.Open(new DefaultHttpContext(), "upload-a");
        using var other = connections.Open(new DefaultHttpContext(), "upload-b");
        drain.Begin();
        using var late = connections.Open(new DefaultHttpContext(), "upload-a");
        late.SessionHere = true;

        var letGo = connections.LetGoAsync(late);
        Assert.False(letGo.IsCompleted);
        Assert.Empty(deactivations);

        earlier.Dispose();
        await letGo.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(["upload-a"], deactivations);
    }

    [Fact]
    public async Task A_late_connection_lets_the_session_go_after_the_wait_when_the_earlier_one_does_not_end()
    {
        var (connections, drain, deactivations) = NewConnections();
        using var earlier = connections.Open(new DefaultHttpContext(), "upload-a");
        drain.Begin();
        using var late = connections.Open(new DefaultHttpContext(), "upload-a");
        late.SessionHere = true;

        var started = TimeProvider.System.GetTimestamp();
        await connections.LetGoAsync(late).WaitAsync(UploadConnections.LetGoWait + TimeSpan.FromSeconds(5));

        Assert.True(TimeProvider.System.GetElapsedTime(started) >= UploadConnections.LetGoWait - TimeSpan.FromMilliseconds(50));
        Assert.Equal(["upload-a"], deactivations);
    }

    [Fact]
    public async Task A_connection_to_a_node_that_is_not_draining_lets_nothing_go()
    {
        var (connections, _, deactivations) = NewConnections();
        using var earlier = connections.Open(new DefaultHttpContext(), "upload-a");
        using var late = connections.Open(new DefaultHttpContext(), "upload-a");
        late.SessionHere = true;

        await connections.LetGoAsync(late).WaitAsync(TimeSpan.FromSeconds(1));

        Assert.Empty(deactivations);
    }

    private static (UploadConnections Connections, NodeDrain Drain, List<string> Deactivations) NewConnections()
    {
        var drain = new NodeDrain();
        var deactivations = new List<string>();
        var grains = DispatchProxy.Create<IGrainFactory, RecordingGrainFactory>();
        ((RecordingGrainFactory)(object)grains).Asked = deactivations;
        return (new UploadConnections(drain, grains, NullLogger<UploadConnections>.Instance), drain, deactivations);
    }

    /// <summary>Records the key of each session grain asked for (the deactivation's first step), by key or by id, and fails the
    /// call, which the drain logs and lets go.</summary>
    public class RecordingGrainFactory : DispatchProxy
    {
        public List<string> Asked { get; set; } = [];

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            // By key (the first reference of an interface in the process), or by id once its grain type is known (GrainReferences).
            if (targetMethod?.Name == nameof(IGrainFactory.GetGrain) && args is [string key, ..]) lock (Asked) Asked.Add(key);
            if (targetMethod?.Name == nameof(IGrainFactory.GetGrain) && args is [GrainId id, ..]) lock (Asked) Asked.Add(id.Key.ToString());
            throw new InvalidOperationException("No grains in this test.");
        }
    }
}
