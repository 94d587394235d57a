namespace ImageDedup.ProcessHost;

/// <summary>The items of the crash tests' batch: the same in the child that crashes and in the test that runs the batch again.</summary>
public static class BatchScenario
{
    /// <summary>The batch scenario's items: each file of the folder in name order, then the changing item.</summary>
    public static IEnumerable<IngestItem> Items(string folder, string holderPrefix)
    {
        foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
        {
            yield return IngestItem.FromFile(file, new IngestRequest { Holder = holderPrefix + Path.GetFileName(file) });
        }

        // The largest file's bytes (past one chunk, so they are read again for the write), one byte
        // changed in the middle of its data chunk: other bytes, the same structure.
        var changing = File.ReadAllBytes(Directory.GetFiles(folder).MaxBy(f => new FileInfo(f).Length)!);
        changing[changing.Length / 2] ^= 0x5A;
        yield return new IngestItem(_ => ValueTask.FromResult<Stream>(new ImageDedup.Testing.Content.MutatingStream(changing)), new IngestRequest { Holder = holderPrefix + "changing" });
    }
}
