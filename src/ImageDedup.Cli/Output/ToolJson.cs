using System.Text.Json.Serialization;

namespace ImageDedup.Cli.Output;

/// <summary>Source-generated serialization of every document the tool prints: no reflection, trimmable.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ErrorDocument))]
[JsonSerializable(typeof(StoreDocument))]
[JsonSerializable(typeof(ListDocument))]
[JsonSerializable(typeof(IngestDocument))]
[JsonSerializable(typeof(DuplicatesDocument))]
[JsonSerializable(typeof(ScanDocument))]
[JsonSerializable(typeof(ReleaseDocument))]
[JsonSerializable(typeof(PrefixReleaseDocument))]
[JsonSerializable(typeof(CollectDocument))]
[JsonSerializable(typeof(ReconcileDocument))]
[JsonSerializable(typeof(VerifyDocument))]
[JsonSerializable(typeof(ExportDocument))]
[JsonSerializable(typeof(PurgeDocument))]
[JsonSerializable(typeof(BlockDocument))]
[JsonSerializable(typeof(UnblockDocument))]
[JsonSerializable(typeof(BlockListDocument))]
internal sealed partial class ToolJson : JsonSerializerContext;
