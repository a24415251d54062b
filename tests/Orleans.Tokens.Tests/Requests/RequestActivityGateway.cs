using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Requests;

/// <summary>
/// A gateway of its own whose pipeline starts with a middleware (an <see cref="IStartupFilter"/>, ahead of the
/// gateway's own) that records, per request path, whether the request runs inside an <see cref="Activity"/>: the one
/// ASP.NET Core's hosting starts when its diagnostics logger or a listener asks for it.
/// </summary>
public sealed class RequestActivityGateway : GatewayFixture
{
    public RequestActivityGateway() : this(new ConcurrentDictionary<string, bool>())
    {
    }

    private RequestActivityGateway(ConcurrentDictionary<string, bool> seen) : base(
        new Dictionary<string, string> { ["Tokens:PublicBaseUrl"] = PublicBaseUrl },
        services => services.AddSingleton<IStartupFilter>(new ActivityRecorder(seen))) => InActivity = seen;

    /// <summary>Each request path served, and whether its request had an <see cref="Activity"/>.</summary>
    public ConcurrentDictionary<string, bool> InActivity { get; }

    private sealed class ActivityRecorder(ConcurrentDictionary<string, bool> seen) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, then) =>
            {
                seen[context.Request.Path.Value ?? ""] = Activity.Current is not null;
                return then(context);
            });
            next(app);
        };
    }
}
