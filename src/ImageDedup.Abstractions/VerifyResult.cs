using System.Globalization;
using System.Text;

namespace ImageDedup;

/// <summary>What a scrub found.</summary>
/// <param name="Checked">Live originals whose bytes were re-hashed.</param>
/// <param name="Missing">Live originals whose blob does not exist (marked in the store).</param>
/// <param name="Corrupt">Live originals whose blob no longer hashes to their digest.</param>
/// <param name="NextCursor">Where to resume; null when every original was checked.</param>
public sealed record VerifyResult(long Checked, IReadOnlyList<Guid> Missing, IReadOnlyList<Guid> Corrupt, string? NextCursor)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Checked = {Checked}, ");
        PrintedList.Append(builder, nameof(Missing), Missing);
        builder.Append(", ");
        PrintedList.Append(builder, nameof(Corrupt), Corrupt);
        builder.Append(CultureInfo.InvariantCulture, $", NextCursor = {NextCursor}");
        return true;
    }
}
