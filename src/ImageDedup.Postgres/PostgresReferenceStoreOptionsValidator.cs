using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ImageDedup.Postgres;

/// <summary>Rejects options the store cannot work with, at start-up rather than on first use.</summary>
internal sealed class PostgresReferenceStoreOptionsValidator : IValidateOptions<PostgresReferenceStoreOptions>
{
    /// <summary>PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 bytes.</summary>
    private const int MaxIdentifierBytes = 63;

    public ValidateOptionsResult Validate(string? name, PostgresReferenceStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Returns the problems of <paramref name="options"/>; empty when they are usable.</summary>
    internal static List<string> Check(PostgresReferenceStoreOptions options)
    {
        var failures = new List<string>();
        var hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        if (options.UseRegisteredDataSource && hasConnectionString)
        {
            failures.Add("PostgresReferenceStoreOptions: set either ConnectionString or UseRegisteredDataSource, not both.");
        }
        else if (!options.UseRegisteredDataSource && !hasConnectionString)
        {
            failures.Add("PostgresReferenceStoreOptions.ConnectionString is required (or set UseRegisteredDataSource to use the NpgsqlDataSource registered in DI).");
        }
        else if (hasConnectionString)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException exception)
            {
                failures.Add($"PostgresReferenceStoreOptions.ConnectionString is not a valid Npgsql connection string: {exception.Message}");
            }
        }

        if (!IsValidSchema(options.Schema))
        {
            failures.Add($"PostgresReferenceStoreOptions.Schema '{options.Schema}' must be 1 to {MaxIdentifierBytes} bytes (UTF-8) without control characters or '$'.");
        }

        return failures;
    }

    private static bool IsValidSchema(string? schema)
    {
        if (string.IsNullOrEmpty(schema) || Encoding.UTF8.GetByteCount(schema) > MaxIdentifierBytes)
        {
            return false;
        }

        // '$' would end the dollar-quoted function bodies of the install script.
        foreach (var c in schema)
        {
            if (char.IsControl(c) || c == '$')
            {
                return false;
            }
        }

        return true;
    }
}
