using System.Collections.Immutable;

namespace DirectDriveX.Grains.Interfaces.Telemetry;

/// <summary>The callbacks an observable gauge reads from; each registration is removed by disposing it.
/// Lock-free for readers: collection iterates an immutable snapshot.</summary>
internal sealed class ObservationSources<T>
{
    private ImmutableList<Func<T>> _sources = [];

    public IDisposable Add(Func<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ImmutableInterlocked.Update(ref _sources, list => list.Add(source));
        return new Registration(this, source);
    }

    public ImmutableList<Func<T>> Current() => Volatile.Read(ref _sources);

    private void Remove(Func<T> source) => ImmutableInterlocked.Update(ref _sources, list => list.Remove(source));

    private sealed class Registration(ObservationSources<T> owner, Func<T> source) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Remove(source);
            }
        }
    }
}
