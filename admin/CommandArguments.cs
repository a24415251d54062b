using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Orleans.Tokens.Admin;

/// <summary>
/// The arguments and options the commands share, each parsed and checked while the command line is parsed.
/// Error messages never repeat the value given: it might be a secret or a content key typed in the wrong place.
/// </summary>
internal static class CommandArguments
{
    public static Argument<long> CustomerIdArgument() => new("customerId")
    {
        Description = "The customer id: 1-10 decimal digits without a leading zero",
        CustomParser = result => Parse<long>(result, "customerId", TryParseCustomerId,
            "customerId must be 1-10 decimal digits without a leading zero"),
    };

    /// <summary>A number of tokens, at least <paramref name="minimum"/>.</summary>
    public static Argument<long> TokensArgument(string name, long minimum) => new(name)
    {
        Description = $"A whole number of tokens, at least {minimum}",
        CustomParser = result => Parse(result, name, TryParseCount(minimum), $"{name} must be a whole number of at least {minimum}"),
    };

    /// <summary>A starting balance: a number of tokens, 0 when absent.</summary>
    public static Option<long> BalanceOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = result => Parse(result, name, TryParseCount(0), $"{name} must be a whole number of at least 0"),
    };

    /// <summary><c>true</c> or <c>false</c>; null when absent.</summary>
    public static Option<bool?> SwitchOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "true|false",
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = result => Parse<bool?>(result, name, TryParseSwitch, $"{name} must be true or false"),
    };

    public static Option<TokenEnvironment> EnvironmentOption(bool required) => new("--environment")
    {
        Description = required ? "production or test" : "production (default) or test",
        HelpName = "production|test",
        Required = required,
        CustomParser = result => Parse<TokenEnvironment>(result, "--environment", TokenEnvironments.TryParse,
            "--environment must be production or test"),
    };

    /// <summary>A KID as the contract's <c>kid</c> parameter reads it: 32 hex digits or <c>^name</c>.</summary>
    public static Option<byte[]> KidOption() => new("--kid")
    {
        Description = "The KID: 32 hex digits, or ^name for the first 16 bytes of SHA-1(name)",
        HelpName = "kid",
        Required = true,
        CustomParser = ParseKid,
    };

    /// <summary>A content key: 32 hex digits.</summary>
    public static Option<byte[]> ContentKeyOption() => new("--key")
    {
        Description = "The content key: 32 hex digits",
        HelpName = "hex",
        Required = true,
        CustomParser = result => Parse<byte[]>(result, "--key", TryParseContentKey, "--key must be 32 hex digits"),
    };

    /// <summary>A UTC day, <c>YYYY-MM-DD</c>; null when absent.</summary>
    public static Option<DateOnly?> SinceOption() => new("--since")
    {
        Description = "The first UTC day to show, YYYY-MM-DD (default: every kept day)",
        HelpName = "YYYY-MM-DD",
        CustomParser = result => Parse<DateOnly?>(result, "--since", TryParseDay, "--since must be a date YYYY-MM-DD"),
    };

    private static bool TryParseDay(string text, out DateOnly? day)
    {
        var parsed = DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value);
        day = parsed ? value : null;
        return parsed;
    }

    private delegate bool TryParse<T>(string text, out T value);

    private static T Parse<T>(ArgumentResult result, string name, TryParse<T> tryParse, string error)
    {
        if (Single(result, name) is not { } text) return default!;
        if (tryParse(text, out var value)) return value;
        result.AddError(error);
        return default!;
    }

    /// <summary>The one value given, or null after an error when an option was given more than once.</summary>
    private static string? Single(ArgumentResult result, string name)
    {
        if (result.Tokens.Count == 1) return result.Tokens[0].Value;
        result.AddError($"{name} takes one value");
        return null;
    }

    private static bool TryParseCustomerId(string text, out long customerId)
    {
        customerId = 0;
        return Authenticator.IsCustomerId(text) && long.TryParse(text, CultureInfo.InvariantCulture, out customerId);
    }

    private static TryParse<long> TryParseCount(long minimum) =>
        (string text, out long count) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count >= minimum;

    private static bool TryParseSwitch(string text, out bool? value)
    {
        value = text switch { "true" => true, "false" => false, _ => null };
        return value is not null;
    }

    private static bool TryParseContentKey(string text, out byte[] key)
    {
        key = text.Length == 32 && Hex.IsHex(text) ? Convert.FromHexString(text) : [];
        return key.Length == 16;
    }

    private static byte[] ParseKid(ArgumentResult result)
    {
        if (Single(result, "--kid") is not { } text) return [];
        var error = Kid.TryParse(text, out var kid);
        if (error == ErrorCode.None) return kid;
        result.AddError(error switch
        {
            ErrorCode.KidLength => "--kid must be 32 hexadecimal characters long",
            ErrorCode.KidNameTooLong => "--kid must be at most 64 characters long after the '^'",
            _ => "--kid must be 32 hex digits or ^ followed by 1-64 characters",
        });
        return [];
    }
}
