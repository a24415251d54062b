using System.Xml;
using Orleans.Tokens.Gateway.Requests;

namespace Orleans.Tokens.Gateway.Redemption;

/// <summary>
/// Where a rights request carries its token (contract section 8), in this order: the <c>ExpressPlayToken</c>
/// parameter (query, or a form body); an <c>ExpressPlayToken</c> request header; for PlayReady, the text of the SOAP
/// challenge's <c>&lt;CustomData&gt;</c> element (<c>ExpressPlayToken=&lt;token&gt;</c> or the bare token). Trailing
/// whitespace, CR and LF after a token are ignored (also percent-encoded: the query is decoded first), since clients
/// paste the mint answer verbatim.
/// </summary>
internal static class RightsToken
{
    public const string Name = "ExpressPlayToken";

    private static readonly XmlReaderSettings Soap = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = RequestLimits.MaxBodyLength,
        IgnoreComments = true,
    };

    /// <summary>The token of <paramref name="request"/>, trimmed; null when it carries none, or more than one in the first place that has any.</summary>
    public static string? Find(HttpRequest request, RequestParameters parameters, Drm drm)
    {
        IReadOnlyList<string> given = parameters.All(Name).ToArray();
        if (given.Count == 0) given = [.. request.Headers[Name].Where(value => value is not null).Select(value => value!)];
        if (given.Count == 0 && drm == Drm.PlayReady && CustomData(request) is { } customData)
            given = [customData.StartsWith(Name + "=", StringComparison.Ordinal) ? customData[(Name.Length + 1)..] : customData];
        return given.Count == 1 ? given[0].TrimEnd(' ', '\t', '\r', '\n') : null;
    }

    /// <summary>The text of the body's first <c>CustomData</c> element, or null for a body that is no such XML.</summary>
    private static string? CustomData(HttpRequest request)
    {
        if (request.Body is not MemoryStream body || body.Length == 0) return null;
        body.Position = 0;
        try
        {
            using var reader = XmlReader.Create(body, Soap);
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "CustomData")
                    return reader.ReadElementContentAsString().Trim();
            }
            return null;
        }
        catch (XmlException)
        {
            return null;
        }
        finally
        {
            body.Position = 0;
        }
    }
}
