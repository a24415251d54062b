using System.Text.Json.Serialization;
using Orleans.Tokens.Gateway.Errors;
using Orleans.Tokens.Gateway.Minting;

namespace Orleans.Tokens.Gateway;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(PlayReadyAnswer))]
internal sealed partial class GatewayJson : JsonSerializerContext;
