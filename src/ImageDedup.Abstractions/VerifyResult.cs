using System.Globalization;
using System.Text;

namespace ImageDedup;

/// <summary>What a scrub found. An original whose blob fails to read is reported here and the scrub goes on.</summary>
/// <param name="Checked">Live originals whose bytes were re-hashed or tried.</param>
/// <param name="Missing">Live originals whose blob does not exist (marked in the store).</param>
/// <param name="Corrupt">
/// Live originals whose blob no longer hashes to their digest, or whose read the blob store failed
/// with <see cref="ContentIntegrityException"/> (its own checksum or length check).
/// </param>
/// <param name="Unreadable">
/// Live originals whose blob could not be read to its end for another reason (an I/O or network
/// error): the bytes may be whole; a later scrub retries them. Each is logged with its exception.
/// </param>
/// <param name="NextCursor">Where to resume; null when every original was checked.</param>
public sealed record VerifyResult(long Checked, IReadOnlyList<Guid> Missing, IReadOnlyList<Guid> Corrupt, IReadOnlyList<Guid> Unreadable, string? NextCursor)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Checked = {Checked}, ");
        PrintedList.Append(builder, nameof(Missing), Missing);
        builder.Append(", ");
        PrintedList.Append(builder, nameof(Corrupt), Corrupt);
        builder.Append(", ");
        PrintedList.Append(builder, nameof(Unreadable), Unreadable);
        builder.Append(CultureInfo.InvariantCulture, $", NextCursor = {NextCursor}");
        return true;
    }
}
