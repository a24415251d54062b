namespace Orleans.Tokens;

/// <summary>The environment a gateway serves; each has its own authenticators and balance.</summary>
[GenerateSerializer, Alias("Orleans.Tokens.TokenEnvironment")]
public enum TokenEnvironment
{
    Production = 0,
    Test = 1,
}

public static class TokenEnvironments
{
    public static string Name(this TokenEnvironment environment) =>
        environment == TokenEnvironment.Production ? "production" : "test";

    public static bool TryParse(string? text, out TokenEnvironment environment)
    {
        switch (text)
        {
            case "production": environment = TokenEnvironment.Production; return true;
            case "test": environment = TokenEnvironment.Test; return true;
            default: environment = default; return false;
        }
    }
}
