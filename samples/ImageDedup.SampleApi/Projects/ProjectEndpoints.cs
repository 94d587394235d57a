using ImageDedup.SampleApi.Data;
using ImageDedup.SampleApi.Hosting;
using ImageDedup.SampleApi.Images;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ImageDedup.SampleApi.Projects;

/// <summary>Projects and their images: create, upload as styles, list, figures, delete.</summary>
internal static class ProjectEndpoints
{
    private const int MaxPage = 500;

    public static void MapProjects(this IEndpointRouteBuilder app)
    {
        app.MapPost("/projects", async (CreateProjectRequest request, AppDb db, CancellationToken ct) =>
        {
            var name = request.Name?.Trim();
            if (string.IsNullOrEmpty(name) || name.Length > 200)
            {
                return SampleProblems.InvalidRequest("A project needs a name of 1 to 200 characters.");
            }

            var project = db.Projects.Add(new Project { Name = name }).Entity;
            await db.SaveChangesAsync(ct);
            return Results.Created($"/projects/{project.Id}", ProjectResponse.From(project));
        });

        app.MapGet("/projects/{projectId:long}", async (long projectId, AppDb db, CancellationToken ct) =>
            await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct) is { } project
                ? Results.Ok(ProjectResponse.From(project))
                : SampleProblems.ProjectNotFound(projectId));

        app.MapPost("/projects/{projectId:long}/images", async (long projectId, [FromQuery] string[]? style, HttpContext http, ImageUpload upload, CancellationToken ct) =>
        {
            var (styles, error) = Styles.Parse(style);
            return error is not null
                ? SampleProblems.InvalidRequest(error)
                : await upload.UploadAsync(http, projectId, styles, ct);
        }).DisableAntiforgery();

        app.MapGet("/projects/{projectId:long}/images", async (long projectId, long? after, int? limit, AppDb db, CancellationToken ct) =>
        {
            if (!await db.Projects.AnyAsync(p => p.Id == projectId && p.DeletedAt == null, ct))
            {
                return SampleProblems.ProjectNotFound(projectId);
            }

            var images = await db.Images.AsNoTracking()
                .Where(i => i.ProjectId == projectId && i.DeletedAt == null && i.Id > (after ?? 0))
                .OrderBy(i => i.Id)
                .Take(Math.Clamp(limit ?? 100, 1, MaxPage))
                .ToListAsync(ct);
            return Results.Ok(images.Select(ImageResponse.From));
        });

        app.MapGet("/projects/{projectId:long}/stats", async (long projectId, AppDb db, CancellationToken ct) =>
            await db.Projects.AnyAsync(p => p.Id == projectId && p.DeletedAt == null, ct)
                ? Results.Ok(await ProjectFigures.ReadAsync(db, projectId, ct))
                : SampleProblems.ProjectNotFound(projectId));

        app.MapDelete("/projects/{projectId:long}", async (long projectId, ProjectDeletion deletion, CancellationToken ct) =>
            await deletion.DeleteAsync(projectId, ct) is { } deleted
                ? Results.Ok(deleted)
                : SampleProblems.ProjectNotFound(projectId));
    }
}

internal sealed record CreateProjectRequest(string? Name);

internal sealed record ProjectResponse(long Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? DeletedAt)
{
    public static ProjectResponse From(Project project) => new(project.Id, project.Name, project.CreatedAt, project.DeletedAt);
}
