using Microsoft.Extensions.Options;

namespace ImageDedup.Sqlite;

/// <summary>Rejects options the store cannot work with, at start-up rather than on first use.</summary>
internal sealed class SqliteReferenceStoreOptionsValidator : IValidateOptions<SqliteReferenceStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteReferenceStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Returns the problems of <paramref name="options"/>; empty when they are usable.</summary>
    internal static List<string> Check(SqliteReferenceStoreOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("SqliteReferenceStoreOptions.ConnectionString is required.");
        }

        if (options.TablePrefix is null || !IsValidPrefix(options.TablePrefix))
        {
            failures.Add($"SqliteReferenceStoreOptions.TablePrefix '{options.TablePrefix}' may contain only the characters A-Z, a-z, 0-9 and '_'.");
        }

        return failures;
    }

    private static bool IsValidPrefix(string prefix)
    {
        foreach (var c in prefix)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
