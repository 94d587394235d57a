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

    /// <summary>Whether background reconcile checks every live original's blob exists. Default true.</summary>
    public bool CheckMissingBlobs { get; set; } = true;
}
