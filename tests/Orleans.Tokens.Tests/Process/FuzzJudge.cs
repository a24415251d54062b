using System.Net;
using System.Text.Json;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Whether an answer is one the contract (sections 1, 2 and 6) and the README's decisions allow for a generated
/// request as it went on the wire; the outcome it is counted under ("200", "400/-2017", "413", …).
/// </summary>
internal sealed class FuzzJudge(TokenKeyRing ring, Uri baseUrl)
{
    /// <summary>Every code of section 6.</summary>
    private static readonly HashSet<int> DocumentedCodes =
    [
        -2002, -2005, -2008, -2017, -2018, -2019, -2020, -2021, -2022, -2025, -2027, -2030, -2031, -2033, -2034, -2035,
        -2036, -2037, -2040, -3004, -4010, -4018, -4019, -4020, -4021, -4022, -4024, -5001, -5002, -5003, -5004, -5005,
        -5006, -5007, -6005, -6007, -7002, -7003, -7004, -7006, -7007, -7008, -7009, -7011, -9004, -9005, -6001, -6003, -6008, -6009,
    ];

    /// <summary>Null when <paramref name="response"/> is allowed for <paramref name="wire"/>; otherwise why not.</summary>
    public string? Judge(WireRequest wire, RawResponse response, out string outcome)
    {
        outcome = response.Status.ToString();
        // Kestrel, before the gateway sees the request, takes a request line without a version either as malformed
        // (400) or as a version it does not speak (505, no body; README, "Decisions"): seed 1812535069 got one 505.
        if (wire is { Framing: Framing.HeadRefused, Note: WireGenerator.NoVersion } && response is { Status: 505, Body: "" })
        {
            outcome = "505 head refused by Kestrel";
            return response.Closes ? null : "the connection must close after this answer (Connection: close)";
        }
        if (response.Status >= 500) return "a 5xx: the contract allows no server error for a request the client can repair";
        if (wire.Closes && !response.Closes) return "the connection must close after this answer (Connection: close)";
        switch (wire.Framing)
        {
            case Framing.HeadRefused:
                outcome = "400 head refused by Kestrel";
                return response is { Status: 400, Body: "" } ? null : "a head Kestrel cannot parse gets its 400 with no body";
            case Framing.BodyRefused:
                outcome = "400 body not framed";
                return response.Status == 400 && response.ContentType == "text/plain; charset=utf-8" && response.Body == WireGenerator.FramingSentence
                    ? null : "a body that cannot be framed gets 400 text/plain with the README's sentence";
            case Framing.Cut:
                return "an answer to a request cut short";
        }
        var request = wire.Request;
        if (FuzzRequest.ServicePaths.TryGetValue(request.Path, out var methods))
        {
            outcome = $"{response.Status} {request.Path}";
            if (!methods.Contains(request.Method))
                return response.Status == 405 && response.ContentType == "text/plain; charset=utf-8" ? null : $"{request.Method} on {request.Path} must get 405 text/plain";
            return request is { Method: "GET", Path: "/healthz" } && response is { Status: 200, Body: "ok\n" } ? null : "GET /healthz is 200 ok";
        }
        return Judge(request, response, out outcome);
    }

    /// <summary>Null when the answer is one the contract allows for this request; otherwise why not.</summary>
    private string? Judge(FuzzRequest request, RawResponse response, out string outcome)
    {
        var status = response.Status;
        outcome = status.ToString();
        var contentType = response.ContentType ?? "";

        // Section 1: limits first, before anything is parsed; method and path next.
        if (request.TargetLength > 8 * 1024)
            return status == 414 && contentType.StartsWith("text/plain") ? null : "a request target over 8 KiB must get 414 text/plain";
        if (status == 414) return "414 for a request target of at most 8 KiB";
        if (request.BodyLength > 64 * 1024)
            return status == 413 && contentType.StartsWith("text/plain") ? null : "a body over 64 KiB must get 413 text/plain";
        if (status == 413) return "413 for a body of at most 64 KiB";
        if (!request.IsTokenPath)
            return status == 404 && contentType.StartsWith("text/plain") ? null : "any other path must get 404 text/plain";
        if (request.Method is not ("GET" or "POST"))
            return status == 405 && contentType.StartsWith("text/plain") ? null : "any other method on a token path must get 405 text/plain";

        switch (status)
        {
            case 200:
                string? token;
                if (request.RightsPath is { } rightsPath)
                {
                    // The public rights URL, or with useHttps (section 14) its https form.
                    var prefix = new Uri(baseUrl, rightsPath) + "?ExpressPlayToken=";
                    if (response.Body.StartsWith("https:")) prefix = "https" + prefix[prefix.IndexOf(':')..];
                    if (!contentType.StartsWith("text/uri-list") || !response.Body.StartsWith(prefix))
                        return "a Widevine or FairPlay success is text/uri-list {RightsUrl}?ExpressPlayToken={token}";
                    token = response.Body[prefix.Length..];
                }
                else
                {
                    if (!contentType.StartsWith("application/json")) return "a PlayReady success is application/json";
                    try
                    {
                        using var document = JsonDocument.Parse(response.Body);
                        token = document.RootElement.GetProperty("token").GetString();
                    }
                    catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
                    {
                        return "a PlayReady success carries {\"licenseAcquisitionUrl\",\"token\"}";
                    }
                }
                if (token is null || token.Length > 2048 || !TokenRequests.Base64UrlNoPadding().IsMatch(token))
                    return "the token is not base64url without padding of at most 2,048 characters";
                // As of the earliest instant: an expirationTime of "+1" may have passed by the time the answer is judged.
                return ring.Open(token, DateTimeOffset.MinValue, out var reason) is null ? $"the minted token does not open: {reason}" : null;
            case 400 or 401:
                var json = contentType.StartsWith("application/json");
                var html = contentType.StartsWith("text/html");
                if (!json && !html) return "an error is application/json or text/html";
                var code = new MintAnswer((HttpStatusCode)status, contentType, response.Body).ErrorCode;
                outcome = $"{status}/{code}";
                if (code is null || !DocumentedCodes.Contains(code.Value)) return "the errorCode is not one of section 6";
                if (code is -2030 or -7008) return $"{code} is a 500/503 code, not {status}";
                if ((status == 401) != (code is -2017 or -2018)) return $"{code} with {status}: 401 is for -2017 and -2018 exactly";
                if (html && response.Body.Contains("<script", StringComparison.OrdinalIgnoreCase))
                    return "the HTML error reflects raw input";
                if (json && request.WantsHtml) return "errorFormat was not json, yet the error is JSON";
                return null;
            case 404:
                return "404 on a token path";
            case 405:
                return "405 for GET or POST";
            default:
                return $"status {status} is not among the contract's answers";
        }
    }

}
