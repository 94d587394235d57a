using ImageDedup.Testing;
using ImageDedup.Testing.Content;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ImageDedup.SampleApi.Tests;

/// <summary>
/// The app's page in Debian's headless chromium (scripts/chromium.sh installs it; test.sh runs
/// that), driven by Playwright: a person uploads the same picture twice and sees two images over
/// one original. The screenshot is kept in artifacts/.
/// </summary>
public sealed class PageTests(SampleDeployment deployment, ITestOutputHelper output) : IClassFixture<SampleDeployment>
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Uploading_the_same_picture_twice_shows_two_images_over_one_original()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run scripts/chromium.sh (test.sh does) or apt-get install chromium");
        var picture = Path.Combine(RepositoryRoot.Find(), "samples", "images", "gallery", "sunset.png");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1000, Height = 720 } });
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"{message.Text} ({message.Location})");
            }
        };

        await page.GotoAsync(deployment.App.Address.ToString());
        await page.WaitForSelectorAsync("body[data-ready='true']");
        for (var uploads = 1; uploads <= 2; uploads++)
        {
            await page.SetInputFilesAsync("#file", picture);
            await page.ClickAsync("#upload");
            await page.WaitForFunctionAsync($"document.querySelectorAll('#gallery li').length === {uploads}");
        }

        await page.WaitForFunctionAsync("[...document.querySelectorAll('#gallery img')].every(i => i.complete && i.naturalWidth > 0)");
        var screenshot = Path.Combine(Artifacts.Directory, "sample-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        output.WriteLine($"screenshot: {screenshot}");

        Assert.Equal("2", await page.TextContentAsync("#images-count"));
        Assert.Equal("1", await page.TextContentAsync("#originals-count"));
        Assert.Contains("already stored", await page.TextContentAsync("#status"), StringComparison.Ordinal);
        Assert.Empty(errors);

        // What the page shows is what the servers hold: two rows of the project over one original,
        // whose bytes the page's images were served from (the package's ETag is the digest).
        var project = long.Parse(new Uri(page.Url).Query.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
        var digest = TestImages.DigestOf(await File.ReadAllBytesAsync(picture)).ToString();
        Assert.Equal(2, await Consistency.ScalarAsync(deployment.Site, $"SELECT count(*) FROM images WHERE project_id = {project} AND deleted_at IS NULL"));
        Assert.Equal(1, await Consistency.ScalarAsync(deployment.Site, $"SELECT count(DISTINCT i.original_id) FROM images i JOIN imagededup.originals o ON o.id = i.original_id WHERE i.project_id = {project} AND o.digest = '{digest}'"));
        var etags = await page.EvaluateAsync<string[]>("Promise.all([...document.querySelectorAll('#gallery img')].map(i => fetch(i.src).then(r => r.headers.get('etag'))))");
        Assert.All(etags, etag => Assert.Equal($"\"{digest}\"", etag));
    }
}
