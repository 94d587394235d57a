using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ImageDedup.Postgres;

/// <summary>Reports whether the store's PostgreSQL server answers a trivial query.</summary>
internal sealed class PostgresHealthCheck : IHealthCheck
{
    private readonly PostgresReferenceStore _store;

    public PostgresHealthCheck(PostgresReferenceStore store) => _store = store;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            // Npgsql does not always give up a connection handshake on cancellation; a health
            // check must answer within its registration's timeout, so stop waiting regardless.
            await _store.PingAsync(cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("The PostgreSQL server answers.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Any failure to reach the server is the unhealthy result, not an exception.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return new HealthCheckResult(context.Registration.FailureStatus, PostgresFailure.Describe(exception, _store.DataSource), exception);
        }
    }
}
