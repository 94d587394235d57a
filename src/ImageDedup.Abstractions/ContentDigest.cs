using System.Diagnostics.CodeAnalysis;

namespace ImageDedup;

/// <summary>
/// The digest of a content, written <c>algorithm:hex</c>, for example
/// <c>sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08</c>.
/// </summary>
/// <remarks>
/// The algorithm travels with the digest so that stored catalogues stay readable if a second
/// algorithm is ever added. Only SHA-256 is defined today. The hex part is always lowercase;
/// parsing accepts either case and a bare 64-character hex string (taken as SHA-256).
/// </remarks>
public readonly struct ContentDigest : IEquatable<ContentDigest>
{
    /// <summary>The algorithm name used for SHA-256 digests.</summary>
    public const string Sha256 = "sha256";

    private const int Sha256HexLength = 64;
    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
    private readonly string? _value;

    private ContentDigest(string value) => _value = value;

    /// <summary>The algorithm, for example <c>sha256</c>.</summary>
    public string Algorithm => Value[..Value.IndexOf(':', StringComparison.Ordinal)];

    /// <summary>The lowercase hex of the digest bytes, without the algorithm prefix.</summary>
    public string Hex => Value[(Value.IndexOf(':', StringComparison.Ordinal) + 1)..];

    /// <summary>Whether this is the default (empty) value rather than a real digest.</summary>
    public bool IsEmpty => _value is null;

    private string Value => _value ?? throw new InvalidOperationException("The digest is empty (default value).");

    /// <summary>Creates a SHA-256 digest from the 32 raw hash bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="hash"/> is not 32 bytes long.</exception>
    public static ContentDigest FromSha256(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != Sha256HexLength / 2)
        {
            throw new ArgumentException("A SHA-256 hash is 32 bytes long.", nameof(hash));
        }

        return new ContentDigest(string.Concat(Sha256 + ":", Convert.ToHexStringLower(hash)));
    }

    /// <summary>Writes the raw digest bytes into <paramref name="destination"/>.</summary>
    /// <returns>The number of bytes written.</returns>
    public int CopyBytesTo(Span<byte> destination)
    {
        var status = Convert.FromHexString(Hex, destination, out _, out var written);
        if (status != System.Buffers.OperationStatus.Done)
        {
            throw new ArgumentException("The destination is too small for the digest.", nameof(destination));
        }

        return written;
    }

    /// <summary>Parses <c>sha256:&lt;64 hex&gt;</c> or a bare 64-character hex string.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="s"/> is not a digest.</exception>
    public static ContentDigest Parse(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Parse(s.AsSpan());
    }

    /// <inheritdoc cref="Parse(string)"/>
    public static ContentDigest Parse(ReadOnlySpan<char> s)
        => TryParse(s, out var digest)
            ? digest
            : throw new FormatException($"'{Truncate(s)}' is not a content digest; expected 'sha256:' followed by 64 hex digits.");

    /// <summary>Tries to parse a digest; see <see cref="Parse(string)"/>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, out ContentDigest result)
        => TryParse(s.AsSpan(), out result);

    /// <inheritdoc cref="TryParse(string?, out ContentDigest)"/>
    public static bool TryParse(ReadOnlySpan<char> s, out ContentDigest result)
    {
        result = default;
        var hex = s;
        var colon = s.IndexOf(':');
        if (colon >= 0)
        {
            if (!s[..colon].Equals(Sha256, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            hex = s[(colon + 1)..];
        }

        if (hex.Length != Sha256HexLength || hex.ContainsAnyExcept(HexDigits))
        {
            return false;
        }

        result = new ContentDigest(string.Concat(Sha256 + ":", hex.ToString().ToLowerInvariant()));
        return true;
    }

    /// <summary>The canonical text, <c>algorithm:lowercase-hex</c>.</summary>
    public override string ToString() => _value ?? string.Empty;

    /// <inheritdoc/>
    public bool Equals(ContentDigest other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ContentDigest other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <summary>Compares two digests for equality.</summary>
    public static bool operator ==(ContentDigest left, ContentDigest right) => left.Equals(right);

    /// <summary>Compares two digests for inequality.</summary>
    public static bool operator !=(ContentDigest left, ContentDigest right) => !left.Equals(right);

    private static string Truncate(ReadOnlySpan<char> s) => s.Length <= 80 ? s.ToString() : string.Concat(s[..77], "...");
}
