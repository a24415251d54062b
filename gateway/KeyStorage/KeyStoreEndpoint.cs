using System.Globalization;
using System.Text.Json;
using Orleans.Tokens.Gateway.Minting;

namespace Orleans.Tokens.Gateway.KeyStorage;

/// <summary>
/// The customer's key storage as the SKM REST API (contract section 12; the public SKM specification for the
/// rest) under <c>/keystore</c>: <c>POST|GET /keystore/keys</c>, <c>GET|PUT|DELETE /keystore/keys/{kid}</c>,
/// <c>GET /keystore/keys/{kid}/value</c>, <c>GET /keystore/keycount</c>. Every request names the customer by
/// <c>customerAuthenticator</c> in the query (section 4), checked by the customer's grain; a request's <c>kek</c>
/// (32/48/64 hex digits, AES Key Wrap, RFC 3394) wraps the keys it answers and unwraps the <c>ek</c> it gives.
/// Errors are JSON <c>{"message":…}</c>: 401, 400, 404, 405, 503; never an echo of what was sent.
/// </summary>
internal sealed class KeyStoreEndpoint(CustomerGrains customers, GatewayOptions options, ILogger<KeyStoreEndpoint> logger)
{
    public const string Prefix = "/keystore";
    private const string Keys = Prefix + "/keys";

    public async Task Handle(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var method = context.Request.Method;
        var (route, kidText) = Route(path);
        if (route is null)
        {
            await KeyStoreJson.Error(context.Response, KeyStoreRefusal.NotFound.Status, KeyStoreRefusal.NotFound.Message);
            return;
        }
        string[] allowed = route switch
        {
            KeyRoute.Keys => [HttpMethods.Get, HttpMethods.Post],
            KeyRoute.Key => [HttpMethods.Get, HttpMethods.Put, HttpMethods.Delete],
            _ => [HttpMethods.Get],
        };
        if (!allowed.Contains(method))
        {
            context.Response.Headers.Allow = string.Join(", ", allowed);
            await KeyStoreJson.Error(context.Response, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed");
            return;
        }
        try
        {
            await Answer(context, route.Value, method, kidText);
        }
        catch (KeyStoreRefusal refusal)
        {
            await KeyStoreJson.Error(context.Response, refusal.Status, refusal.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = 499;
        }
        catch (Exception failure)
        {
            logger.LogWarning("Key storage call failed: {Reason}", failure.GetType().Name);
            await KeyStoreJson.Error(context.Response, StatusCodes.Status503ServiceUnavailable, "Service Unavailable");
        }
    }

    private async Task Answer(HttpContext context, KeyRoute route, string method, string? kidText)
    {
        var query = context.Request.Query;
        // 401 before anything of the request is judged: it says nothing of the customer's keys.
        if (query["customerAuthenticator"].Count != 1
            || !Authenticator.TryParse(query["customerAuthenticator"].ToString(), out var customerId, out var secretHash))
            throw KeyStoreRefusal.Unauthorized;
        var access = new KeyAccess(options.Environment, secretHash);
        var kid = kidText is null ? null : KeyStoreJson.Kid(kidText);
        var kek = KeyEncryptionKey.FromQuery(query["kek"]);
        var grain = customers.Get(customerId);
        var response = context.Response;

        switch (route, method)
        {
            case (KeyRoute.Keys, "POST"):
            {
                var body = await KeyStoreJson.ReadBody(context.Request);
                var result = Authorized(await grain.CreateStoredKey(access, body.Kid, KeyFieldsOf(body, kek)));
                if (result.Status == KeyStoreStatus.Full) throw new KeyStoreRefusal(StatusCodes.Status400BadRequest, "Key storage full");
                var created = result.Status == KeyStoreStatus.Created;
                if (created) response.Headers.Location = $"{Keys}/{Tokens.Kid.ToHex(result.Key!.Kid)}";
                await KeyStoreJson.Write(response, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, KeyStoreJson.Object(result.Key!, kek));
                return;
            }
            case (KeyRoute.Keys, _):
            {
                var result = Authorized(await grain.ListStoredKeys(access));
                await KeyStoreJson.Write(response, StatusCodes.Status200OK, KeyStoreJson.Array(result.Keys, kek));
                return;
            }
            case (KeyRoute.Count, _):
            {
                var result = Authorized(await grain.CountStoredKeys(access));
                await KeyStoreJson.Plain(response, result.Count.ToString(CultureInfo.InvariantCulture));
                return;
            }
            case (KeyRoute.Value, _):
            {
                var key = Found(Authorized(await grain.FindStoredKey(access, kid!)));
                await KeyStoreJson.Plain(response, KeyStoreJson.Value(key, kek));
                return;
            }
            case (KeyRoute.Key, "PUT"):
            {
                var body = await KeyStoreJson.ReadBody(context.Request);
                var key = Found(Authorized(await grain.UpdateStoredKey(access, kid!, KeyFieldsOf(body, kek))));
                await KeyStoreJson.Write(response, StatusCodes.Status200OK, KeyStoreJson.Object(key, kek));
                return;
            }
            case (KeyRoute.Key, "DELETE"):
            {
                if (Authorized(await grain.DeleteStoredKey(access, kid!)).Status == KeyStoreStatus.NotFound) throw KeyStoreRefusal.NotFound;
                response.StatusCode = StatusCodes.Status200OK;
                return;
            }
            default:
            {
                var key = Found(Authorized(await grain.FindStoredKey(access, kid!)));
                await KeyStoreJson.Write(response, StatusCodes.Status200OK, KeyStoreJson.Object(key, kek));
                return;
            }
        }
    }

    /// <summary>
    /// The fields a body gives, with its <c>ek</c> unwrapped when the request has the KEK (a wrong KEK is 400), or
    /// kept wrapped with its <c>kekId</c> when it has not.
    /// </summary>
    private static KeyFields KeyFieldsOf(KeyBody body, byte[]? kek)
    {
        if (body.WrappedKey is not { } wrapped) return body.Fields;
        if (kek is null)
        {
            return body.Fields with { WrappedKey = wrapped, KekId = body.KekId ?? throw new KeyStoreRefusal(StatusCodes.Status400BadRequest, "KEK required") };
        }
        var unwrapped = KeyWrap.Unwrap(kek, wrapped);
        if (unwrapped is not { Length: 16 }) throw KeyStoreRefusal.WrongKek;
        return body.Fields with { ContentKey = unwrapped };
    }

    private static KeyStoreResult Authorized(KeyStoreResult result) =>
        result.Status == KeyStoreStatus.Unauthorized ? throw KeyStoreRefusal.Unauthorized : result;

    private static KeyObject Found(KeyStoreResult result) =>
        result.Status == KeyStoreStatus.NotFound ? throw KeyStoreRefusal.NotFound : result.Key!;

    private enum KeyRoute { Keys, Key, Value, Count }

    /// <summary>The route of <paramref name="path"/> and the KID text it names, or null for a path not of the API.</summary>
    private static (KeyRoute? Route, string? Kid) Route(string path)
    {
        if (path == Keys) return (KeyRoute.Keys, null);
        if (path == Prefix + "/keycount") return (KeyRoute.Count, null);
        if (!path.StartsWith(Keys + "/", StringComparison.Ordinal)) return (null, null);
        var rest = path[(Keys.Length + 1)..];
        if (rest.EndsWith("/value", StringComparison.Ordinal)) return (KeyRoute.Value, rest[..^"/value".Length]);
        return rest.Length == 0 || rest.Contains('/') ? (null, null) : (KeyRoute.Key, rest);
    }
}
