using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Tokens.Gateway.Requests;

namespace Orleans.Tokens.Tests.Requests;

/// <summary>
/// A bare Kestrel on 127.0.0.1 with the gateway's connection middleware (<see cref="HalfCloseTransport"/>) and one
/// endpoint that buffers its body with <see cref="RequestBody.TryBuffer"/> and answers the body it got, as text.
/// The endpoint first reads the bytes already received without consuming them, as <see cref="RequestBody"/> does
/// while it waits for the rest, so that the body is in that state before a test acts on it.
/// </summary>
internal sealed class BodyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closeRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _buffered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BodyServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.ConfigureEndpointDefaults(listen => listen.UseHalfCloseTransport(kestrel.Limits.MaxRequestBufferSize!.Value)));
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public int Port => new Uri(_app.Urls.Single()).Port;

    /// <summary>The endpoint holds part of the body, examined and not consumed.</summary>
    public Task Reading => _reading.Task;

    /// <summary>Kestrel asked the connection to close (<c>IConnectionLifetimeNotificationFeature</c>), as a server stop does.</summary>
    public Task CloseRequested => _closeRequested.Task;

    /// <summary>What <see cref="RequestBody.TryBuffer"/> returned: true when it handed on a body as whole.</summary>
    public Task<bool> Buffered => _buffered.Task;

    public static async Task<BodyServer> StartAsync()
    {
        var server = new BodyServer();
        await server._app.StartAsync();
        return server;
    }

    /// <summary>A graceful stop: Kestrel stops accepting and waits for the request in flight.</summary>
    public Task StopAsync() => _app.StopAsync();

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        using var closing = context.Features.Get<IConnectionLifetimeNotificationFeature>()!.ConnectionClosedRequested
            .Register(() => _closeRequested.TrySetResult());
        var reader = context.Request.BodyReader;
        var part = await reader.ReadAtLeastAsync(1, context.RequestAborted);
        reader.AdvanceTo(part.Buffer.Start, part.Buffer.End);
        _reading.TrySetResult();

        var whole = await RequestBody.TryBuffer(context);
        _buffered.TrySetResult(whole);
        if (whole) await context.Response.WriteAsync(await new StreamReader(context.Request.Body).ReadToEndAsync());
    }
}
