using Microsoft.AspNetCore.Mvc;

namespace ImageDedup.SampleApi.Hosting;

/// <summary>The app's own refusals, as ProblemDetails beside the upload package's.</summary>
internal static class SampleProblems
{
    public static IResult ProjectNotFound(long projectId)
        => Problem(StatusCodes.Status404NotFound, "project-not-found", "No such project.", $"Project {projectId} does not exist or was deleted.");

    public static IResult ImageNotFound(long imageId)
        => Problem(StatusCodes.Status404NotFound, "image-not-found", "No such image.", $"Image {imageId} does not exist or was deleted.");

    public static IResult OriginalNotFound(Guid originalId)
        => Problem(StatusCodes.Status404NotFound, "original-not-found", "No such original.", $"No original {originalId} exists, and no live image names it.");

    public static IResult BlockNotFound(ContentDigest digest)
        => Problem(StatusCodes.Status404NotFound, "block-not-found", "No such block.", $"{digest} is not on the app's block list.");

    /// <summary>The same answer for a missing and a wrong token.</summary>
    public static IResult AdminTokenRequired()
        => Problem(StatusCodes.Status401Unauthorized, "admin-token-required", "The admin token is required.", "Send Authorization: Bearer <Admin:Token>.");

    public static IResult InvalidRequest(string detail)
        => Problem(StatusCodes.Status400BadRequest, "invalid-request", "The request is invalid.", detail);

    private static IResult Problem(int status, string type, string title, string detail)
        => Results.Problem(new ProblemDetails { Status = status, Type = "urn:imagededup-sample:problem:" + type, Title = title, Detail = detail });
}
