namespace ImageDedup.SampleApi.Tests;

/// <summary>
/// The images a load client believes live, with their bytes: added on 201, taken out before a
/// delete is sent (so no two workers delete the same image), picked at random for reads.
/// </summary>
public sealed class LiveImages
{
    private readonly Lock _gate = new();
    private readonly List<long> _ids = [];
    private readonly Dictionary<long, (int Index, byte[] Bytes)> _images = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _ids.Count;
            }
        }
    }

    public void Add(long id, byte[] bytes)
    {
        lock (_gate)
        {
            _images[id] = (_ids.Count, bytes);
            _ids.Add(id);
        }
    }

    public (long Id, byte[] Bytes)? Pick(Random random)
    {
        lock (_gate)
        {
            if (_ids.Count == 0)
            {
                return null;
            }

            var id = _ids[random.Next(_ids.Count)];
            return (id, _images[id].Bytes);
        }
    }

    /// <summary>Picks one and takes it out, for a delete.</summary>
    public (long Id, byte[] Bytes)? Take(Random random)
    {
        lock (_gate)
        {
            if (Pick(random) is not { } picked)
            {
                return null;
            }

            var index = _images[picked.Id].Index;
            var last = _ids[^1];
            _ids[index] = last;
            _images[last] = (index, _images[last].Bytes);
            _ids.RemoveAt(_ids.Count - 1);
            _images.Remove(picked.Id);
            return picked;
        }
    }

    public IReadOnlyList<(long Id, byte[] Bytes)> Snapshot()
    {
        lock (_gate)
        {
            return [.. _ids.Select(id => (id, _images[id].Bytes))];
        }
    }
}
