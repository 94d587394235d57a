namespace ImageDedup.Benchmarks;

/// <summary>The kinds of stream a host hands the library.</summary>
public enum StreamKind
{
    /// <summary>A MemoryStream whose buffer is visible (the library may hash it in place).</summary>
    Memory,

    /// <summary>A FileStream as <c>File.OpenRead</c> opens it; the bytes are in the page cache.</summary>
    File,

    /// <summary>A forward-only wrapper (a request body, a pipe) over in-memory bytes.</summary>
    NonSeekable,
}
