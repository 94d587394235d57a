using System.Net;
using ImageDedup.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageDedup.AspNetCore.Tests;

/// <summary>
/// A real Kestrel on 127.0.0.1 at a free port serving the package's endpoints, and a real
/// HttpClient. The scope is the <c>X-Tenant</c> header; <c>X-Buffer: 1</c> makes the site call
/// <c>EnableBuffering()</c> first, as hosts with body-inspecting middleware do.
/// </summary>
public sealed class TestSite : IAsyncDisposable
{
    public const string TenantHeader = "X-Tenant";
    public const string BufferHeader = "X-Buffer";

    private readonly WebApplication _app;
    private int _inFlight;
    private int _connections;
    private TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestSite(WebApplication app, Backend backend)
    {
        _app = app;
        Backend = backend;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseAddress = new Uri(address);
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectCallback = ConnectAsync }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
        Dedup = app.Services.GetRequiredService<IImageDedup>();
        Blobs = app.Services.GetRequiredService<IBlobStore>();
        _idle.SetResult();
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IImageDedup Dedup { get; }

    public IBlobStore Blobs { get; }

    public Backend Backend { get; }

    /// <summary>How many connections <see cref="Client"/> has opened: one that stays the same across requests shows the server kept the connection.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Exceptions that escaped a handler: a 500 the package did not mean to send.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<Exception> Errors { get; } = new();

    /// <param name="backend">The stores.</param>
    /// <param name="engine">Engine options beyond the backend's.</param>
    /// <param name="routes">Endpoints of a test's own, mapped after the site's.</param>
    public static async Task<TestSite> StartAsync(Backend backend, Action<ImageDedupOptions>? engine = null, Action<WebApplication>? routes = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        backend.Use(builder.Services.AddImageDedup(o =>
        {
            o.SpoolDirectory = backend.SpoolDirectory;
            engine?.Invoke(o);
        }));

        var app = builder.Build();
        TestSite? site = null;
        app.Use(async (context, next) =>
        {
            site!.Enter();
            try
            {
                if (context.Request.Headers.ContainsKey(BufferHeader))
                {
                    context.Request.EnableBuffering();
                }

                await next(context);
            }
            catch (Exception ex)
            {
                site.Errors.Enqueue(ex);
                throw;
            }
            finally
            {
                site.Leave();
            }
        });
        app.MapImageDedupOriginals("/images/{id}", o => o.Scope = Tenant);
        app.MapImageDedupOriginals("/signed/{id}", o =>
        {
            o.Scope = Tenant;
            o.RedirectToSignedUrl = true;
            o.SignedUrlLifetime = TimeSpan.FromMinutes(5);
        });
        app.MapImageDedupUploads("/images", o => o.Scope = Tenant);
        app.MapImageDedupUploads("/photos", o =>
        {
            o.Scope = Tenant;
            o.FormField = "photo";
            o.Holder = context => context.Request.Query["holder"];
        });
        app.MapPost("/albums/photos", async context =>
        {
            // The README's host-transaction flow: ingest without a holder, then the host's row and the reference in one transaction.
            var images = Tenant(context);
            var upload = await ImageUploads.IngestAsync(context, images, holder: null, cancellationToken: context.RequestAborted);
            if (!upload.Stored)
            {
                await upload.Refusal.ExecuteAsync(context);
                return;
            }

            var photo = Guid.NewGuid();
            var (connection, table) = backend.HostDatabase();
            await using var host = await HostTransaction.BeginAsync(connection, table);
            await host.InsertPhotoAsync(photo, upload.Result.Original.Id);
            await images.AddReferenceAsync(upload.Result.Original.Id, $"photos/{photo}", host.Transaction, context.RequestAborted);
            if (context.Request.Query.ContainsKey("rollback"))
            {
                await host.Transaction.RollbackAsync();
            }
            else
            {
                await host.Transaction.CommitAsync();
            }

            await Results.Text(photo.ToString()).ExecuteAsync(context);
        });
        routes?.Invoke(app);
        await app.StartAsync();
        site = new TestSite(app, backend);
        return site;
    }

    /// <summary>The scope a request with this tenant header value reads and writes.</summary>
    public IImageDedupScope Scope(string tenant = "") => Dedup.Scope(tenant);

    /// <summary>Completes when no request is being handled: a handler whose client went away has finished its clean-up.</summary>
    public async Task IdleAsync()
    {
        Task idle;
        lock (this)
        {
            idle = _idle.Task;
        }

        await idle.WaitAsync(TimeSpan.FromMinutes(2));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static IImageDedupScope Tenant(HttpContext context)
        => context.RequestServices.GetRequiredService<IImageDedup>().Scope(context.Request.Headers[TenantHeader].ToString());

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connections);
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Enter()
    {
        lock (this)
        {
            if (_inFlight++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private void Leave()
    {
        lock (this)
        {
            if (--_inFlight == 0)
            {
                _idle.SetResult();
            }
        }
    }
}
