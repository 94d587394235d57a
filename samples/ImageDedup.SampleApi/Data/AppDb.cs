using Microsoft.EntityFrameworkCore;

namespace ImageDedup.SampleApi.Data;

/// <summary>The app's own tables, in the public schema beside the catalogue's schema <c>imagededup</c>.</summary>
public sealed class AppDb(DbContextOptions<AppDb> options) : DbContext(options)
{
    public DbSet<Project> Projects => Set<Project>();

    public DbSet<Image> Images => Set<Image>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Project>(project =>
        {
            project.ToTable("projects");
            project.Property(p => p.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            project.Property(p => p.Name).HasColumnName("name").HasMaxLength(200);
            project.Property(p => p.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
            project.Property(p => p.DeletedAt).HasColumnName("deleted_at");
            project.Property(p => p.ReleasedAt).HasColumnName("released_at");
            project.HasIndex(p => p.Id).HasDatabaseName("projects_unreleased").HasFilter("deleted_at IS NOT NULL AND released_at IS NULL");
        });

        modelBuilder.Entity<Image>(image =>
        {
            image.ToTable("images");
            image.Property(i => i.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            image.Property(i => i.ProjectId).HasColumnName("project_id");
            image.Property(i => i.Style).HasColumnName("style").HasMaxLength(32);
            image.Property(i => i.OriginalId).HasColumnName("original_id");
            image.Property(i => i.OriginalUrl).HasColumnName("original_url").HasMaxLength(1024);
            image.Property(i => i.ContentType).HasColumnName("content_type").HasMaxLength(255);
            image.Property(i => i.ByteLength).HasColumnName("byte_length");
            image.Property(i => i.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
            image.Property(i => i.DeletedAt).HasColumnName("deleted_at");

            // Projects are never hard-deleted, so this key never blocks anything. There is
            // deliberately none to the catalogue's originals (see Image.OriginalId).
            image.HasOne<Project>().WithMany().HasForeignKey(i => i.ProjectId).OnDelete(DeleteBehavior.Restrict);
            image.HasIndex(i => i.ProjectId).HasDatabaseName("images_live_by_project").HasFilter("deleted_at IS NULL");
            image.HasIndex(i => i.OriginalId).HasDatabaseName("images_by_original");
            // The backfill's queue, and the look-up that keeps an old object another row still needs.
            image.HasIndex(i => i.OriginalUrl).HasDatabaseName("images_legacy").HasFilter("original_url IS NOT NULL");
        });
    }
}
