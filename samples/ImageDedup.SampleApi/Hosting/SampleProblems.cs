using Microsoft.AspNetCore.Mvc;

namespace ImageDedup.SampleApi.Hosting;

/// <summary>The app's own refusals, as ProblemDetails beside the upload package's.</summary>
internal static class SampleProblems
{
    public static IResult ProjectNotFound(long projectId)
        => Problem(StatusCodes.Status404NotFound, "project-not-found", "No such project.", $"Project {projectId} does not exist or was deleted.");

    public static IResult ImageNotFound(long imageId)
        => Problem(StatusCodes.Status404NotFound, "image-not-found", "No such image.", $"Image {imageId} does not exist or was deleted.");

    public static IResult InvalidRequest(string detail)
        => Problem(StatusCodes.Status400BadRequest, "invalid-request", "The request is invalid.", detail);

    private static IResult Problem(int status, string type, string title, string detail)
        => Results.Problem(new ProblemDetails { Status = status, Type = "urn:imagededup-sample:problem:" + type, Title = title, Detail = detail });
}
