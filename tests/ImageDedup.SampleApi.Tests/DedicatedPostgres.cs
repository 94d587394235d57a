using ImageDedup.Testing;
using ImageDedup.Testing.Processes;
using Npgsql;

namespace ImageDedup.SampleApi.Tests;

/// <summary>
/// A PostgreSQL server of one test's own, which it may stop and start: started by the script
/// test.sh starts the shared one with (scripts/test-servers/postgres.sh: the machine's binaries,
/// an unprivileged user when root), with the shared server's variable hidden from it.
/// </summary>
public sealed class DedicatedPostgres : IAsyncDisposable
{
    private readonly string _control;
    private readonly string _stop;

    private DedicatedPostgres(string connectionString, string control, string stop)
    {
        ConnectionString = connectionString;
        _control = control;
        _stop = stop;
    }

    /// <summary>An Npgsql connection string to the server's <c>postgres</c> database.</summary>
    public string ConnectionString { get; }

    public static async Task<DedicatedPostgres> StartAsync()
    {
        var started = await BashAsync("""
            unset IMAGEDEDUP_TEST_POSTGRES
            cleanup=()
            source scripts/test-servers/postgres.sh >&2 || exit 1
            echo "connection=$IMAGEDEDUP_TEST_POSTGRES"
            echo "control=$IMAGEDEDUP_TEST_POSTGRES_CTL"
            echo "stop=${cleanup[0]}"
            """);
        string Value(string name) => started.Split('\n').Single(l => l.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
        var connection = new NpgsqlConnectionStringBuilder(Value("connection")) { MaxPoolSize = 20, Timeout = 5 }.ConnectionString;
        return new DedicatedPostgres(connection, Value("control"), Value("stop"));
    }

    /// <summary>A fast shutdown: open connections are ended, as when a server is restarted for maintenance.</summary>
    public Task StopAsync() => BashAsync(_control + " stop -m fast -w");

    /// <summary>Starts it again with the options of its first start (same port); a failure carries the end of the server's log.</summary>
    public Task StartAgainAsync()
    {
        var log = System.Text.RegularExpressions.Regex.Match(_control, @" -l (\S+)").Groups[1].Value;
        return BashAsync($"{_control} restart -w || {{ status=$?; tail -n 20 '{log}'; exit $status; }}");
    }

    public async ValueTask DisposeAsync() => await BashAsync(_stop);

    private static async Task<string> BashAsync(string script)
    {
        var result = await ChildProcessRunner.RunProgramAsync("bash", ["-c", script], RepositoryRoot.Find(), null, TimeSpan.FromMinutes(3));
        return result.ExitCode == 0
            ? result.Output
            : throw new InvalidOperationException($"bash -c '{script}' failed ({result.ExitCode}):\n{result.Output}\n{result.Error}");
    }
}
