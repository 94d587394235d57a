namespace ImageDedup;

/// <summary>Settings of the opt-in background clean-up service (see <c>AddBackgroundCleanup</c>).</summary>
public sealed class BackgroundCleanupOptions
{
    /// <summary>How often garbage collection runs. Default five minutes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A random share of <see cref="Interval"/> (0 to 1) added or taken away on each wait, so many
    /// app instances started together do not all sweep at the same moment. Default 0.2.
    /// </summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>How often reconcile runs, after a garbage collection. Default one hour; <see cref="TimeSpan.Zero"/> never.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often the full audit runs (<see cref="IImageDedup.AuditAsync"/>: every blob listed, every
    /// live original's blob checked), after a reconcile. Default <see cref="TimeSpan.Zero"/>: never —
    /// the protocol leaves nothing an audit would find, and at 10⁸ blobs one run is ~10⁵ S3 LISTs and
    /// 10⁸ HEADs. A run stopped by shutdown or a failure resumes from its cursor next time.
    /// </summary>
    public TimeSpan AuditInterval { get; set; } = TimeSpan.Zero;

    /// <summary>The background audit's limit on blob-store requests a second (<see cref="AuditOptions.MaxRequestsPerSecond"/>). Default 50.</summary>
    public double AuditRequestsPerSecond { get; set; } = 50;
}
