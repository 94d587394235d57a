using ImageDedup.Testing.Servers;
using ImageDedup.Testing.Stores;

namespace ImageDedup.Matrix.Tests;

// The conformance matrix: every reference store with every blob store (MatrixGuardTests keeps it whole).

/// <summary>The embedded default: a SQLite catalogue and file-system blobs.</summary>
public sealed class SqliteFileSystemEngineConformanceTests()
    : EnginePair<SqliteStoreFactory, FileSystemStoreFactory>(new(), new());

/// <summary>A SQLite catalogue and S3 blobs.</summary>
public sealed class SqliteS3EngineConformanceTests()
    : EnginePair<SqliteStoreFactory, S3StoreFactory>(new(), new());

/// <summary>A PostgreSQL catalogue and file-system blobs.</summary>
public sealed class PostgresFileSystemEngineConformanceTests(PostgresDatabase database)
    : EnginePair<PostgresStoreFactory, FileSystemStoreFactory>(new(database), new()), IClassFixture<PostgresDatabase>;

/// <summary>The production pair: a PostgreSQL catalogue and S3 blobs.</summary>
public sealed class PostgresS3EngineConformanceTests(PostgresDatabase database)
    : EnginePair<PostgresStoreFactory, S3StoreFactory>(new(database), new()), IClassFixture<PostgresDatabase>;
