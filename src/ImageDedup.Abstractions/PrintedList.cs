using System.Globalization;
using System.Text;

namespace ImageDedup;

/// <summary>
/// How result records print their lists: the count and the first few items, instead of the
/// compiler's <c>System.Collections.Generic.List`1[...]</c>.
/// </summary>
internal static class PrintedList
{
    private const int Shown = 5;

    public static void Append<T>(StringBuilder builder, string name, IReadOnlyCollection<T> items)
    {
        builder.Append(CultureInfo.InvariantCulture, $"{name} = {items.Count} [");
        builder.AppendJoin(", ", items.Take(Shown));
        if (items.Count > Shown)
        {
            builder.Append(", …");
        }

        builder.Append(']');
    }
}
