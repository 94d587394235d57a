using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace ImageDedup.AspNetCore;

/// <summary>The ProblemDetails results of this package, each with its stable <see cref="ImageDedupProblemTypes"/> type.</summary>
internal static class Problems
{
    public static IResult Create(int status, string type, string title, string? detail = null, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail };
        foreach (var (name, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[name] = value;
        }

        return Results.Problem(problem);
    }

    // One answer for "unknown", "being deleted" and "another scope's", so a response reveals nothing about other tenants.
    public static IResult OriginalNotFound()
        => Create(StatusCodes.Status404NotFound, ImageDedupProblemTypes.OriginalNotFound, "No such original.");
}
