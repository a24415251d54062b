namespace Orleans.Tokens.Grains;

public static class StorageNames
{
    /// <summary>The grain storage that holds customer accounts.</summary>
    public const string Customers = "customers";
}
