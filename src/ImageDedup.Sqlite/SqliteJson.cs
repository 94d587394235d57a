using System.Text.Json.Serialization;

namespace ImageDedup.Sqlite;

/// <summary>Source-generated JSON for binding a batch of keys as one parameter (json_each), trimming-safe.</summary>
[JsonSerializable(typeof(IReadOnlyCollection<string>))]
internal sealed partial class SqliteJson : JsonSerializerContext;
