namespace ImageDedup;

/// <summary>How far an audit has come (<see cref="AuditOptions.Progress"/>).</summary>
/// <param name="Cursor">Where a new run would resume (<see cref="AuditOptions.Cursor"/>); null once the audit is complete.</param>
/// <param name="BlobsListed">Blobs listed so far in this run.</param>
/// <param name="OriginalsChecked">Live originals whose blob was checked so far in this run.</param>
/// <param name="RowlessBlobs">Row-less blobs deleted (in a dry run: found) so far in this run.</param>
/// <param name="MissingBlobs">Live originals found without their blob so far in this run.</param>
/// <param name="Requests">Blob-store requests counted against <see cref="AuditOptions.MaxRequestsPerSecond"/> so far in this run.</param>
public sealed record AuditProgress(string? Cursor, long BlobsListed, long OriginalsChecked, long RowlessBlobs, long MissingBlobs, long Requests);
