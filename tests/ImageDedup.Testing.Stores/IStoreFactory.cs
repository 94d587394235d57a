using System.Reflection;

namespace ImageDedup.Testing.Stores;

/// <summary>
/// Fresh, empty stores of one provider for one test class instance, cleaned up when it is disposed.
/// The provider is part of the type, so a suite built on factories names the providers it runs on
/// and the matrix guard can read them without running anything.
/// </summary>
/// <typeparam name="TStore"><see cref="Storage.IReferenceStore"/> or <see cref="Storage.IBlobStore"/>.</typeparam>
public interface IStoreFactory<TStore> : IAsyncDisposable
    where TStore : class
{
    /// <summary>The provider's assembly: the one its stores' type is declared in.</summary>
    static abstract Assembly Provider { get; }

    /// <summary>A fresh, empty store (migrated, for a reference store); a new one per call.</summary>
    Task<TStore> CreateAsync();
}
