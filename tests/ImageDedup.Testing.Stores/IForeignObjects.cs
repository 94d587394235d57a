using ImageDedup.Storage;

namespace ImageDedup.Testing.Stores;

/// <summary>
/// Another application's data at a blob store's location — a host file under the root, an object
/// under the bucket prefix — written and looked up around the store, for the tests that the engine
/// touches only its own keys.
/// </summary>
public interface IForeignObjects
{
    /// <summary>Writes <paramref name="name"/> (relative, '/'-separated) at <paramref name="store"/>'s location, last modified in the past where the medium allows.</summary>
    Task WriteForeignObjectAsync(IBlobStore store, string name, byte[] content);

    /// <summary>Whether <paramref name="name"/> is still at <paramref name="store"/>'s location.</summary>
    Task<bool> ForeignObjectExistsAsync(IBlobStore store, string name);
}
