using System.Net.Sockets;
using Npgsql;

namespace ImageDedup.Postgres;

/// <summary>
/// Says in one sentence why a PostgreSQL server could not be used, naming the cause an operator
/// acts on — a wrong password is not a server that "does not answer".
/// </summary>
internal static class PostgresFailure
{
    public static string Describe(Exception exception, NpgsqlDataSource dataSource)
    {
        var target = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        var where = $"{target.Host}:{target.Port}/{target.Database}";
        return Innermost<PostgresException>(exception) switch
        {
            { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } e
                => $"The PostgreSQL server at {where} refused the login of '{target.Username}': {e.MessageText}",
            { SqlState: PostgresErrorCodes.InvalidCatalogName } e => $"The PostgreSQL server at {where} has no such database: {e.MessageText}",
            { SqlState: PostgresErrorCodes.TooManyConnections } e => $"The PostgreSQL server at {where} has no connection to spare: {e.MessageText}",
            { SqlState: PostgresErrorCodes.InsufficientPrivilege } e => $"The PostgreSQL role '{target.Username}' lacks a privilege at {where}: {e.MessageText}",
            { } e => $"The PostgreSQL server at {where} failed a query: {e.MessageText}",
            null when Innermost<SocketException>(exception) is { } socket => $"The PostgreSQL server at {where} cannot be reached: {socket.Message}",
            null when Innermost<TimeoutException>(exception) is not null => $"The PostgreSQL server at {where} did not answer in time.",
            null => $"The PostgreSQL server at {where} could not be used: {exception.Message}",
        };
    }

    private static T? Innermost<T>(Exception? exception)
        where T : Exception
    {
        T? found = null;
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                found = match;
            }
        }

        return found;
    }
}
