namespace ImageDedup.Cli.Output;

// The JSON documents the commands print with --json: one per command, camelCase, stable names.
// They are the tool's own shapes, not the library's records, so a library change cannot silently
// change a script's input.

/// <summary>What every failing command writes to stderr with --json.</summary>
internal sealed record ErrorDocument(ErrorBody Error);

internal sealed record ErrorBody(string Code, string Message, int ExitCode);

internal sealed record StatisticsDocument(
    long UniqueOriginals,
    long StoredBytes,
    long References,
    long LogicalBytes,
    long BytesSaved,
    double AverageReferences,
    long OrphanCount,
    long OrphanBytes)
{
    public static StatisticsDocument From(OriginalStatistics s)
        => new(s.UniqueOriginals, s.StoredBytes, s.References, s.LogicalBytes, s.BytesSaved, s.AverageReferences, s.OrphanCount, s.OrphanBytes);
}

internal sealed record OriginalDocument(
    Guid Id,
    string Digest,
    long Length,
    string ContentType,
    string State,
    long ReferenceCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset? OrphanedAt,
    DateTimeOffset? BlobMissingSince,
    IReadOnlyList<string>? Holders)
{
    public static OriginalDocument From(Original o, IReadOnlyList<string>? holders = null)
        => new(o.Id, o.Digest.ToString(), o.Length, o.ContentType, o.State.ToString().ToLowerInvariant(), o.ReferenceCount, o.CreatedAt, o.OrphanedAt, o.BlobMissingSince, holders);
}

internal sealed record StoreDocument(string Store, StatisticsDocument Statistics);

internal sealed record ListDocument(string Store, IReadOnlyList<OriginalDocument> Originals);

/// <summary>A file that was skipped or could not be read, and why.</summary>
/// <param name="Kind"><c>not-an-image</c>, <c>empty</c>, <c>too-large</c>, <c>unreadable</c>, <c>changed</c>, <c>unlistable</c>, <c>bad-name</c>, <c>blocked</c>.</param>
internal sealed record FileProblem(string Path, string Kind, string Reason);

internal sealed record IngestSummary(
    int FilesSeen,
    int ImagesIngested,
    int NewOriginals,
    int UniqueOriginals,
    int Duplicates,
    int Unchanged,
    int ReferencesAdded,
    long BytesRead,
    long BytesStored,
    long BytesSaved,
    int NonImages,
    int TooLarge,
    int Unreadable,
    int Blocked,
    int LinksFollowed,
    int ReachedAgain,
    double Seconds);

internal sealed record IngestDocument(string Store, IngestSummary Summary, IReadOnlyList<FileProblem> Problems, StatisticsDocument Statistics);

internal sealed record DuplicateGroup(Guid OriginalId, string Digest, long Length, string ContentType, long BytesSaved, IReadOnlyList<string> Holders);

internal sealed record DuplicatesDocument(string Store, long BytesSaved, IReadOnlyList<DuplicateGroup> Groups);

internal sealed record ScanGroup(string Digest, long Length, long BytesReclaimable, IReadOnlyList<string> Files);

internal sealed record ScanDocument(
    int FilesSeen,
    long BytesSeen,
    int FilesHashed,
    long BytesHashed,
    int DuplicateFiles,
    long BytesReclaimable,
    IReadOnlyList<ScanGroup> Groups,
    IReadOnlyList<FileProblem> Problems);

internal sealed record ReleaseDocument(string Holder, bool Released, Guid? OriginalId, long RemainingReferences, bool OriginalDeleted, bool OriginalOrphaned);

internal sealed record PrefixReleaseDocument(string Prefix, long ReferencesReleased, long OriginalsDeleted, long OriginalsOrphaned);

internal sealed record CollectDocument(long OriginalsDeleted, long BytesFreed);

internal sealed record ReconcileDocument(
    bool DryRun,
    long PendingRemoved,
    long DeletionsFinished,
    long OrphanBlobsDeleted,
    long IncompleteWritesDeleted,
    IReadOnlyList<Guid> MissingBlobs,
    bool Audited,
    string? AuditCursor);

internal sealed record VerifyDocument(long Checked, IReadOnlyList<Guid> Missing, IReadOnlyList<Guid> Corrupt, IReadOnlyList<Guid> Unreadable);

internal sealed record ExportDocument(Guid OriginalId, string Digest, long Length, string ContentType, string Out);

internal sealed record BlockDocument(string? Scope, string Digest, string Reason, string BlockedBy, DateTimeOffset BlockedAt)
{
    public static BlockDocument From(BlockListEntry e) => new(e.Scope, e.Digest.ToString(), e.Reason, e.BlockedBy, e.BlockedAt);
}

internal sealed record ReleasedHolderDocument(string Scope, string Holder, Guid OriginalId);

internal sealed record PurgeDocument(
    string Digest,
    IReadOnlyList<Guid> OriginalsPurged,
    IReadOnlyList<Guid> OriginalsUnfinished,
    long HoldersReleased,
    IReadOnlyList<ReleasedHolderDocument> Holders,
    BlockDocument? Block);

internal sealed record UnblockDocument(string? Scope, string Digest, bool Removed);

internal sealed record BlockListDocument(string Store, IReadOnlyList<BlockDocument> Entries);
