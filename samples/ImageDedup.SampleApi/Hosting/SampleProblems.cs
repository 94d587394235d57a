using Microsoft.AspNetCore.Mvc;

namespace ImageDedup.SampleApi.Hosting;

/// <summary>The app's own refusals, as ProblemDetails beside the upload package's.</summary>
internal static class SampleProblems
{
    public static IResult ProjectNotFound(long projectId)
        => Results.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status404NotFound,
            Type = "urn:imagededup-sample:problem:project-not-found",
            Title = "No such project.",
            Detail = $"Project {projectId} does not exist or was deleted.",
        });

    public static IResult ImageNotFound(long imageId)
        => Results.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status404NotFound,
            Type = "urn:imagededup-sample:problem:image-not-found",
            Title = "No such image.",
            Detail = $"Image {imageId} does not exist or was deleted.",
        });

    public static IResult InvalidRequest(string detail)
        => Results.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Type = "urn:imagededup-sample:problem:invalid-request",
            Title = "The request is invalid.",
            Detail = detail,
        });
}
