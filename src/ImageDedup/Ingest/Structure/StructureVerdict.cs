namespace ImageDedup.Ingest.Structure;

/// <summary>What a structure walk concluded about an upload.</summary>
internal enum StructureOutcome
{
    /// <summary>Every structure the format declares is present.</summary>
    Complete,

    /// <summary>The structure says more bytes should follow, and the content ended.</summary>
    Truncated,

    /// <summary>The format or the content gives nothing to check (a bare JPEG XL codestream, a structure the walker does not understand).</summary>
    Unchecked,
}

/// <summary>The outcome of a structure walk and, in words, why.</summary>
internal readonly record struct StructureVerdict(StructureOutcome Outcome, string Detail)
{
    public static StructureVerdict Complete(string detail) => new(StructureOutcome.Complete, detail);

    public static StructureVerdict Truncated(string detail) => new(StructureOutcome.Truncated, detail);

    public static StructureVerdict Unchecked(string detail) => new(StructureOutcome.Unchecked, detail);
}
