using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ImageDedup.SampleApi.Data;

/// <summary>
/// What <c>dotnet ef migrations add</c> builds the model from, so the tool needs neither the
/// app's configuration nor a server (adding a migration never connects).
/// </summary>
internal sealed class AppDbDesignTimeFactory : IDesignTimeDbContextFactory<AppDb>
{
    public AppDb CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<AppDb>().UseNpgsql("Host=127.0.0.1;Database=design_time_only").Options);
}
