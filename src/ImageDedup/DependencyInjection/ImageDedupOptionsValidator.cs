using ImageDedup.Engine;
using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageDedup.DependencyInjection;

/// <summary>Checks the options, and that a reference store and a blob store were chosen, when the host starts.</summary>
internal sealed class ImageDedupOptionsValidator(IServiceProviderIsService services) : IValidateOptions<ImageDedupOptions>
{
    public ValidateOptionsResult Validate(string? name, ImageDedupOptions options)
    {
        var failures = new List<string>();
        if (options.MaxImageBytes <= 0)
        {
            failures.Add($"{nameof(options.MaxImageBytes)} must be positive.");
        }

        if (options.DeletionGracePeriod < TimeSpan.Zero)
        {
            failures.Add($"{nameof(options.DeletionGracePeriod)} must not be negative.");
        }

        if (options.OrphanGracePeriod < TimeSpan.Zero)
        {
            failures.Add($"{nameof(options.OrphanGracePeriod)} must not be negative.");
        }

        if (options.IngestWriteTimeout <= TimeSpan.Zero || options.IngestWriteTimeout > TimeSpan.FromDays(1))
        {
            failures.Add($"{nameof(options.IngestWriteTimeout)} must be positive and at most one day.");
        }

        if (options.BufferSize is < 64 * 1024 or > 16 << 20)
        {
            failures.Add($"{nameof(options.BufferSize)} must be between 64 KiB and 16 MiB.");
        }

        if (options.GarbageCollectionBatchSize is < 1 or > 10_000)
        {
            failures.Add($"{nameof(options.GarbageCollectionBatchSize)} must be between 1 and 10000.");
        }

        if (options.PrefixReleaseBatchSize is < 1 or > 10_000)
        {
            failures.Add($"{nameof(options.PrefixReleaseBatchSize)} must be between 1 and 10000.");
        }

        if (options.PurgeBatchSize is < 1 or > 10_000)
        {
            failures.Add($"{nameof(options.PurgeBatchSize)} must be between 1 and 10000.");
        }

        if (options.SpoolDirectory is { } spool && !Directory.Exists(spool))
        {
            failures.Add($"{nameof(options.SpoolDirectory)} '{spool}' does not exist.");
        }

        failures.AddRange(QuotaGate.Check(options));

        if (!services.IsService(typeof(IReferenceStore)))
        {
            failures.Add("No reference store is registered: call UseSqlite(...), UsePostgres(...) or register an IReferenceStore.");
        }

        if (!services.IsService(typeof(IBlobStore)))
        {
            failures.Add("No blob store is registered: call UseFileSystem(...), UseS3(...) or register an IBlobStore.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
