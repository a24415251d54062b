using System.Net;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Orleans.Tokens.Tests.Infrastructure;
using Described = Microsoft.OpenApi.OpenApiDocument;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Issue 10's OpenAPI description (<c>gateway/OpenApi/token-api.yaml</c>, served at <c>/openapi.yaml</c>): read and
/// validated by Microsoft.OpenApi (OpenAPI.NET, the published reader with its default validation rules) as OpenAPI
/// 3.1 with no error or warning; every path and method it documents answers on the running gateway with a status
/// it documents; every parameter row of the contract's tables (sections 4, 5, 11, 13, 14, listed here from the
/// contract, not from the gateway's tables) is a parameter of its endpoint; every code of sections 6 and 14 is one
/// the error schema allows.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class OpenApiTests(GatewayFixture gateway)
{
    private static readonly string[] Common =
    [
        "customerAuthenticator", "errorFormat", "kid", "contentKey", "kek", "ek", "contentId", "generalFlags",
        "expirationTime", "cookie", "requestId", "Idempotency-Key", "useHttps",
    ];

    public static TheoryData<string, string[]> Rows => new()
    {
        { "/hms/wv/token", [.. Common, "securityLevel", "hdcpOutputControl", "licenseDuration", "wvExtension", "deviceId"] },
        {
            "/hms/pr/token",
            [
                .. Common, "rightsType", "rental.periodEndTime", "rental.playDuration", "analogVideoOPL", "compressedDigitalAudioOPL",
                "compressedDigitalVideoOPL", "uncompressedDigitalAudioOPL", "uncompressedDigitalVideoOPL", "unknownOutputBehavior",
                "outputControlFlags", "extensionType", "extensionPayload", "deviceId", "algId", "minCertSecurityLevel",
            ]
        },
        { "/hms/fp/token", [.. Common, "iv", "rentalDuration", "fpExtension", "deviceId"] },
    };

    public static TheoryData<string, string[]> IndexedRows => new()
    {
        { "/hms/wv/token", ["kid", "contentKey", "securityLevel", "hdcpOutputControl", "trackType"] },
        { "/hms/pr/token", ["kid", "contentKey", "minCertSecurityLevel"] },
    };

    [Fact]
    public async Task The_served_description_is_valid_OpenAPI_3_1()
    {
        var (document, diagnostic) = await LoadAsync();

        Assert.Empty(diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}"));
        Assert.Empty(diagnostic.Warnings.Select(e => $"{e.Pointer}: {e.Message}"));
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, diagnostic.SpecificationVersion);
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet())!.Select(e => $"{e.Pointer}: {e.Message}"));
        Assert.Equal(await File.ReadAllTextAsync(RepositoryFile()), await (await gateway.Client.GetAsync("/openapi.yaml")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Every_documented_path_and_method_answers_with_a_documented_status()
    {
        var (document, _) = await LoadAsync();
        var answered = new List<string>();
        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations!)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method.Method), path);
                if (method == HttpMethod.Post) request.Content = new FormUrlEncodedContent([]);
                var response = await gateway.Client.SendAsync(request);
                var status = ((int)response.StatusCode).ToString();
                Assert.True(operation.Responses!.ContainsKey(status), $"{method} {path} answered {status}, which it does not document");
                answered.Add($"{method} {path}");
            }
        }
        Assert.Contains("POST /hms/fp/token", answered);
        Assert.Contains("DELETE /keystore/keys/{kid}", answered);
        Assert.True(answered.Count >= 15, string.Join(", ", answered));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Every_parameter_row_of_the_contract_is_a_parameter_of_its_endpoint(string path, string[] names)
    {
        var (document, _) = await LoadAsync();
        var documented = document.Paths[path].Operations![HttpMethod.Get].Parameters!.Select(p => p.Name).OfType<string>().ToHashSet();
        Assert.Subset(documented, names.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(IndexedRows))]
    public async Task Every_indexed_row_of_section_14_is_described_for_indexes_0_to_15(string path, string[] bases)
    {
        var (document, _) = await LoadAsync();
        var patterns = document.Paths[path].Operations![HttpMethod.Get].Parameters!
            .Where(p => p.Schema?.PatternProperties is not null)
            .SelectMany(p => p.Schema!.PatternProperties!.Keys).ToArray();
        foreach (var name in bases)
        {
            Assert.True(patterns.Any(p => Regex.IsMatch($"{name}.0", p) && Regex.IsMatch($"{name}.15", p)), $"{name}.0 … {name}.15 on {path}");
            Assert.False(patterns.Any(p => Regex.IsMatch($"{name}.16", p) || Regex.IsMatch($"{name}.01", p)), $"{name}.16 on {path}");
        }
    }

    [Fact]
    public async Task Every_code_of_sections_6_and_14_is_a_documented_errorCode()
    {
        var (document, _) = await LoadAsync();
        var allowed = document.Components!.Schemas!["Error"].Properties!["errorCode"].Enum!
            .Select(node => (int)node!.GetValue<decimal>()).ToHashSet();
        Assert.Subset(allowed, SpecErrors.Texts.Keys.ToHashSet());
    }

    /// <summary>The description as the gateway serves it, read with OpenAPI.NET's YAML reader.</summary>
    private async Task<(Described Document, OpenApiDiagnostic Diagnostic)> LoadAsync()
    {
        var response = await gateway.Client.GetAsync("/openapi.yaml");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/yaml", response.Content.Headers.ContentType?.MediaType);
        var settings = new OpenApiReaderSettings();
        settings.AddYamlReader();
        var (document, diagnostic) = await Described.LoadAsync(await response.Content.ReadAsStreamAsync(), "yaml", settings);
        Assert.NotNull(document);
        Assert.NotNull(diagnostic);
        return (document, diagnostic);
    }

    private static string RepositoryFile()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "gateway", "OpenApi", "token-api.yaml");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("gateway/OpenApi/token-api.yaml above " + AppContext.BaseDirectory);
    }
}
