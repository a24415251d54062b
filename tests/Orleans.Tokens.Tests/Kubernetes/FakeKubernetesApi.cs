using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orleans.Tokens.Tests.ClusterLevel.Kubernetes;

/// <summary>
/// The one mock of the Kubernetes tests: a minimal Kubernetes API server in the test process (Kestrel, plain HTTP on
/// 127.0.0.1 and a port it binds itself) holding the pods of one namespace. It answers what Orleans' Kubernetes hosting asks:
/// read a pod, merge-patch its labels, list pods by an equality label selector, and watch them (the pods that match
/// as ADDED events, then a DELETED event for each pod <see cref="DeletePod"/> removes). Every caller authenticates
/// with a bearer token of its own kubeconfig (<see cref="WriteKubeConfig"/>), so each request is recorded with the
/// caller it came from; anything else is answered 401 or 404.
/// </summary>
internal sealed class FakeKubernetesApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _namespace;
    private readonly Dictionary<string, string> _callers = [];
    private readonly Dictionary<string, Dictionary<string, string>> _pods = [];
    private readonly List<Watch> _watches = [];
    private readonly List<ApiRequest> _requests = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("orleans-tokens-kube-").FullName;

    private FakeKubernetesApi(string @namespace)
    {
        _namespace = @namespace;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>Where the server listens, once started.</summary>
    public string BaseUrl => _app.Urls.Single();

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<ApiRequest> Requests
    {
        get { lock (_requests) return [.. _requests]; }
    }

    public static async Task<FakeKubernetesApi> StartAsync(string @namespace)
    {
        var api = new FakeKubernetesApi(@namespace);
        await api._app.StartAsync();
        return api;
    }

    /// <summary>A pod of the namespace, with the labels of its pod template.</summary>
    public void AddPod(string name, IReadOnlyDictionary<string, string> labels)
    {
        lock (_pods) _pods[name] = new Dictionary<string, string>(labels);
    }

    /// <summary>The pod's labels now, or null when there is no such pod.</summary>
    public IReadOnlyDictionary<string, string>? Labels(string pod)
    {
        lock (_pods) return _pods.TryGetValue(pod, out var labels) ? new Dictionary<string, string>(labels) : null;
    }

    /// <summary>The watches of <paramref name="caller"/> open now.</summary>
    public int OpenWatches(string caller)
    {
        lock (_pods) return _watches.Count(w => w.Caller == caller);
    }

    /// <summary>Removes the pod, as Kubernetes does once it is deleted: gone from lists, a DELETED event to every watch it matches.</summary>
    public void DeletePod(string name)
    {
        lock (_pods)
        {
            if (!_pods.Remove(name, out var labels)) throw new InvalidOperationException($"no pod {name}");
            var line = WatchEvent("DELETED", name, labels);
            foreach (var watch in _watches.Where(w => Matches(w.Selector, labels))) watch.Events.Writer.TryWrite(line);
        }
    }

    /// <summary>
    /// Writes a kubeconfig file for <paramref name="caller"/> (this server, a bearer token of its own, the namespace)
    /// and returns its path; the files go with the server.
    /// </summary>
    public string WriteKubeConfig(string caller)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        lock (_callers) _callers[token] = caller;
        var path = Path.Combine(_directory, $"kubeconfig-{caller}");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: fake
                cluster:
                  server: {BaseUrl}
            users:
              - name: {caller}
                user:
                  token: {token}
            contexts:
              - name: {caller}
                context:
                  cluster: fake
                  user: {caller}
                  namespace: {_namespace}
            current-context: {caller}
            """);
        return path;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        var header = request.Headers.Authorization.ToString();
        string? caller;
        lock (_callers) caller = header.StartsWith("Bearer ", StringComparison.Ordinal) ? _callers.GetValueOrDefault(header[7..]) : null;
        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        lock (_requests) _requests.Add(new ApiRequest(caller, request.Method, request.Path.Value ?? "", query, request.ContentType, body));
        if (caller is null)
        {
            await StatusAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized");
            return;
        }

        var segments = (request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        // api/v1/namespaces/<namespace>/pods[/<name>]
        if (segments.Length is not (5 or 6) || segments[0] != "api" || segments[1] != "v1" || segments[2] != "namespaces"
            || segments[3] != _namespace || segments[4] != "pods")
        {
            await StatusAsync(context, StatusCodes.Status404NotFound, "NotFound");
            return;
        }
        if (segments.Length == 6)
        {
            await PodAsync(context, segments[5], body);
            return;
        }
        if (!HttpMethods.IsGet(request.Method) || Selector(request.Query["labelSelector"].ToString()) is not { } selector)
        {
            await StatusAsync(context, StatusCodes.Status400BadRequest, "BadRequest");
            return;
        }
        if (request.Query["watch"] == "true") await WatchAsync(context, caller, selector);
        else await ListAsync(context, selector);
    }

    private async Task PodAsync(HttpContext context, string name, string body)
    {
        var patch = HttpMethods.IsPatch(context.Request.Method);
        if (!patch && !HttpMethods.IsGet(context.Request.Method))
        {
            await StatusAsync(context, StatusCodes.Status405MethodNotAllowed, "MethodNotAllowed");
            return;
        }
        if (patch && context.Request.ContentType?.StartsWith("application/merge-patch+json", StringComparison.Ordinal) != true)
        {
            await StatusAsync(context, StatusCodes.Status415UnsupportedMediaType, "UnsupportedMediaType");
            return;
        }
        JsonObject? pod = null;
        lock (_pods)
        {
            if (_pods.TryGetValue(name, out var labels))
            {
                var changes = patch ? JsonNode.Parse(body)?["metadata"]?["labels"]?.AsObject() ?? [] : [];
                foreach (var (key, value) in changes)
                {
                    if (value is null) labels.Remove(key);
                    else labels[key] = value.GetValue<string>();
                }
                pod = Pod(name, labels);
            }
        }
        if (pod is null) await StatusAsync(context, StatusCodes.Status404NotFound, "NotFound");
        else await JsonAsync(context, pod);
    }

    private async Task ListAsync(HttpContext context, Dictionary<string, string> selector)
    {
        JsonArray items;
        lock (_pods) items = [.. _pods.Where(p => Matches(selector, p.Value)).Select(p => Pod(p.Key, p.Value))];
        await JsonAsync(context, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "PodList",
            ["metadata"] = new JsonObject { ["resourceVersion"] = "1" },
            ["items"] = items,
        });
    }

    // A watch without a resourceVersion: the matching pods as ADDED, then the changes, one JSON object per line.
    private async Task WatchAsync(HttpContext context, string caller, Dictionary<string, string> selector)
    {
        var watch = new Watch(caller, selector, Channel.CreateUnbounded<string>());
        lock (_pods)
        {
            foreach (var (name, labels) in _pods.Where(p => Matches(selector, p.Value))) watch.Events.Writer.TryWrite(WatchEvent("ADDED", name, labels));
            _watches.Add(watch);
        }
        try
        {
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync(context.RequestAborted);
            await foreach (var line in watch.Events.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(line + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_pods) _watches.Remove(watch);
        }
    }

    private string WatchEvent(string type, string name, Dictionary<string, string> labels) =>
        new JsonObject { ["type"] = type, ["object"] = Pod(name, labels) }.ToJsonString();

    private JsonObject Pod(string name, Dictionary<string, string> labels) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = _namespace,
            ["labels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
        },
        ["status"] = new JsonObject { ["phase"] = "Running" },
    };

    // Equality selectors only ("a=b,c=d"), the kind Orleans sends; null for anything else.
    private static Dictionary<string, string>? Selector(string text)
    {
        var selector = new Dictionary<string, string>();
        foreach (var term in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = term.Split('=');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[0].EndsWith('!')) return null;
            selector[parts[0]] = parts[1];
        }
        return selector.Count == 0 ? null : selector;
    }

    private static bool Matches(Dictionary<string, string> selector, Dictionary<string, string> labels) =>
        selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);

    private static Task JsonAsync(HttpContext context, JsonNode json)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json.ToJsonString(), context.RequestAborted);
    }

    private static Task StatusAsync(HttpContext context, int code, string reason)
    {
        context.Response.StatusCode = code;
        return JsonAsync(context, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Status",
            ["status"] = "Failure",
            ["reason"] = reason,
            ["code"] = code,
        });
    }

    public async ValueTask DisposeAsync()
    {
        lock (_pods)
        {
            foreach (var watch in _watches) watch.Events.Writer.TryComplete();
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed record Watch(string Caller, Dictionary<string, string> Selector, Channel<string> Events);
}

/// <summary>One request the <see cref="FakeKubernetesApi"/> received; <see cref="Caller"/> is null when its token was unknown.</summary>
internal sealed record ApiRequest(string? Caller, string Method, string Path, IReadOnlyDictionary<string, string> Query, string? ContentType, string Body)
{
    public override string ToString() =>
        $"{Caller ?? "(unauthenticated)"}: {Method} {Path}{QueryString.Create(Query.Select(q => KeyValuePair.Create(q.Key, (string?)q.Value)))} {Body}";
}
