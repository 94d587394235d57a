namespace ImageDedup.S3;

/// <summary>Turns the SDK's timestamps into UTC offsets.</summary>
internal static class S3Times
{
    public static DateTimeOffset ToOffset(DateTime? value) => value switch
    {
        null => DateTimeOffset.MinValue,
        { Kind: DateTimeKind.Unspecified } unspecified => new DateTimeOffset(DateTime.SpecifyKind(unspecified, DateTimeKind.Utc)),
        { } known => new DateTimeOffset(known).ToUniversalTime(),
    };
}
