namespace ImageDedup.DependencyInjection;

/// <summary>Registered once by the first AddImageDedup call, so later calls add only their configure delegate.</summary>
internal sealed class ImageDedupMarker;
