namespace ImageDedup;

/// <summary>The limits every engine and store enforces, so hosts can size their own columns and checks.</summary>
public static class ImageDedupLimits
{
    /// <summary>The longest scope name, in UTF-16 code units.</summary>
    public const int MaxScopeLength = 128;

    /// <summary>The longest holder key (and holder prefix), in UTF-16 code units.</summary>
    public const int MaxHolderLength = 512;

    /// <summary>The most items one page of a listing holds.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>The longest <see cref="PurgeRequest.RequestedBy"/> or <see cref="BlockRequest.RequestedBy"/>, in UTF-16 code units.</summary>
    public const int MaxRequestedByLength = 256;

    /// <summary>The longest <see cref="PurgeRequest.Reason"/> or <see cref="BlockRequest.Reason"/>, in UTF-16 code units.</summary>
    public const int MaxReasonLength = 1000;
}
