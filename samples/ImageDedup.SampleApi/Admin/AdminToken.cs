using System.Security.Cryptography;
using System.Text;

namespace ImageDedup.SampleApi.Admin;

/// <summary>
/// The shared secret of the admin endpoints (<c>Admin:Token</c>), kept only as its SHA-256. A
/// presented token is hashed too and the two hashes compared in constant time, so neither the
/// position of the first wrong character nor the token's length shows in the response time.
/// Without a configured token nothing matches: the admin endpoints refuse every request.
/// </summary>
internal sealed class AdminToken
{
    /// <summary>Shorter secrets are refused at start: a shared token is the only thing guarding a purge.</summary>
    public const int MinLength = 32;

    private readonly byte[]? _hash;

    private AdminToken(byte[]? hash) => _hash = hash;

    public bool IsConfigured => _hash is not null;

    /// <exception cref="InvalidOperationException">The configured token is shorter than <see cref="MinLength"/>.</exception>
    public static AdminToken FromConfiguration(IConfiguration configuration)
    {
        var token = configuration["Admin:Token"];
        if (string.IsNullOrEmpty(token))
        {
            return new AdminToken(null);
        }

        return token.Length < MinLength
            ? throw new InvalidOperationException($"Admin:Token must be at least {MinLength} characters (for example `openssl rand -base64 32`).")
            : new AdminToken(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    public bool Matches(string presented)
    {
        if (_hash is null)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        return CryptographicOperations.FixedTimeEquals(hash, _hash);
    }
}
