using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using ImageDedup.SampleApi.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ImageDedup.SampleApi.Admin;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;Admin:Token&gt;</c>. An authentication scheme rather
/// than an endpoint filter, so a request without the token is refused before its body is read or
/// bound. A missing and a wrong token get the same 401.
/// </summary>
internal sealed class AdminTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AdminToken token)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminToken";

    public const string Policy = "Admin";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is not { Length: > 0 } presented)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // Who asks is named per request (X-Requested-By): the token says only that they may.
        return Task.FromResult(token.Matches(presented)
            ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(SchemeName)), SchemeName))
            : AuthenticateResult.Fail("The admin token does not match."));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"imagededup-sample-admin\"";
        return SampleProblems.AdminTokenRequired().ExecuteAsync(Context);
    }
}
