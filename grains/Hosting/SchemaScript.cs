namespace Orleans.Tokens.Hosting;

/// <summary>The schema scripts under Schema/, embedded in this assembly by file name.</summary>
internal static class SchemaScript
{
    public static string Read(string name)
    {
        using var stream = typeof(SchemaScript).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"schema script {name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
