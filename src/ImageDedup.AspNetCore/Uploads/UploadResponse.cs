using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageDedup.AspNetCore.Uploads;

/// <summary>The JSON body of a stored upload, documented in the README.</summary>
internal sealed record UploadResponse(
    Guid Id,
    string Digest,
    long Length,
    string ContentType,
    bool StoredNewBytes,
    bool ReferenceAdded)
{
    public static UploadResponse From(IngestResult result) => new(
        result.Original.Id,
        result.Original.Digest.ToString(),
        result.Original.Length,
        result.Original.ContentType,
        result.StoredNewBytes,
        result.ReferenceAdded);
}

/// <summary>Source-generated, so the endpoint also works where reflection-based JSON is off (trimmed and AOT hosts).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(UploadResponse))]
internal sealed partial class UploadJsonContext : JsonSerializerContext;
