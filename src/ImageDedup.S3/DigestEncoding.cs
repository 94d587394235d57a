namespace ImageDedup.S3;

/// <summary>The forms a SHA-256 takes on the wire: base64 in <c>x-amz-checksum-sha256</c>, hex in <c>x-amz-content-sha256</c>.</summary>
internal static class DigestEncoding
{
    /// <summary>The base64 of the raw digest bytes, as <c>x-amz-checksum-sha256</c> carries them.</summary>
    /// <exception cref="ArgumentException">The digest is not SHA-256.</exception>
    public static string Base64(ContentDigest digest)
    {
        if (digest.IsEmpty || digest.Algorithm != ContentDigest.Sha256)
        {
            throw new ArgumentException($"The S3 blob store needs a SHA-256 digest, not '{digest}'.", nameof(digest));
        }

        Span<byte> bytes = stackalloc byte[32];
        var written = digest.CopyBytesTo(bytes);
        return Convert.ToBase64String(bytes[..written]);
    }
}
