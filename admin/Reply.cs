using System.CommandLine;
using System.Text.Json.Nodes;

namespace Orleans.Tokens.Admin;

/// <summary>What one command answered: its JSON, or <c>{"error": "..."}</c>.</summary>
internal readonly record struct Reply(bool Succeeded, JsonNode Json)
{
    public static Reply Success(JsonNode json) => new(true, json);

    public static Reply Failure(string message) => new(false, new JsonObject { ["error"] = message });

    /// <summary>The parse errors as one failure, or null when the command line parsed.</summary>
    public static Reply? FromParseErrors(ParseResult parse) =>
        parse.Errors.Count == 0 ? null : Failure(string.Join("; ", parse.Errors.Select(e => e.Message)));
}
