using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>
/// A stand-in for a vendor-SDK license server behind the Forwarding issuer (contract section 8), on 127.0.0.1 and a
/// port of its own. It checks what section 8 says the service POSTs: <c>Authorization: Bearer &lt;secret&gt;</c>
/// (else 401 <c>text/plain</c>) and a JSON object <c>{"drm","challenge":"&lt;base64&gt;","policy":{…}}</c> (else 422
/// <c>text/plain</c> naming what is wrong). It keeps every well-formed request it saw and answers the one
/// <see cref="Script"/>ed for the challenge's text, by default 200 <c>application/octet-stream</c> <c>LICENSE</c>.
/// </summary>
public sealed class FakeLicenseServer : IAsyncDisposable
{
    public const string Secret = "upstream-secret-0123456789";
    public const string DefaultBody = "LICENSE";
    public const string DefaultContentType = "application/octet-stream";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Answer> _script = new();

    public sealed record Answer(int Status, string ContentType, string Body, TimeSpan Delay = default);

    /// <summary>One forwarded request as the server read it.</summary>
    public sealed record Seen(string Drm, byte[] Challenge, string PolicyJson);

    public ConcurrentQueue<Seen> Requests { get; } = new();

    public string Url { get; }

    private FakeLicenseServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static FakeLicenseServer Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeLicenseServer? server = null;
        app.MapPost("/license", async context => await server!.HandleAsync(context));
        app.StartAsync().GetAwaiter().GetResult();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new FakeLicenseServer(app, address.TrimEnd('/') + "/license");
        return server;
    }

    /// <summary>The answer for a challenge whose UTF-8 text is <paramref name="challenge"/>.</summary>
    public void Script(string challenge, int status, string contentType, string body, TimeSpan delay = default) =>
        _script[challenge] = new Answer(status, contentType, body, delay);

    public Seen? Find(string challenge) =>
        Requests.LastOrDefault(r => Encoding.UTF8.GetString(r.Challenge) == challenge);

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization.ToString() != "Bearer " + Secret)
        {
            await Write(context, new Answer(401, "text/plain", "wrong secret"));
            return;
        }
        string drm;
        byte[] challenge;
        string policy;
        try
        {
            using var json = await JsonDocument.ParseAsync(context.Request.Body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("not an object");
            drm = root.GetProperty("drm").GetString() ?? throw new FormatException("drm is not a string");
            challenge = Convert.FromBase64String(root.GetProperty("challenge").GetString() ?? throw new FormatException("challenge is not a string"));
            var policyElement = root.GetProperty("policy");
            if (policyElement.ValueKind != JsonValueKind.Object) throw new FormatException("policy is not an object");
            policy = policyElement.GetRawText();
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            await Write(context, new Answer(422, "text/plain", "bad shape: " + e.Message));
            return;
        }
        Requests.Enqueue(new Seen(drm, challenge, policy));
        var answer = _script.TryGetValue(Encoding.UTF8.GetString(challenge), out var scripted)
            ? scripted
            : new Answer(200, DefaultContentType, DefaultBody);
        if (answer.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(answer.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        await Write(context, answer);
    }

    private static async Task Write(HttpContext context, Answer answer)
    {
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        await context.Response.WriteAsync(answer.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
