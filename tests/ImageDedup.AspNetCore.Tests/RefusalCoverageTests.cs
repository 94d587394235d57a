using System.Net;
using System.Reflection;
using System.Text.Json;
using ImageDedup.Testing.Content;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.AspNetCore.Tests;

/// <summary>
/// The class, not the instance: every public <see cref="ImageDedupException"/> of the Abstractions
/// assembly — those of today and any added later — is either answered by an upload as the
/// package's ProblemDetails, or listed below with the reason it is not. A new exception type that an
/// ingest can throw fails this test until it is given a refusal (or a reason), so it cannot reach
/// clients as an unexplained 500 as the quota and block-list refusals once did.
/// </summary>
public sealed class RefusalCoverageTests : IAsyncLifetime
{
    /// <summary>A scope name the host never showed its client; no refusal may carry it.</summary>
    private const string SecretScope = "acct-7731-internal";

    /// <summary>
    /// The deliberate exclusions: failures that are not the upload's fault, so they stay the host's
    /// 500 (through its exception handler, which decides what a client sees of a server fault).
    /// </summary>
    private static readonly Dictionary<Type, string> NotRefusals = new()
    {
        [typeof(BlobStoreOwnershipException)] =
            "The blob store belongs to another catalogue: the deployment's misconfiguration, which an ingest can hit (the engine checks ownership before its first write) but no client can fix; its message names the store's location and catalogue identifiers, which no client may see.",
        [typeof(BlobNotFoundException)] =
            "A blob store's answer to a read of a missing key. An ingest writes; where the engine reads a blob it turns this into OriginalNotFoundException or ContentIntegrityException, so it never leaves an ingest.",
        [typeof(OriginalNotFoundException)] =
            "Reads and references only (ImageDedupResults serves it as 404). An ingest finds the bytes' live original or stores a new one; it never looks an original up by identifier.",
    };

    private TestSite _site = null!;

    public async Task InitializeAsync()
        => _site = await TestSite.StartAsync(new SqliteFileSystemBackend(), routes: app => app.MapPost("/faults/{type}", async context =>
        {
            var fault = CreateInstance(ExceptionTypes().Single(t => t.Name == (string)context.GetRouteValue("type")!));
            var scope = FaultingScope.Wrap(context.RequestServices.GetRequiredService<IImageDedup>().Scope(SecretScope), fault);
            var upload = await ImageUploads.IngestAsync(context, scope, cancellationToken: context.RequestAborted);
            await upload.Refusal!.ExecuteAsync(context);
        }));

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        _site.Backend.Dispose();
    }

    [Fact]
    public async Task Every_ImageDedupException_is_an_upload_refusal_or_listed_with_the_reason_it_is_not()
    {
        var types = ExceptionTypes();
        Assert.Contains(typeof(QuotaExceededException), types);
        Assert.Contains(typeof(BlockedContentException), types);
        Assert.All(NotRefusals.Keys, excluded => Assert.Contains(excluded, types));
        var problemTypes = typeof(ImageDedupProblemTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (string)f.GetRawConstantValue()!).ToHashSet(StringComparer.Ordinal);
        var unanswered = new List<string>();
        var image = TestImages.Png(7, 200_000);

        foreach (var type in types.Where(t => !NotRefusals.ContainsKey(t)))
        {
            using var response = await _site.Client.PostAsync($"/faults/{type.Name}", Png(image));
            var body = await response.Content.ReadAsStringAsync();
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                || (int)response.StatusCode is < 400 or >= 500
                || JsonDocument.Parse(body).RootElement.GetProperty("type").GetString() is not { } problemType
                || !problemTypes.Contains(problemType))
            {
                unanswered.Add($"{type.Name}: {(int)response.StatusCode} {body}");
                continue;
            }

            Assert.DoesNotContain(SecretScope, body, StringComparison.Ordinal);
        }

        Assert.True(unanswered.Count == 0, "Ingest failures with no refusal of the package (map them in UploadRefusal, or list them here with the reason):\n" + string.Join('\n', unanswered));
        Assert.Empty(_site.Errors);

        // Each refusal read the whole upload and left the connection to the next.
        Assert.Equal(1, _site.Connections);
    }

    [Fact]
    public async Task The_listed_exceptions_stay_the_hosts_500()
    {
        foreach (var type in NotRefusals.Keys)
        {
            using var response = await _site.Client.PostAsync($"/faults/{type.Name}", Png(TestImages.Png(8, 50_000)));

            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.NotEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(NotRefusals.Keys, _site.Errors.Select(e => e.GetType()));
        _site.Errors.Clear();
    }

    /// <summary>The concrete public exception types deriving from <see cref="ImageDedupException"/> in the Abstractions assembly.</summary>
    private static List<Type> ExceptionTypes()
        => [.. typeof(ImageDedupException).Assembly.GetExportedTypes()
            .Where(t => t.IsSubclassOf(typeof(ImageDedupException)) && !t.IsAbstract)
            .OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>
    /// An instance made by its widest public constructor, with a value for each parameter: a
    /// parameter named <c>scope</c> gets <see cref="SecretScope"/>. A parameter of a type not known
    /// here fails the test, to be taught here, rather than be passed a value that means nothing.
    /// </summary>
    private static Exception CreateInstance(Type type)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var arguments = constructor.GetParameters().Select(p => p.ParameterType switch
        {
            var t when t == typeof(string) => p.Name == "scope" ? SecretScope : "value",
            var t when t == typeof(long) => 1L,
            var t when t == typeof(int) => 1,
            var t when t == typeof(Guid) || t == typeof(Guid?) => Guid.NewGuid(),
            var t when t == typeof(ContentDigest) => TestImages.DigestOf([1, 2, 3]),
            var t when t.IsEnum => Enum.GetValues(t).GetValue(0),
            var t when t == typeof(Exception) => null,
            var t => throw new InvalidOperationException($"{type.Name}'s constructor takes a {t.Name} ({p.Name}); teach {nameof(CreateInstance)} to make one."),
        }).ToArray();
        return (Exception)constructor.Invoke(arguments);
    }

    private static ByteArrayContent Png(byte[] image)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        return content;
    }
}
