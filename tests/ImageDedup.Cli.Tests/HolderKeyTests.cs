using System.Globalization;
using System.Text;
using CsCheck;

namespace ImageDedup.Cli.Tests;

/// <summary>
/// The class of bug the tool had (two files, one holder): a holder key must name one file only.
/// Holder keys are decoded back to the path they came from, for any path, hostile names included.
/// </summary>
public sealed class HolderKeyTests
{
    private static readonly Gen<char> NameChar = Gen.Frequency(
        (20, Gen.Char['a', 'z']),
        (3, Gen.Const('%')),
        (3, Gen.Char['\0', '\x1f']),
        (1, Gen.Const('\x7f')),
        (1, Gen.Char['\x80', '\x9f']),
        (2, Gen.OneOf('ü', '日', ' ', '.', '-', '0', 'A', 'F')));

    private static readonly Gen<string> CanonicalPath = NameChar.Array[1, 8].Select(c => new string(c)).Array[1, 6]
        .Select(segments => "/" + string.Join('/', segments));

    [Fact]
    public void A_holder_key_decodes_to_exactly_its_path_and_holds_no_control_character()
        => CanonicalPath.Sample(path =>
        {
            var key = HolderKeys.For("files/", path);

            Assert.StartsWith("files/", key, StringComparison.Ordinal);
            Assert.DoesNotContain(key, char.IsControl);
            Assert.Equal(path.TrimStart('/'), Decode(key["files/".Length..]));
        }, iter: 20_000);

    [Fact]
    public void Two_different_paths_never_share_a_key()
        => Gen.Select(CanonicalPath, CanonicalPath).Sample((a, b) =>
            Assert.Equal(string.Equals(a, b, StringComparison.Ordinal), string.Equals(HolderKeys.For("files/", a), HolderKeys.For("files/", b), StringComparison.Ordinal)),
            iter: 20_000);

    private static string Decode(string encoded)
    {
        var decoded = new StringBuilder();
        var bytes = new List<byte>();
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '%')
            {
                bytes.Add(byte.Parse(encoded.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
                continue;
            }

            Flush();
            decoded.Append(encoded[i]);
        }

        Flush();
        return decoded.ToString();

        void Flush()
        {
            decoded.Append(Encoding.UTF8.GetString([.. bytes]));
            bytes.Clear();
        }
    }
}
